# The statistics rollup's models moved to the ``stats`` app. Only Django's idea of where they live changes:
# the tables, their rows and their constraints stay as they are (stats/migrations/0001_initial adopts them).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('station', '0005_attendance_verbose_names'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='statreport',
                    name='requested_by',
                ),
                migrations.RemoveField(
                    model_name='statreport',
                    name='station',
                ),
                migrations.RemoveField(
                    model_name='statvalue',
                    name='community',
                ),
                migrations.RemoveField(
                    model_name='statvalue',
                    name='station',
                ),
                migrations.DeleteModel(
                    name='RollupRun',
                ),
                migrations.DeleteModel(
                    name='StatReport',
                ),
                migrations.DeleteModel(
                    name='StatValue',
                ),
            ],
        ),
    ]
