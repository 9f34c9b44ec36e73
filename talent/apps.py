from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Permission patterns each staff role gets on this platform (added to station.permissions.ROLE_PERMISSIONS).
TALENT_ROLE_PERMISSIONS = {
    "station_head": {"talent.view_*", "talent.add_*", "talent.change_*", "talent.delete_checkin"},
    "supervisor": {"talent.view_*", "talent.add_*", "talent.change_*"},
    "social_worker": {
        "talent.view_*",
        "talent.add_talentprofile",
        "talent.change_talentprofile",
        "talent.add_examyear",
        "talent.change_examyear",
        "talent.add_examattempt",
        "talent.change_examattempt",
        "talent.add_certificate",
        "talent.change_certificate",
        "talent.add_registration",
        "talent.change_registration",
        "talent.add_cehours",
        "talent.change_cehours",
        "talent.add_studygroup",
        "talent.change_studygroup",
        "talent.add_studygroupmember",
        "talent.change_studygroupmember",
        "talent.add_studysession",
        "talent.change_studysession",
        "talent.add_supervisionsession",
        "talent.change_supervisionsession",
        "talent.add_actionitem",
        "talent.change_actionitem",
        "talent.add_mentoringpair",
        "talent.change_mentoringpair",
        "talent.add_checkin",
        "talent.change_checkin",
        "talent.add_rotation",
        "talent.change_rotation",
    },
    # A cadre sees their communities' people in the study groups and how many passed; never scores.
    "cadre": {"talent.view_studygroup", "talent.view_studygroupmember", "talent.view_talentprofile"},
}


class TalentConfig(AppConfig):
    name = "talent"
    verbose_name = _("Social worker talent")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from station.permissions import ROLE_PERMISSIONS
        from station.registry import demo_seeders, person_sections

        from .demo import seed_talent
        from .sections import talent_section

        for role, patterns in TALENT_ROLE_PERMISSIONS.items():
            ROLE_PERMISSIONS.setdefault(role, set()).update(patterns)
        person_sections.register("talent", order=70)(talent_section)
        demo_seeders.register("talent", order=70)(seed_talent)
