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

        from . import checks, first_attendance, named_attendance, signals  # noqa: F401
        from .roles import display_name

        # Staff are shown by their names, not their logins, wherever Django prints a user (admin lists and
        # filters, choice fields, exports): one definition, in roles.display_name.
        get_user_model().__str__ = display_name
        post_migrate.connect(
            first_attendance.FIRST_ATTENDANCE.after_migrate,
            sender=self,
            dispatch_uid="station-first-attendance",
        )
        post_migrate.connect(
            named_attendance.NAMED_ATTENDANCE.after_migrate,
            sender=self,
            dispatch_uid="station-named-attendance",
        )


class StationAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "station.admin_site.StationAdminSite"
