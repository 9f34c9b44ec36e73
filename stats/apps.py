from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = _("Statistics")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from station.permissions import ROLE_PERMISSIONS
        from station.registry import demo_seeders
        from station.roles import Role

        # The rollup's records are read-only in the admin; the head and supervisors may look at them.
        for role in (Role.STATION_HEAD, Role.SUPERVISOR):
            ROLE_PERMISSIONS[role] |= {"stats.view_statvalue", "stats.view_rolluprun"}

        from django.db.models.signals import post_delete, post_save

        from station.signals import records_written

        from .signals import mark_stale, mark_stale_many

        # A late record in a final month marks it stale (stats.signals), in the write's own transaction; so
        # does a batch of them (an import), sent by the service that writes it.
        post_save.connect(mark_stale, dispatch_uid="stats-mark-stale-save")
        post_delete.connect(mark_stale, dispatch_uid="stats-mark-stale-delete")
        records_written.connect(mark_stale_many, dispatch_uid="stats-mark-stale-many")

        from . import freshness
        from .demo import seed_rollup

        # A worker's write shows on the dashboard within minutes: it queues its station's month to date.
        post_save.connect(freshness.record_written, dispatch_uid="stats-month-to-date-save")
        post_delete.connect(freshness.record_written, dispatch_uid="stats-month-to-date-delete")
        records_written.connect(freshness.records_written, dispatch_uid="stats-month-to-date-many")

        # Last of all: the demo's twelve months rolled up, once every platform has added its records.
        demo_seeders.register("stats", order=1000)(seed_rollup)
