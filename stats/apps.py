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

        from .demo import seed_rollup
        from .freshness import record_written

        # A worker's write shows on the dashboard within minutes: it queues its station's month to date.
        post_save.connect(record_written, dispatch_uid="stats-month-to-date-save")
        post_delete.connect(record_written, dispatch_uid="stats-month-to-date-delete")

        # Last of all: the demo's twelve months rolled up, once every platform has added its records.
        demo_seeders.register("stats", order=1000)(seed_rollup)
