"""Who a signed-in user is, in the station's terms. Read-only helpers, no queries beyond the profile."""

from .models import StaffProfile

Role = StaffProfile.Role
STATION_STAFF_ROLES = {Role.STATION_HEAD, Role.SOCIAL_WORKER, Role.SUPERVISOR}


def profile_of(user):
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    try:
        return user.staff_profile
    except StaffProfile.DoesNotExist:
        return None


def role_of(user):
    profile = profile_of(user)
    return profile.role if profile else None


def is_station_staff(user) -> bool:
    return role_of(user) in STATION_STAFF_ROLES


def is_station_head(user) -> bool:
    return role_of(user) == Role.STATION_HEAD


def is_cadre(user) -> bool:
    return role_of(user) == Role.CADRE
