"""Monthly metrics of the party-building platform, per community (contract: stats/registry.py).

A member belongs to one community (their person's). Courses are station-wide (community None).
"""

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from station.aggregates import add_totals, grouped, per_station, sum_totals
from station.models import Activity, Attendance, Need
from stats.registry import metric

from .models import (
    CourseAttendance,
    CourseSession,
    MemberReport,
    PostHolder,
    PostHours,
    QuarterlySheet,
    UnitReport,
)

PLATFORM = "partybuild"
MEMBER_COMMUNITY = "member__person__community_id"


PERSON_STATION = "person__community__station_id"


@metric(
    "partybuild.members_reported",
    label=_("members newly reporting"),
    unit="人",
    platform=PLATFORM,
    order=10,
    kind="count",
)
def members_reported(period):
    qs = MemberReport.objects.filter(
        community__station_id__in=period.station_ids,
        submitted_on__gte=period.first_day,
        submitted_on__lt=period.end_day,
    )
    return grouped(qs, "community__station_id", "community_id", Count("member", distinct=True))


def _active_at_month_end(period):
    return MemberReport.objects.filter(
        community__station_id__in=period.station_ids, active_from__lt=period.end_day
    ).filter(Q(lapsed_on__isnull=True) | Q(lapsed_on__gte=period.end_day))


@metric(
    "partybuild.members_active",
    label=_("reporting members active at month end"),
    unit="人",
    platform=PLATFORM,
    additive=False,
    order=11,
    kind="state",
)
def members_active(period):
    qs = _active_at_month_end(period)
    rows = grouped(qs, "community__station_id", "community_id", Count("member", distinct=True))
    return sum_totals(rows, period)


@metric(
    "partybuild.units_reporting",
    label=_("units reporting at month end"),
    unit="个",
    platform=PLATFORM,
    additive=False,
    order=20,
    kind="state",
)
def units_reporting(period):
    qs = UnitReport.objects.filter(community__station_id__in=period.station_ids, signed_on__lt=period.end_day)
    rows = grouped(qs, "community__station_id", "community_id", Count("unit", distinct=True))
    return add_totals(rows, period, per_station(qs, "community__station_id", Count("unit", distinct=True)))


def _hours(period):
    return PostHours.objects.filter(
        holder__post__station_id__in=period.station_ids,
        served_on__gte=period.first_day,
        served_on__lt=period.end_day,
    )


@metric(
    "partybuild.service_hours",
    label=_("members' service hours on posts"),
    unit="小时",
    platform=PLATFORM,
    order=30,
    kind="count",
)
def service_hours(period):
    rows = grouped(
        _hours(period), "holder__post__station_id", "holder__member__person__community_id", Sum("hours")
    )
    return {k: float(v) for k, v in rows.items()}


def _member_needs(period, status_field):
    from .selectors import member_content_type

    return Need.objects.filter(
        person__community__station_id__in=period.station_ids,
        taker_type=member_content_type(),
        **{f"{status_field}__gte": period.start, f"{status_field}__lt": period.end},
    )


@metric(
    "partybuild.service_person_times",
    label=_("members' service person-times"),
    unit="人次",
    platform=PLATFORM,
    order=31,
    kind="count",
)
def service_person_times(period):
    """Days served on posts plus needs met by members (party days count below)."""
    result = grouped(
        _hours(period), "holder__post__station_id", "holder__member__person__community_id", Count("pk")
    )
    met = _member_needs(period, "resolved_at").filter(status=Need.Status.MET)
    for key, n in grouped(met, PERSON_STATION, "person__community_id", Count("pk")).items():
        result[key] = result.get(key, 0) + n
    return result


@metric(
    "partybuild.posts_filled",
    label=_("service posts filled"),
    unit="人次",
    platform=PLATFORM,
    order=40,
    kind="count",
)
def posts_filled(period):
    qs = PostHolder.objects.filter(
        post__station_id__in=period.station_ids,
        started_on__gte=period.first_day,
        started_on__lt=period.end_day,
    )
    return grouped(qs, "post__station_id", "post__community_id", Count("pk"))


@metric(
    "partybuild.needs_taken",
    label=_("needs taken by members"),
    unit="个",
    platform=PLATFORM,
    order=50,
    kind="count",
)
def needs_taken(period):
    return grouped(_member_needs(period, "taken_at"), PERSON_STATION, "person__community_id", Count("pk"))


@metric(
    "partybuild.needs_met",
    label=_("needs met by members"),
    unit="个",
    platform=PLATFORM,
    order=51,
    kind="count",
)
def needs_met(period):
    qs = _member_needs(period, "resolved_at").filter(status=Need.Status.MET)
    return grouped(qs, PERSON_STATION, "person__community_id", Count("pk"))


def _party_days(period):
    return Activity.objects.filter(
        station_id__in=period.station_ids,
        platform=Activity.Platform.PARTYBUILD,
        kind="party_day",
        starts_at__gte=period.start,
        starts_at__lt=period.end,
    )


@metric(
    "partybuild.party_days",
    label=_("themed party days held"),
    unit="次",
    platform=PLATFORM,
    order=60,
    kind="count",
)
def party_days(period):
    return grouped(_party_days(period), "station_id", "community_id", Count("pk"))


@metric(
    "partybuild.party_day_person_times",
    label=_("themed party day person-times"),
    unit="人次",
    platform=PLATFORM,
    order=61,
    kind="count",
)
def party_day_person_times(period):
    """Named attendance plus the anonymous head-count, by the party day's community."""
    named = Attendance.objects.filter(activity__in=_party_days(period))
    result = grouped(named, "activity__station_id", "activity__community_id", Count("pk"))
    for key, headcount in grouped(
        _party_days(period), "station_id", "community_id", Sum("headcount")
    ).items():
        if headcount:
            result[key] = result.get(key, 0) + headcount
    return result


@metric(
    "partybuild.course_sessions",
    label=_("two-way course sessions"),
    unit="节",
    platform=PLATFORM,
    order=70,
    kind="count",
)
def course_sessions(period):
    qs = CourseSession.objects.filter(
        course__station_id__in=period.station_ids, held_on__gte=period.first_day, held_on__lt=period.end_day
    )
    return {(s, None): n for s, n in per_station(qs, "course__station_id", Count("pk")).items() if n}


@metric(
    "partybuild.study_hours",
    label=_("study hours attended"),
    unit="学时",
    platform=PLATFORM,
    order=71,
    kind="count",
)
def study_hours(period):
    """Each attendance counts its session's study hours, by the attendee's community."""
    qs = CourseAttendance.objects.filter(
        session__course__station_id__in=period.station_ids,
        session__held_on__gte=period.first_day,
        session__held_on__lt=period.end_day,
    )
    rows = grouped(qs, "session__course__station_id", "person__community_id", Sum(F("session__study_hours")))
    return {k: float(v) for k, v in rows.items()}


@metric(
    "partybuild.sheets_sent",
    label=_("quarterly sheets sent to units"),
    unit="个",
    platform=PLATFORM,
    order=80,
    kind="count",
)
def sheets_sent(period):
    """A member's sheet counts in the member's community; a unit's sheet station-wide (None)."""
    qs = QuarterlySheet.objects.filter(
        station_id__in=period.station_ids, sent_on__gte=period.first_day, sent_on__lt=period.end_day
    )
    return grouped(qs, "station_id", MEMBER_COMMUNITY, Count("pk"))
