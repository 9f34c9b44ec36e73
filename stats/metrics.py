"""The station's own monthly metrics, read from the shared service ledger (Activity and Attendance, whose
per-person monthly sums the database keeps as Participation).

People are counted by the community they live in (their home community), so distinct-people figures add up
across communities; they cannot be summed across months (``kind=DISTINCT``: over a range they are counted from
the records). Registered residents are a state at the month's end: those registered by then (or on the
register from the start, with no date) who had not moved out.

Community activities (社区活动) are the ledger's activities that are not a session of a group (a casework
group's session, a study group's session): those count as 小组活动 on their own platforms.
"""

from collections import Counter, defaultdict

from django.db.models import BooleanField, Case, Count, ExpressionWrapper, F, Q, Sum, When
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from station.aggregates import count_distinct, count_groups
from station.models import Activity, Community, Participation, Person

from .registry import COUNT, DISTINCT, STATE, metric

Platform = Activity.Platform
Residency = Person.Residency


def _activities(period):
    return Activity.objects.filter(
        station_id__in=period.station_ids, starts_at__gte=period.start, starts_at__lt=period.end
    )


def _memo(period, name, compute):
    """A pass shared by several metrics of one rollup (a period of several stations lives for one rollup);
    a single station's period computes it afresh each time."""
    if not period.several:
        return compute()
    memo = period.__dict__.setdefault("_passes", {})
    if name not in memo:
        memo[name] = compute()
    return memo[name]


def _activity_pass(period) -> dict:
    """One pass over the month's activities, grouped by station, community, platform and whether the activity
    is a group's session: per (station, community) the count ("n:...") and the 人次 ("t:...": named
    attendance, which the database keeps on each activity (``station.named_attendance``), plus the anonymous
    head-count) of all activities (""), of each platform and of the community activities ("community")."""
    rows = (
        _activities(period)
        .annotate(in_group=ExpressionWrapper(GROUP_SESSION, output_field=BooleanField()))
        .order_by()
        .values("station_id", "community_id", "platform", "in_group")
        .annotate(n=Count("pk"), t=Sum(F("named_count") + F("headcount")))
    )
    result = defaultdict(Counter)
    for r in rows:
        key = (r["station_id"], r["community_id"])
        for name in ("", r["platform"], *(() if r["in_group"] else ("community",))):
            result[f"n:{name}"][key] += r["n"]
            result[f"t:{name}"][key] += r["t"] or 0
    return result


def activity_figure(period, name):
    return dict(_memo(period, "activities", lambda: _activity_pass(period)).get(name, {}))


def _people_pass(period) -> dict:
    """One pass over the period's participation (each person's attendance per station, month and platform,
    which the database keeps: ``station.participation``), one row per station and person (in SQL), counted per
    (station, home community): distinct people in all ("all"), by platform ("platform:..."), by residency
    ("residency:..."), those on two or more platforms ("multi") and those whose first attendance ever is in the
    period ("first", from ``Person.first_attended_at``); and the named attendance of each residency
    ("times:...")."""
    if period.first_day.day != 1 or period.end_day.day != 1:
        raise ValueError(f"people are counted by whole months, not {period.first_day}–{period.end_day}")
    per_person = {
        "times": Sum("times"),
        "first": Count("platform", filter=Q(person__first_attended_at__gte=period.start)),
    }
    at_least = {"all": ("times", 1), "multi": ("platforms", 2), "first": ("first", 1)}
    for platform in Platform.values:
        per_person[platform] = Count("platform", filter=Q(platform=platform))
        at_least[f"platform:{platform}"] = (platform, 1)
    # How many platforms, from the counts per platform (a COUNT(DISTINCT) would sort every person's rows).
    platforms = sum(Case(When(**{f"{p}__gt": 0}, then=1), default=0) for p in Platform.values)
    keys = ["station_id", "person__community_id", "person__residency"]
    people = (
        Participation.objects.filter(
            station_id__in=period.station_ids, month__gte=period.first_day, month__lt=period.end_day
        )
        .order_by()
        .values(*keys, "person_id")
        .annotate(**per_person)
        .annotate(platforms=platforms)
    )
    result = defaultdict(Counter)
    for (station_id, community_id, residency), figures in count_groups(
        people, keys, at_least, sums={"times": "times"}
    ).items():
        key = (station_id, community_id)
        figures[f"residency:{residency}"] = figures["all"]
        figures[f"times:{residency}"] = figures.pop("times")
        for name, value in figures.items():
            if value:
                result[name][key] += value
    return result


