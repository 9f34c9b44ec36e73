from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Permission patterns each staff role gets on this platform (added to station.permissions.ROLE_PERMISSIONS).
# A member's political status is sensitive: cadres read their communities' members, posts and reports only.
PARTYBUILD_ROLE_PERMISSIONS = {
    "station_head": {"partybuild.view_*", "partybuild.add_*", "partybuild.change_*"},
    "supervisor": {"partybuild.view_*", "partybuild.add_*", "partybuild.change_*"},
    "social_worker": {"partybuild.view_*", "partybuild.add_*", "partybuild.change_*"},
    "cadre": {
        "partybuild.view_partymember",
        "partybuild.view_memberreport",
        "partybuild.view_unitreport",
        "partybuild.view_servicepost",
        "partybuild.view_postholder",
        "partybuild.view_partyactivity",
    },
}


class PartybuildConfig(AppConfig):
    name = "partybuild"
    verbose_name = _("Party-mass co-building")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from station.permissions import ROLE_PERMISSIONS
        from station.registry import dashboard_panels, demo_seeders, person_sections

        from .dashboard import missed_party_days_panel
        from .demo import seed_partybuild
        from .sections import party_section

        for role, patterns in PARTYBUILD_ROLE_PERMISSIONS.items():
            ROLE_PERMISSIONS.setdefault(role, set()).update(patterns)
        person_sections.register("partybuild", order=20)(party_section)
        demo_seeders.register("partybuild", order=40)(seed_partybuild)
        dashboard_panels.register("partybuild", order=20)(missed_party_days_panel)
