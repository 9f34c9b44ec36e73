from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Permission patterns each staff role gets on this platform (added to station.permissions.ROLE_PERMISSIONS).
ORGS_ROLE_PERMISSIONS = {
    "station_head": {"orgs.view_*", "orgs.add_*", "orgs.change_*", "orgs.delete_membership"},
    "supervisor": {"orgs.view_*", "orgs.add_*", "orgs.change_*"},
    "social_worker": {
        "orgs.view_*",
        "orgs.add_communityorg",
        "orgs.change_communityorg",
        "orgs.add_membership",
        "orgs.change_membership",
        "orgs.add_filing",
        "orgs.change_filing",
        "orgs.add_needssurvey",
        "orgs.change_needssurvey",
        "orgs.add_orgactivity",
        "orgs.change_orgactivity",
        "orgs.add_capacityassessment",
        "orgs.add_annualreview",
        "orgs.view_stage",
    },
    "cadre": {"orgs.view_communityorg", "orgs.view_membership", "orgs.view_orgactivity", "orgs.view_filing"},
}


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = _("Community organisation incubation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from station.permissions import ROLE_PERMISSIONS
        from station.registry import demo_seeders, person_sections

        from .demo import seed_orgs
        from .sections import orgs_section

        for role, patterns in ORGS_ROLE_PERMISSIONS.items():
            ROLE_PERMISSIONS.setdefault(role, set()).update(patterns)
        person_sections.register("orgs", order=50)(orgs_section)
        demo_seeders.register("orgs", order=50)(seed_orgs)