def people_in(period, name):
    return dict(_memo(period, "people", lambda: _people_pass(period)).get(name, {}))


GROUP_SESSION = Q(kind="group_session") | Q(group_session__isnull=False) | Q(study_session__isnull=False)


@metric(
    "station.activities",
    label=_("activities in the service ledger (all kinds)"),
    unit="场",
    platform="station",
    order=10,
    headline=True,
    kind=COUNT,
)
def activities(period):
    return activity_figure(period, "n:")


@metric(
    "station.person_times",
    label=_("person-times served (all activities)"),
    unit="人次",
    platform="station",
    order=20,
    headline=True,
    kind=COUNT,
)
def person_times(period):
    return activity_figure(period, "t:")


@metric(
    "station.people_served",
    label=_("people served (all activities)"),
    unit="人",
    platform="station",
    order=30,
    headline=True,
    kind=DISTINCT,
)
def people_served(period):
    return people_in(period, "all")


@metric(
    "station.community_activities",
    label=_("community activities"),
    unit="场",
    platform="station",
    order=11,
    kind=COUNT,
)
def community_activities(period):
    return activity_figure(period, "n:community")


@metric(
    "station.community_person_times",
    label=_("community activities: person-times"),
    unit="人次",
    platform="station",
    order=21,
    kind=COUNT,
)
def community_person_times(period):
    return activity_figure(period, "t:community")


def _register_platform(platform, label, order):
    @metric(
        f"station.activities.{platform}",
        label=format_lazy("{}·{}", label, _("activities")),
        unit="场",
        platform=platform,
        order=order,
        kind=COUNT,
    )
    def platform_activities(period):
        return activity_figure(period, f"n:{platform}")

    @metric(
        f"station.person_times.{platform}",
        label=format_lazy("{}·{}", label, _("person-times served")),
        unit="人次",
        platform=platform,
        order=order + 1,
        kind=COUNT,
    )
    def platform_person_times(period):
        return activity_figure(period, f"t:{platform}")

    @metric(
        f"station.people_served.{platform}",
        label=format_lazy("{}·{}", label, _("people served")),
        unit="人",
        platform=platform,
        order=order + 2,
        kind=DISTINCT,
    )
    def platform_people(period):
        return people_in(period, f"platform:{platform}")


for _platform, _label in Platform.choices:
    if _platform != Platform.STATION:
        _register_platform(_platform, _label, order=1)


# Participation: who takes part, the seed's central problem.

PARTICIPATION = [
    (Residency.RESETTLED, _("participants: resettled villagers")),
    (Residency.TENANT, _("participants: tenants")),
    (Residency.OTHER, _("participants: others")),
]
PERSON_TIMES = {
    Residency.RESETTLED: _("person-times of resettled villagers"),
    Residency.TENANT: _("person-times of tenants"),
    Residency.OTHER: _("person-times of other residents"),
}
POPULATION = [
    (Residency.RESETTLED, _("registered residents: resettled villagers")),
    (Residency.TENANT, _("registered residents: tenants")),
    (Residency.OTHER, _("registered residents: others")),
]


