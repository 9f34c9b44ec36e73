"""Django permissions granted by a staff member's role.

Each role maps to permission patterns (``app_label.codename`` with shell wildcards). Platform apps add
their own patterns by extending ROLE_PERMISSIONS in their AppConfig.ready(). A superuser keeps every
permission; everyone else gets exactly what the role allows, so there are no groups to drift.
"""

from fnmatch import fnmatchcase

from django.contrib.auth.backends import ModelBackend

from .roles import Role, profile_of

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.STATION_HEAD: {
        "station.view_*",
        "station.add_*",
        "station.change_*",
        "station.delete_designation",
        "station.delete_evidence",
        "station.delete_attendance",
        "station.delete_householdmember",
        "station.delete_rubriccriterion",
        "station.reveal_id_number",
    },
    Role.SUPERVISOR: {
        "station.view_*",
        "station.add_person",
        "station.change_person",
        "station.add_designation",
        "station.change_designation",
        "station.add_activity",
        "station.change_activity",
        "station.add_attendance",
        "station.add_evidence",
        "station.reveal_id_number",
        "station.add_household",
        "station.change_household",
        "station.add_householdmember",
        "station.change_householdmember",
        "station.delete_householdmember",
        "station.add_partnerunit",
        "station.change_partnerunit",
    },
    Role.SOCIAL_WORKER: {
        "station.view_person",
        "station.add_person",
        "station.change_person",
        "station.view_designation",
        "station.add_designation",
        "station.change_designation",
        "station.view_community",
        "station.view_activity",
        "station.add_activity",
        "station.change_activity",
        "station.view_attendance",
        "station.add_attendance",
        "station.delete_attendance",
        "station.view_evidence",
        "station.add_evidence",
        "station.view_notification",
        # The shared directories: households, partner units, rubrics (templates are the head's to change).
        "station.view_household",
        "station.add_household",
        "station.change_household",
        "station.view_householdmember",
        "station.add_householdmember",
        "station.change_householdmember",
        "station.delete_householdmember",
        "station.view_partnerunit",
        "station.add_partnerunit",
        "station.change_partnerunit",
        "station.view_rubric",
        "station.view_rubriccriterion",
    },
    Role.CADRE: {
        "station.view_person",
        "station.view_designation",
        "station.view_community",
        "station.view_activity",
        "station.view_notification",
        "station.view_household",
        "station.view_householdmember",
    },
    Role.DISTRICT_VIEWER: set(),
}

# Never granted by role: the audit trail is append-only.
NEVER = {"station.change_auditevent", "station.delete_auditevent", "station.add_auditevent"}
# The audit trail and the staff profiles belong to the station head (and superusers): a supervisor's
# "station.view_*" does not reach them.
HEAD_ONLY = {
    "station.view_auditevent",
    "station.view_staffprofile",
    "station.add_staffprofile",
    "station.change_staffprofile",
}


def role_grants(role: str | None, perm: str) -> bool:
    if not role or perm in NEVER:
        return False
    if perm in HEAD_ONLY and role != Role.STATION_HEAD:
        return False
    return any(fnmatchcase(perm, pattern) for pattern in ROLE_PERMISSIONS.get(role, ()))


class RoleBackend(ModelBackend):
    """Password sign-in as usual, permissions from the role (plus any granted directly). A session is
    restored with the user's profile, station and unread notifications in one query."""

    def get_user(self, user_id):
        from .selectors import user_for_session

        user = user_for_session(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_active:
            return False
        if user_obj.is_superuser:
            return perm not in NEVER
        profile = profile_of(user_obj)
        if profile and role_grants(profile.role, perm):
            return True
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label):
        if not user_obj.is_active:
            return False
        if user_obj.is_superuser:
            return True
        profile = profile_of(user_obj)
        if profile and any(p.startswith(app_label + ".") for p in ROLE_PERMISSIONS.get(profile.role, ())):
            return True
        return super().has_module_perms(user_obj, app_label)
