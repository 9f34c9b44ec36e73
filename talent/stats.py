"""Monthly metrics of the talent platform, per community (the person's community; station-wide rows under None).

Counts of people on post, members and holders are states at the month's end: not summed across months.
"""

from datetime import timedelta

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from station.aggregates import grouped, per_station, sum_totals
from stats.registry import metric

from .models import (
    CEHours,
    ExamAttempt,
    ExamLevel,
    MentoringPair,
    Registration,
    StudyGroupMember,
    StudySession,
    SupervisionSession,
    TalentProfile,
)

PLATFORM = "talent"
VALID = ("completed", "issued")


PERSON_STATION = "person__community__station_id"


def _with_total(period, qs, station, field, person_field) -> dict:
    """Distinct people per community plus the station's figure under "total", from one grouped query."""
    result = grouped(qs, station, field, Count(person_field, distinct=True))
    return sum_totals(result, period, always=True)  # each person lives in one community


@metric(
    "talent.social_workers_trained",
    label=_("local social workers cultivated"),
    unit="人",
    platform=PLATFORM,
    order=10,
    kind="count",
)
def social_workers_trained(period):
    """本土社工: counted once, in the month it first became true (talent.rules.local_social_worker_on)."""
    qs = TalentProfile.objects.filter(
        person__community__station_id__in=period.station_ids,
        local_counted_on__gte=period.first_day,
        local_counted_on__lt=period.end_day,
    )
    return grouped(qs, PERSON_STATION, "person__community_id", Count("pk"))


def _on_post(period, role, since_field):
    last = period.end_day - timedelta(days=1)
    return TalentProfile.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gt=last),
        person__community__station_id__in=period.station_ids,
        team_role=role,
        **{f"{since_field}__lte": last} if since_field else {},
    )


@metric(
    "talent.full_time_on_post",
    label=_("full-time social workers on post"),
    unit="人",
    platform=PLATFORM,
    additive=False,
    order=20,
    kind="state",
)
def full_time_on_post(period):
    qs = _on_post(period, TalentProfile.TeamRole.FULL_TIME, None).filter(created_at__lt=period.end)
    return _with_total(period, qs, PERSON_STATION, "person__community_id", "person_id")


@metric(
    "talent.part_time_on_post",
    label=_("part-time social workers on post"),
    unit="人",
    platform=PLATFORM,
    additive=False,
    order=21,
    kind="state",
)
def part_time_on_post(period):
    qs = _on_post(period, TalentProfile.TeamRole.PART_TIME, "part_time_since")
    return _with_total(period, qs, PERSON_STATION, "person__community_id", "person_id")


@metric(
    "talent.study_group_members",
    label=_("study-group members"),
    unit="人",
    platform=PLATFORM,
    additive=False,
    order=30,
    kind="state",
)
def study_group_members(period):
    last = period.end_day - timedelta(days=1)
    qs = StudyGroupMember.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gt=last),
        group__station_id__in=period.station_ids,
        joined_on__lte=last,
    )
    return _with_total(period, qs, "group__station_id", "person__community_id", "person_id")


def _sessions(period):
    return StudySession.objects.filter(
        group__station_id__in=period.station_ids,
        activity__starts_at__gte=period.start,
        activity__starts_at__lt=period.end,
    )


@metric(
    "talent.study_sessions",
    label=_("study-group sessions"),
    unit="场",
    platform=PLATFORM,
    order=31,
    kind="count",
)
def study_sessions(period):
    return grouped(_sessions(period), "group__station_id", "activity__community_id", Count("pk"))


@metric(
    "talent.study_person_times",
    label=_("study-group person-times"),
    unit="人次",
    platform=PLATFORM,
    order=32,
    kind="count",
)
def study_person_times(period):
    """Named attendance plus head-counts of the sessions in the month."""
    return grouped(
        _sessions(period),
        "group__station_id",
        "activity__community_id",
        Sum(F("activity__named_count") + F("activity__headcount")),
    )