def _register_residency(residency, label, population_label, order):
    @metric(
        f"station.participants.{residency}",
        label=label,
        unit="人",
        platform="station",
        order=order,
        kind=DISTINCT,
    )
    def participants(period):
        return people_in(period, f"residency:{residency}")

    @metric(
        f"station.registered.{residency}",
        label=population_label,
        unit="人",
        platform="station",
        order=order + 10,
        kind=STATE,
    )
    def registered(period):
        return dict(_memo(period, "registered", lambda: _registered_pass(period)).get(residency, {}))

    @metric(
        f"station.participant_times.{residency}",
        label=PERSON_TIMES[residency],
        unit="人次",
        platform="station",
        order=order + 5,
        kind=COUNT,
    )
    def person_times_by_residency(period):
        """Named attendance of people of this residency (anonymous head-counts have none)."""
        return people_in(period, f"times:{residency}")


def _registered_pass(period) -> dict:
    """Registered residents at the period's end per residency and (station, community), in one query that
    reads the index on a person's community, residency and register dates (``person_register``) community by
    community, so a rollup of a few stations reads only their people."""
    station_of = dict(
        Community.objects.filter(station_id__in=period.station_ids).values_list("pk", "station_id")
    )
    result = defaultdict(dict)
    for community_id, residency, n in (
        registered_at_end(station_of.keys(), period.end_day)
        .order_by()
        .values("community_id", "residency")
        .annotate(n=Count("residency"))  # a column of the index: the count needs no table row
        .values_list("community_id", "residency", "n")
    ):
        result[residency][(station_of[community_id], community_id)] = n
    return result


def registered_at_end(community_ids, end_day):
    """People on the communities' register on the day before end_day: registered by then (or with no date, on
    it from the start) and not moved out."""
    return Person.objects.filter(community_id__in=list(community_ids)).filter(
        Q(registered_on__isnull=True) | Q(registered_on__lt=end_day),
        Q(moved_out_on__isnull=True) | Q(moved_out_on__gte=end_day),
    )


for _i, ((_res, _plabel), (_res2, _rlabel)) in enumerate(zip(PARTICIPATION, POPULATION, strict=True)):
    _register_residency(_res, _plabel, _rlabel, order=40 + _i)


@metric(
    "station.first_time_participants",
    label=_("first-time participants (first attendance ever)"),
    unit="人",
    platform="station",
    order=70,
    kind=DISTINCT,
)
def first_time_participants(period):
    """People whose first recorded attendance anywhere falls in the month (summable across months), read from
    each person's first attendance, which the database keeps (``station.first_attendance``)."""
    return people_in(period, "first")


@metric(
    "station.multi_platform_people",
    label=_("people taking part on two or more platforms"),
    unit="人",
    platform="station",
    order=80,
    kind=DISTINCT,
)
def multi_platform_people(period):
    return people_in(period, "multi")


# 低保 (low-income) households and people on the month's last day, from the designations and the household
# register: a state at the month's end, never added up across months. Someone not registered in a household
# counts as a household of their own.


def _low_income_at_month_end(period):
    from datetime import timedelta

    from django.db.models import Q

    from station.models import Designation

    last_day = period.end_day - timedelta(days=1)
    return (
        Designation.objects.filter(
            person__community__station_id__in=period.station_ids,
            kind=Designation.Kind.LOW_INCOME,
            start_date__lte=last_day,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=last_day))
        .values_list(
            "person_id",
            "person__household_membership__household_id",
            "person__community__station_id",
            "person__community_id",
        )
        .distinct()
    )


@metric(
    "station.low_income_households",
    kind=STATE,
    label=_("low-income (dibao) households at month end"),
    unit="户",
    platform="station",
    order=90,
    cumulative=False,  # a state at the month's end
)
def low_income_households(period):
    rows = _memo(period, "low_income", lambda: list(_low_income_at_month_end(period)))
    return count_distinct(((("household", h) if h else ("person", p)), (s, c)) for p, h, s, c in rows)


@metric(
    "station.low_income_people",
    kind=STATE,
    label=_("low-income (dibao) people at month end"),
    unit="人",
    platform="station",
    order=91,
    cumulative=False,  # a state at the month's end
)
def low_income_people(period):
    rows = _memo(period, "low_income", lambda: list(_low_income_at_month_end(period)))
    return count_distinct((p, (s, c)) for p, _h, s, c in rows)
