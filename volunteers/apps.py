from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Permission patterns each staff role gets on this platform (added to station.permissions.ROLE_PERMISSIONS).
VOLUNTEER_ROLE_PERMISSIONS = {
    "station_head": {
        "volunteers.view_*",
        "volunteers.add_*",
        "volunteers.change_*",
        "volunteers.adjust_points",
    },
    "supervisor": {"volunteers.view_*", "volunteers.change_servicerecord", "volunteers.change_redemption"},
    "social_worker": {
        "volunteers.view_*",
        "volunteers.add_volunteer",
        "volunteers.change_volunteer",
        "volunteers.add_volunteeractivity",
        "volunteers.change_volunteeractivity",
        "volunteers.add_shift",
        "volunteers.change_shift",
        "volunteers.add_servicerecord",
        "volunteers.change_servicerecord",
        "volunteers.add_donation",
        "volunteers.add_reward",
        "volunteers.change_reward",
        "volunteers.change_redemption",
        "volunteers.adjust_points",
    },
    "cadre": {"volunteers.view_volunteer", "volunteers.view_volunteeractivity", "volunteers.view_shift"},
}


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteer service")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from station.permissions import ROLE_PERMISSIONS
        from station.registry import person_sections

        from .sections import volunteer_section

        for role, patterns in VOLUNTEER_ROLE_PERMISSIONS.items():
            ROLE_PERMISSIONS.setdefault(role, set()).update(patterns)
        person_sections.register("volunteers", order=30)(volunteer_section)

        from station.registry import home_pages

        home_pages.register("volunteers", order=10)(
            lambda user: "/v/" if getattr(user, "volunteer", None) is not None else None
        )

        from station.registry import demo_seeders

        from .demo import seed_volunteering

        demo_seeders.register("volunteers", order=20)(seed_volunteering)
