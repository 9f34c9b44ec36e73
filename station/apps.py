from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class StationConfig(AppConfig):
    default = True
    name = "station"
    verbose_name = _("Station core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_migrate

        from . import checks, first_attendance, named_attendance, participation, signals  # noqa: F401
        from .roles import display_name

        # Staff are shown by their names, not their logins, wherever Django prints a user (admin lists and
        # filters, choice fields, exports): one definition, in roles.display_name.
        get_user_model().__str__ = display_name
        # The columns the database keeps: their triggers come back after every migrate (station.kept).
        for kept in (
            first_attendance.FIRST_ATTENDANCE,
            named_attendance.NAMED_ATTENDANCE,
            participation.PARTICIPATION,
        ):
            post_migrate.connect(kept.after_migrate, sender=self, dispatch_uid=f"station-kept-{kept.table}")


class StationAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "station.admin_site.StationAdminSite"
