"""Casework's monthly metrics per community (contract: station/stats.py)."""

from collections import defaultdict

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from station.aggregates import add_totals, count_distinct, grouped, per_station
from station.models import Activity, Attendance, Need
from stats.registry import metric

from . import plan
from .models import Case, CaseSession, GroupSession, Visit

PLATFORM = "casework"


PERSON_STATION = "person__community__station_id"


def _visits(period, kind):
    return Visit.objects.filter(
        person__community__station_id__in=period.station_ids,
        kind=kind,
        visited_on__gte=period.first_day,
        visited_on__lt=period.end_day,
    )


@metric("cases.phone_visits", label=_("phone visits"), unit="次", platform=PLATFORM, order=10, kind="count")
def phone_visits(period):
    return grouped(_visits(period, Visit.Kind.PHONE), PERSON_STATION, "person__community_id", Count("pk"))


@metric("cases.home_visits", label=_("home visits"), unit="次", platform=PLATFORM, order=11, kind="count")
def home_visits(period):
    return grouped(_visits(period, Visit.Kind.HOME), PERSON_STATION, "person__community_id", Count("pk"))


@metric(
    "cases.households_visited",
    label=_("people visited at home"),
    unit="人",
    platform=PLATFORM,
    order=12,
    kind="distinct",
)
def households_visited(period):
    """Each household (by the person visited) counted once in the month, however many home visits."""
    return grouped(
        _visits(period, Visit.Kind.HOME),
        PERSON_STATION,
        "person__community_id",
        Count("person", distinct=True),
    )


@metric(
    "cases.visit_coverage",
    label=_("visit-plan coverage"),
    unit="%",
    platform=PLATFORM,
    additive=False,
    order=13,
    kind="state",
)
def visit_coverage(period):
    """Share of watched people visited within their cycle as of the month's end (``plan.COVERAGE_DEFINITION``)."""
    return _share_of_watched(period, "covered")


def _share_of_watched(period, part: str):
    """Each station's share of its watched people who were ``covered`` or ``visited`` (``plan.Coverage``),
    per community and in all; a station with nobody watched has no figure."""
    figures = plan.coverage_by_station(period.station_ids, period.first_day, period.end_day)
    result, totals = {}, defaultdict(lambda: [0, 0])
    for (station_id, community_id), f in figures.items():
        result[(station_id, community_id)] = plan.coverage_percent(getattr(f, part), f.watched)
        totals[station_id][0] += getattr(f, part)
        totals[station_id][1] += f.watched
    for station_id, (part_count, watched) in totals.items():
        result[(station_id, "total")] = plan.coverage_percent(part_count, watched)
    return result


def _station_cases(period):
    return Case.objects.filter(station_id__in=period.station_ids)


@metric("cases.new_cases", label=_("new cases"), unit="个", platform=PLATFORM, order=20, kind="count")
def new_cases(period):
    qs = _station_cases(period).filter(opened_on__gte=period.first_day, opened_on__lt=period.end_day)
    return grouped(qs, "station_id", "person__community_id", Count("pk"))


@metric(
    "cases.open_cases",
    label=_("open cases at month end"),
    unit="个",
    platform=PLATFORM,
    order=21,
    kind="state",  # a state at the month's end: never added up across months
)
def open_cases(period):
    qs = (
        _station_cases(period)
        .filter(opened_on__lt=period.end_day)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=period.end_day))
    )
    return grouped(qs, "station_id", "person__community_id", Count("pk"))


@metric("cases.closed_cases", label=_("cases closed"), unit="个", platform=PLATFORM, order=22, kind="count")
def closed_cases(period):
    qs = _station_cases(period).filter(closed_on__gte=period.first_day, closed_on__lt=period.end_day)
    return grouped(qs, "station_id", "person__community_id", Count("pk"))


@metric("cases.case_sessions", label=_("case sessions"), unit="节", platform=PLATFORM, order=23, kind="count")
def case_sessions(period):
    qs = CaseSession.objects.filter(
        case__station_id__in=period.station_ids, held_on__gte=period.first_day, held_on__lt=period.end_day
    )
    return grouped(qs, "case__station_id", "case__person__community_id", Count("pk"))


def _group_sessions(period):
    return GroupSession.objects.filter(
        group__station_id__in=period.station_ids,
        activity__starts_at__gte=period.start,
        activity__starts_at__lt=period.end,
    )


@metric("cases.groups", label=_("groups meeting"), unit="组", platform=PLATFORM, order=30, kind="distinct")
def groups(period):
    """Groups that held at least one session in the month."""
    return grouped(
        _group_sessions(period), "group__station_id", "group__community_id", Count("group", distinct=True)
    )


@metric(
    "cases.group_sessions", label=_("group sessions"), unit="节", platform=PLATFORM, order=31, kind="count"
)
def group_sessions(period):
    return grouped(_group_sessions(period), "group__station_id", "group__community_id", Count("pk"))


