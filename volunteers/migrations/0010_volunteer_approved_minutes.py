from django.db import migrations, models
from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce


def count_approved_minutes(apps, schema_editor):
    Volunteer = apps.get_model("volunteers", "Volunteer")
    ServiceRecord = apps.get_model("volunteers", "ServiceRecord")
    approved = (
        ServiceRecord.objects.filter(volunteer=OuterRef("pk"), status="approved")
        .order_by()
        .values("volunteer")
        .annotate(m=Sum("minutes"))
        .values("m")
    )
    Volunteer.objects.update(approved_minutes=Coalesce(Subquery(approved, output_field=IntegerField()), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0009_free_text_limits"),
    ]

    operations = [
        migrations.AddField(
            model_name="volunteer",
            name="approved_minutes",
            field=models.IntegerField(default=0, editable=False, verbose_name="approved minutes"),
        ),
        migrations.RunPython(count_approved_minutes, migrations.RunPython.noop),
    ]
