# The rollup's tables were created by station's migrations 0003-0005 and keep their names (db_table): this
# migration only tells Django that they now belong to ``stats``, and moves their content types (and so their
# permissions and admin history) along.

import django.db.models.deletion
import django.utils.timezone
import stats.models
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("statvalue", "rolluprun", "statreport"):
        if not ContentType.objects.filter(app_label="stats", model=model).exists():
            ContentType.objects.filter(app_label="station", model=model).update(app_label="stats")


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("statvalue", "rolluprun", "statreport"):
        if not ContentType.objects.filter(app_label="station", model=model).exists():
            ContentType.objects.filter(app_label="stats", model=model).update(app_label="station")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('station', '0006_stats_models_move_to_stats_app'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='RollupRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField(verbose_name='month')),
                        ('status', models.CharField(choices=[('started', 'started'), ('done', 'done')], default='started', max_length=10, verbose_name='status')),
                        ('started_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='started at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('final', models.BooleanField(default=False, help_text='Computed after the month had closed.', verbose_name='final')),
                        ('metric_count', models.PositiveIntegerField(default=0, verbose_name='metrics')),
                        ('station', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rollup_runs', to='station.station', verbose_name='station')),
                    ],
                    options={
                        'verbose_name': 'rollup run',
                        'verbose_name_plural': 'rollup runs',
                        'db_table': 'station_rolluprun',
                        'ordering': ['-month', 'station'],
                        'constraints': [models.UniqueConstraint(fields=('station', 'month'), name='rolluprun_unique_station_month'), models.CheckConstraint(condition=models.Q(('month__day', 1)), name='rolluprun_month_is_first_day')],
                    },
                ),
                migrations.CreateModel(
                    name='StatReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('first_month', models.DateField(verbose_name='first month')),
                        ('last_month', models.DateField(verbose_name='last month')),
                        ('requested_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='requested at')),
                        ('file', models.FileField(blank=True, upload_to=stats.models.report_path, verbose_name='file')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='stat_reports', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                        ('station', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='stat_reports', to='station.station', verbose_name='station')),
                    ],
                    options={
                        'verbose_name': 'statistics report',
                        'verbose_name_plural': 'statistics reports',
                        'db_table': 'station_statreport',
                        'ordering': ['-requested_at'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('last_month__gte', models.F('first_month'))), name='statreport_range_in_order')],
                    },
                ),
                migrations.CreateModel(
                    name='StatValue',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('month', models.DateField(help_text='The first day of the month.', verbose_name='month')),
                        ('metric', models.CharField(max_length=100, verbose_name='metric')),
                        ('value', models.DecimalField(decimal_places=2, max_digits=18, verbose_name='value')),
                        ('computed_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='computed at')),
                        ('community', models.ForeignKey(blank=True, help_text='Empty for the station-wide total.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='stat_values', to='station.community', verbose_name='community')),
                        ('station', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='stat_values', to='station.station', verbose_name='station')),
                    ],
                    options={
                        'verbose_name': 'statistic value',
                        'verbose_name_plural': 'statistics rollup',
                        'db_table': 'station_statvalue',
                        'ordering': ['station', 'month', 'metric', 'community'],
                        'indexes': [models.Index(fields=['station', 'month', 'metric'], name='statvalue_station_month')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('community__isnull', False)), fields=('station', 'community', 'month', 'metric'), name='statvalue_unique_community_month_metric'), models.UniqueConstraint(condition=models.Q(('community__isnull', True)), fields=('station', 'month', 'metric'), name='statvalue_unique_total_month_metric'), models.CheckConstraint(condition=models.Q(('month__day', 1)), name='statvalue_month_is_first_day')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
