from django.db import migrations, models

from station.first_attendance import FIRST_ATTENDANCE


def install(apps, schema_editor):
    FIRST_ATTENDANCE.install(schema_editor.connection)
    FIRST_ATTENDANCE.fill(schema_editor.connection)


def remove(apps, schema_editor):
    FIRST_ATTENDANCE.remove(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('station', '0010_import_job'),
    ]

    operations = [
        migrations.AddField(
            model_name='person',
            name='first_attended_at',
            field=models.DateTimeField(blank=True, editable=False, help_text="When the person's earliest recorded activity started; empty before any.", null=True, verbose_name='first attendance'),
        ),
        migrations.RunPython(install, remove),
    ]
