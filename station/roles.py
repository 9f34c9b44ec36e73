"""Who a signed-in user is, in the station's terms. Read-only helpers, no queries beyond the profile."""

from .models import StaffProfile

Role = StaffProfile.Role
STATION_STAFF_ROLES = {Role.STATION_HEAD, Role.SOCIAL_WORKER, Role.SUPERVISOR}


def profile_of(user):
    """The staff profile of a signed-in staff account, or None. A role counts only on a staff account
    (``is_staff``): a volunteer's phone-number login never acts as staff, whatever profile it was given."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or not user.is_staff:
        return None
    try:
        return user.staff_profile
    except StaffProfile.DoesNotExist:
        return None


def display_name(user) -> str:
    """How a user is shown to people: their name (as the station wrote it), the login only when no name was
    given. Every page, admin list, export and ledger shows staff through this (it is also ``str(user)``)."""
    if user is None:
        return ""
    return (user.get_full_name() or "").strip() or user.get_username()


def role_of(user):
    profile = profile_of(user)
    return profile.role if profile else None


def is_station_staff(user, station=None, *, roles=STATION_STAFF_ROLES) -> bool:
    """Whether the user works at ``station`` (a Station or its id) in one of ``roles``; with no station, at
    any station. A superuser counts as staff of any station named, not as a station's staff in general.
    The one answer to "is this user staff of this station": every app asks here."""
    if station is not None and getattr(user, "is_superuser", False) and user.is_active:
        return True
    profile = profile_of(user)
    if profile is None or profile.role not in roles:
        return False
    return station is None or profile.station_id == getattr(station, "pk", station)


def is_station_head(user) -> bool:
    return role_of(user) == Role.STATION_HEAD


def is_cadre(user) -> bool:
    return role_of(user) == Role.CADRE
