# A project serves several communities: the single community becomes a many-to-many, its value copied over.

from django.db import migrations, models


def copy_community(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    Through = Project.communities.through
    Through.objects.bulk_create(
        [
            Through(project_id=pk, community_id=community_id)
            for pk, community_id in Project.objects.filter(community__isnull=False).values_list(
                "pk", "community_id"
            )
        ]
    )


def copy_back(apps, schema_editor):
    """Going back keeps one community per project (the first by id)."""
    Project = apps.get_model("projects", "Project")
    for project in Project.objects.all():
        first = project.communities.order_by("pk").first()
        if first is not None:
            Project.objects.filter(pk=project.pk).update(community=first)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0002_beneficiary"),
        ("station", "0007_households_partner_units_rubrics"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="communities",
            field=models.ManyToManyField(
                blank=True,
                help_text="The communities the project serves; leave empty for a station-wide project.",
                related_name="projects_served",
                to="station.community",
                verbose_name="communities",
            ),
        ),
        migrations.RunPython(copy_community, copy_back),
        migrations.RemoveField(model_name="project", name="community"),
        migrations.AlterField(
            model_name="project",
            name="communities",
            field=models.ManyToManyField(
                blank=True,
                help_text="The communities the project serves; leave empty for a station-wide project.",
                related_name="projects",
                to="station.community",
                verbose_name="communities",
            ),
        ),
    ]