@metric(
    "talent.exam_candidates",
    label=_("exam candidates"),
    unit="人",
    platform=PLATFORM,
    additive=False,
    order=40,
    kind="distinct",
)
def exam_candidates(period):
    """Candidates of the exam held in the month."""
    qs = ExamAttempt.objects.filter(
        person__community__station_id__in=period.station_ids,
        exam_year__exam_starts__gte=period.first_day,
        exam_year__exam_starts__lt=period.end_day,
    )
    return _with_total(period, qs, PERSON_STATION, "person__community_id", "person_id")


def _passes(level_code):
    def compute(period):
        qs = ExamAttempt.objects.filter(
            person__community__station_id__in=period.station_ids,
            level__code=level_code,
            result=ExamAttempt.Result.PASSED,
            exam_year__results_on__gte=period.first_day,
            exam_year__results_on__lt=period.end_day,
        )
        return grouped(qs, PERSON_STATION, "person__community_id", Count("person_id", distinct=True))

    return compute


METRIC_PASSES = {}
for _order, (_code, _label) in enumerate(
    [
        (ExamLevel.Code.ASSISTANT, _("passed: assistant social worker")),
        (ExamLevel.Code.INTERMEDIATE, _("passed: social worker")),
        (ExamLevel.Code.SENIOR, _("passed: senior social worker")),
    ]
):
    METRIC_PASSES[_code] = metric(
        f"talent.passes_{_code}", label=_label, unit="人", platform=PLATFORM, order=41 + _order, kind="count"
    )(_passes(_code))


@metric(
    "talent.certificate_holders",
    label=_("certificate holders"),
    unit="人",
    platform=PLATFORM,
    additive=False,
    order=50,
    kind="state",
)
def certificate_holders(period):
    from .models import Certificate

    last = period.end_day - timedelta(days=1)
    qs = Certificate.objects.filter(
        person__community__station_id__in=period.station_ids, year_passed__lte=last.year
    )
    return _with_total(period, qs, PERSON_STATION, "person__community_id", "person_id")


@metric(
    "talent.registrations_due",
    label=_("registrations due"),
    unit="个",
    platform=PLATFORM,
    order=51,
    kind="count",
)
def registrations_due(period):
    """Registrations expiring in the month: their holders must have re-registered by then."""
    qs = Registration.objects.filter(
        certificate__person__community__station_id__in=period.station_ids,
        status__in=VALID,
        valid_until__gte=period.first_day,
        valid_until__lt=period.end_day,
    )
    return grouped(
        qs, "certificate__person__community__station_id", "certificate__person__community_id", Count("pk")
    )


@metric(
    "talent.ce_hours",
    label=_("continuing-education hours"),
    unit="学时",
    platform=PLATFORM,
    order=60,
    kind="count",
)
def ce_hours(period):
    qs = CEHours.objects.filter(
        person__community__station_id__in=period.station_ids,
        completed_on__gte=period.first_day,
        completed_on__lt=period.end_day,
    )
    return {k: float(v) for k, v in grouped(qs, PERSON_STATION, "person__community_id", Sum("hours")).items()}


def _supervision(period):
    return SupervisionSession.objects.filter(
        station_id__in=period.station_ids, held_on__gte=period.first_day, held_on__lt=period.end_day
    )


@metric(
    "talent.supervision_sessions",
    label=_("supervision sessions"),
    unit="次",
    platform=PLATFORM,
    order=70,
    kind="count",
)
def supervision_sessions(period):
    totals = per_station(_supervision(period), "station_id", Count("pk"))
    return {(s, None): n for s, n in totals.items() if n}


@metric(
    "talent.supervision_hours",
    label=_("supervision hours"),
    unit="小时",
    platform=PLATFORM,
    order=71,
    kind="count",
)
def supervision_hours(period):
    totals = per_station(_supervision(period), "station_id", Sum("hours"))
    return {(s, None): float(h) for s, h in totals.items() if h}


@metric(
    "talent.mentoring_pairs_active",
    label=_("mentoring pairs active"),
    unit="组",
    platform=PLATFORM,
    additive=False,
    order=80,
    kind="distinct",
)
def mentoring_pairs_active(period):
    last = period.end_day - timedelta(days=1)
    qs = MentoringPair.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=period.first_day),
        station_id__in=period.station_ids,
        starts_on__lte=last,
    )
    return sum_totals(grouped(qs, "station_id", "mentee__community_id", Count("pk")), period, always=True)
