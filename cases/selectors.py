"""What each user may read of casework. Every view, admin page and export loads through these."""

from django.db.models import Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from station.models import Activity, Attendance, Need
from station.roles import STATION_STAFF_ROLES, Role, profile_of
from station.selectors import community_filter_for, person_list_visible_to

from .models import Case, CaseAccessLog, Group, Visit, VisitRequest, WatchEntry


def _is_superuser(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active)


def _station_staff_profile(user):
    profile = profile_of(user)
    if profile is None or profile.role not in STATION_STAFF_ROLES or not profile.station_id:
        return None
    return profile


def case_list_visible_to(user, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """Cases whose file the user may open: its worker, its supervisor, the station head (and superusers).

    A cadre, another worker or a district viewer gets nothing here; they see counts (``case_counts_for``).
    """
    qs = Case.objects.all() if queryset is None else queryset
    if _is_superuser(user):
        return qs
    profile = _station_staff_profile(user)
    if profile is None:
        return qs.none()
    mine = Q(worker=user) | Q(supervisor=user)
    if profile.role == Role.STATION_HEAD:
        mine |= Q(station_id=profile.station_id)
    return qs.filter(mine, station_id=profile.station_id)


def case_get_for_user(user, pk) -> Case:
    """The case, or 404 when the user may not open its file."""
    qs = case_list_visible_to(user).select_related("person__community", "worker", "supervisor", "station")
    return get_object_or_404(qs, pk=pk)


def case_countable_for(user) -> QuerySet[Case]:
    """Cases the user may count by stage (not open): those of the communities they may read. A district
    viewer gets figures from the dashboards, not here."""
    profile = profile_of(user)
    if not _is_superuser(user) and (profile is None or profile.role == Role.DISTRICT_VIEWER):
        return Case.objects.none()
    q = community_filter_for(user, field="person__community")
    return Case.objects.all() if q is None else Case.objects.filter(q)


def case_counts_for(user) -> QuerySet:
    """Counts by stage over the communities the user may read: what a cadre is allowed to know."""
    return case_countable_for(user).values("stage").order_by("stage")


def may_list_cases(user) -> bool:
    """Whether the user is shown case files in lists at all (station staff); others see counts only."""
    return _is_superuser(user) or _station_staff_profile(user) is not None


def case_access_log_visible_to(user) -> QuerySet[CaseAccessLog]:
    """The file-opening log: for the station head (and superusers) only."""
    qs = CaseAccessLog.objects.all()
    if _is_superuser(user):
        return qs
    profile = profile_of(user)
    if profile is None or profile.role != Role.STATION_HEAD:
        return qs.none()
    return qs.filter(case__station_id=profile.station_id)


def _station_staff_scope(user, qs, field):
    """Rows tied to people of the user's station, for station staff only (cadres see counts)."""
    if _is_superuser(user):
        return qs
    profile = _station_staff_profile(user)
    if profile is None:
        return qs.none()
    return qs.filter(**{f"{field}__community__station_id": profile.station_id})


def visit_list_visible_to(user, queryset: QuerySet[Visit] | None = None) -> QuerySet[Visit]:
    return _station_staff_scope(user, Visit.objects.all() if queryset is None else queryset, "person")


def watch_list_visible_to(user, queryset: QuerySet[WatchEntry] | None = None) -> QuerySet[WatchEntry]:
    return _station_staff_scope(user, WatchEntry.objects.all() if queryset is None else queryset, "person")


def visit_request_list_visible_to(user, queryset=None) -> QuerySet[VisitRequest]:
    return _station_staff_scope(user, VisitRequest.objects.all() if queryset is None else queryset, "person")


def group_list_visible_to(user, queryset: QuerySet[Group] | None = None) -> QuerySet[Group]:
    qs = Group.objects.all() if queryset is None else queryset
    if _is_superuser(user):
        return qs
    profile = _station_staff_profile(user)
    if profile is None:
        return qs.none()
    return qs.filter(station_id=profile.station_id)


def need_list_visible_to(user, queryset: QuerySet[Need] | None = None) -> QuerySet[Need]:
    """Needs of the people the user may read (a cadre sees their community's list)."""
    qs = Need.objects.all() if queryset is None else queryset
    return qs.filter(person__in=person_list_visible_to(user))


def people_for_quick_entry(user, term: str, limit: int = 20):
    """People a worker may visit, found by name or phone."""
    term = (term or "").strip()
    if not term or _station_staff_profile(user) is None and not _is_superuser(user):
        return []
    qs = person_list_visible_to(user).filter(Q(name__icontains=term) | Q(phone__contains=term))
    return list(qs.select_related("community").order_by("name", "pk")[:limit])


def person_open_cases(person) -> QuerySet[Case]:
    """The person's cases not yet closed (no scope: callers have checked the person is theirs)."""
    return Case.objects.filter(person=person).exclude(stage=Case.Stage.CLOSED)


def group_counts(group: Group) -> dict:
    """Groups, sessions (节), distinct participants (人) and person-times (人次), kept apart."""
    activities = Activity.objects.filter(group_session__group=group)
    named = Attendance.objects.filter(activity__in=activities)
    return {
        "sessions": group.sessions.count(),
        "participants": named.values("person_id").distinct().count(),
        "person_times": named.count() + (activities.aggregate(h=Sum("headcount"))["h"] or 0),
        "members": group.members.count(),
    }
