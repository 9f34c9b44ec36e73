from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class StationConfig(AppConfig):
    default = True
    name = "station"
    verbose_name = _("Station core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks, signals  # noqa: F401


class StationAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "station.admin_site.StationAdminSite"