def _group_attendance(period):
    return Attendance.objects.filter(
        activity__platform=Activity.Platform.CASEWORK,
        activity__kind="group_session",
        activity__station_id__in=period.station_ids,
        activity__starts_at__gte=period.start,
        activity__starts_at__lt=period.end,
    )


@metric(
    "cases.group_participants",
    label=_("group participants"),
    unit="人",
    platform=PLATFORM,
    additive=False,
    order=32,
    kind="distinct",
)
def group_participants(period):
    """Distinct people named in group sessions (by the session's community), plus the station-wide total."""
    attendance = _group_attendance(period)
    result = grouped(
        attendance, "activity__station_id", "activity__community_id", Count("person", distinct=True)
    )
    totals = per_station(attendance, "activity__station_id", Count("person", distinct=True))
    return add_totals(result, period, totals, always=True)


@metric(
    "cases.group_person_times",
    label=_("group person-times"),
    unit="人次",
    platform=PLATFORM,
    order=33,
    kind="count",
)
def group_person_times(period):
    """Named attendance plus the anonymous head-counts of group sessions."""
    result = grouped(_group_attendance(period), "activity__station_id", "activity__community_id", Count("pk"))
    activities = Activity.objects.filter(group_session__in=_group_sessions(period))
    for key, headcount in grouped(
        activities, "group_session__group__station_id", "community_id", Sum("headcount")
    ).items():
        result[key] = result.get(key, 0) + (headcount or 0)
    return result


def _needs(period):
    return Need.objects.filter(person__community__station_id__in=period.station_ids)


@metric("cases.needs_raised", label=_("needs raised"), unit="个", platform=PLATFORM, order=40, kind="count")
def needs_raised(period):
    qs = _needs(period).filter(raised_at__gte=period.start, raised_at__lt=period.end)
    return grouped(qs, PERSON_STATION, "person__community_id", Count("pk"))


@metric("cases.needs_met", label=_("needs met"), unit="个", platform=PLATFORM, order=41, kind="count")
def needs_met(period):
    qs = _needs(period).filter(
        status=Need.Status.MET, resolved_at__gte=period.start, resolved_at__lt=period.end
    )
    return grouped(qs, PERSON_STATION, "person__community_id", Count("pk"))


@metric(
    "cases.visited_in_month",
    kind="share",
    label=_("watched people visited in the month"),
    unit="%",
    platform=PLATFORM,
    additive=False,
    order=14,
)
def visited_in_month(period):
    """Share of watched people with a visit of any kind in the month (``plan.VISITED_DEFINITION``)."""
    return _share_of_watched(period, "visited")


# Households (户). A home visit is to the visited person's household (``station.selectors.household_of``);
# someone not registered in a household counts as a household of their own. Two members visited on one day
# are one 户次. Membership is today's: a person who moved is counted with their present household.


def _household_key(person_id, household_id):
    return ("household", household_id) if household_id else ("person", person_id)


def _home_visit_households(period) -> dict:
    """{(household key, visited_on): (station_id, community_id)} for the month's home visits, in one query."""
    rows = _visits(period, Visit.Kind.HOME).values_list(
        "person_id",
        "person__household_membership__household_id",
        "visited_on",
        "person__community__station_id",
        "person__community_id",
    )
    return {(_household_key(p, h), day): (station, community) for p, h, day, station, community in rows}


@metric(
    "cases.household_home_visits",
    kind="count",
    label=_("home visits to households (household-visits)"),
    unit="户次",
    platform=PLATFORM,
    order=15,
)
def household_home_visits(period):
    """户次: each household visited at home on a day, however many of its members were seen."""
    return count_distinct(_home_visit_households(period).items())


@metric(
    "cases.households_home_visited",
    kind="distinct",
    label=_("households visited at home (distinct)"),
    unit="户",
    platform=PLATFORM,
    order=16,
    cumulative=False,  # distinct households in the month: never added up across months
)
def households_home_visited(period):
    """户: distinct households with a home visit in the month (a household lives in one community)."""
    households = {key: community for (key, _day), community in _home_visit_households(period).items()}
    return count_distinct(households.items())


@metric(
    "cases.households_first_visited",
    kind="count",
    label=_("households visited at home for the first time"),
    unit="户",
    platform=PLATFORM,
    order=17,
)
def households_first_visited(period):
    """户: households whose first home visit ever falls in the month (summable: a household is new once)."""
    households = {key: community for (key, _day), community in _home_visit_households(period).items()}
    if not households:
        return {}
    ids = [value for kind, value in households if kind == "household"]
    people = [value for kind, value in households if kind == "person"]
    earlier = Visit.objects.filter(kind=Visit.Kind.HOME, visited_on__lt=period.first_day).filter(
        Q(person__household_membership__household_id__in=ids) | Q(person_id__in=people)
    )
    seen = {
        _household_key(p, h)
        for p, h in earlier.values_list("person_id", "person__household_membership__household_id")
    }
    return count_distinct((key, c) for key, c in households.items() if key not in seen)
