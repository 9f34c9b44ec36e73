from functools import lru_cache

from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from .pagecache import CSRF_PLACEHOLDER
from .roles import STATION_STAFF_ROLES, Role, profile_of

# The pages each role goes to every day, by URL name; a platform app that is not installed is left out.
NAV = [
    ("cases:visit_new", _("Record a visit"), STATION_STAFF_ROLES),
    ("station:activity_new", _("Record an activity"), STATION_STAFF_ROLES),
    ("station:activity_import", _("Import activities"), STATION_STAFF_ROLES),
    ("cases:case_list", _("Cases"), STATION_STAFF_ROLES | {Role.CADRE}),
    ("cases:overdue", _("Overdue visits"), STATION_STAFF_ROLES),
    ("dashboard:index", _("Dashboards"), STATION_STAFF_ROLES | {Role.CADRE, Role.DISTRICT_VIEWER}),
]


def nav_links(profile) -> list[tuple[str, str]]:
    return _nav_links(profile.role, get_script_prefix()) if profile is not None else []


@lru_cache
def _nav_links(role, _script_prefix) -> list[tuple[str, str]]:
    """A role's links, reversed once per process: the URLs are the code's, the same in every process."""
    links = []
    for name, label, roles in NAV:
        if role in roles:
            try:
                links.append((label, reverse(name)))
            except NoReverseMatch:
                continue
    return links


def station_context(request):
    # A page rendered to be kept (station.pagecache) carries a placeholder where the browser's token goes.
    kept = {"csrf_token": CSRF_PLACEHOLDER} if getattr(request, "csrf_placeholder", False) else {}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return kept
    profile = profile_of(user)

    def unread():
        counted = getattr(user, "unread_notifications", None)  # counted already by the page's own query
        return counted if counted is not None else user.notifications.filter(read_at__isnull=True).count()

    return {
        **kept,
        "staff_profile": profile,
        "unread_notifications": unread,
        "nav_links": nav_links(profile),
    }
