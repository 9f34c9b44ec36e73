"""Monthly metrics of the incubation platform, per community (the organisation's home community, or the
activity's community).

Organisation-led activities and trainings are ``station.Activity`` rows of platform "orgs": the station's own
metrics (``station.person_times``) already count every one of them once. The figures here are the orgs
platform's share of that total, never added to it a second time.

Counts of organisations are states at the month's end: ``additive=False`` with the station's figure under
"total", and ``cumulative=False``; so are members and leaders who came from volunteers (distinct people).
"""

from django.conf import settings
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from station.aggregates import add_totals, grouped, per_station, sum_totals
from station.models import Attendance
from stats.registry import metric
from volunteers import selectors as volunteer_selectors

from .models import CommunityOrg, Membership, OrgActivity, StageMove

PLATFORM = "orgs"


def _with_total(period, rows: dict) -> dict:
    return sum_totals({key: value or 0 for key, value in rows.items()}, period, always=True)


def _orgs_at_end(period):
    """Organisations that existed at the month's end (founded, or recorded, before it)."""
    return CommunityOrg.objects.filter(station_id__in=period.station_ids).filter(
        Q(founded_on__lt=period.end_day) | Q(founded_on__isnull=True, created_at__lt=period.end)
    )


def _count_by_community(period, qs, filters=None):
    return _with_total(period, grouped(qs.filter(filters or Q()), "station_id", "community_id", Count("pk")))


def _tier_q(tier, end_day):
    registered = Q(tier=CommunityOrg.Tier.REGISTERED, registered_on__lt=end_day)
    filed = Q(filed_on__lt=end_day) & ~registered
    if tier == CommunityOrg.Tier.REGISTERED:
        return registered
    if tier == CommunityOrg.Tier.FILED:
        return filed
    return ~registered & ~filed


def _register_tier(tier, label, order):
    @metric(f"orgs.tier_{tier}", label=label, unit="个", platform=PLATFORM, order=order, additive=False,
            cumulative=False, kind="state")  # fmt: skip
    def by_tier(period):
        return _count_by_community(period, _orgs_at_end(period), _tier_q(tier, period.end_day))


def _register_category(key, label, order):
    @metric(f"orgs.category_{key}", label=label, unit="个", platform=PLATFORM, order=order, additive=False,
            cumulative=False, kind="state")  # fmt: skip
    def by_category(period):
        return _count_by_community(period, _orgs_at_end(period), Q(category=key))


_TIER_LABELS = {
    CommunityOrg.Tier.LOOSE: _("organisations: loose groups"),
    CommunityOrg.Tier.FILED: _("organisations: filed with the street"),
    CommunityOrg.Tier.REGISTERED: _("organisations: registered with civil affairs"),
}
for _i, (_tier, _label) in enumerate(_TIER_LABELS.items()):
    _register_tier(_tier, _label, 10 + _i)
for _i, (_key, _label) in enumerate(settings.ORGS_CATEGORIES):
    _register_category(_key, _label, 20 + _i)


@metric(
    "orgs.newly_filed",
    label=_("organisations newly filed"),
    unit="个",
    platform=PLATFORM,
    order=30,
    kind="count",
)
def newly_filed(period):
    qs = CommunityOrg.objects.filter(
        station_id__in=period.station_ids, filed_on__gte=period.first_day, filed_on__lt=period.end_day
    )
    return grouped(qs, "station_id", "community_id", Count("pk"))


def _stage_order_at_end(period):
    """Each organisation in incubation at the month's end, annotated with its stage's order then."""
    last_stage = (
        StageMove.objects.filter(org=OuterRef("pk"), moved_at__lt=period.end, to_stage__isnull=False)
        .order_by("-moved_at", "-pk")
        .values("to_stage__order")[:1]
    )
    started = StageMove.objects.filter(org=OuterRef("pk"), kind=StageMove.Kind.START, moved_at__lt=period.end)
    return (
        CommunityOrg.objects.filter(station_id__in=period.station_ids)
        .filter(Exists(started))
        .filter(Q(incubation_ended_on__isnull=True) | Q(incubation_ended_on__gte=period.end_day))
        .annotate(stage_order=Subquery(last_stage, output_field=IntegerField()))
    )


@metric("orgs.in_incubation", label=_("organisations in incubation"), unit="个", platform=PLATFORM, order=40,
        additive=False, cumulative=False, kind="state")  # fmt: skip
def in_incubation(period):
    return _count_by_community(period, _stage_order_at_end(period))


def _register_stage(order, name):
    @metric(f"orgs.in_stage_{order}", label=format_lazy("{}{}", _("in incubation: "), name), unit="个",
            platform=PLATFORM, order=40 + order, additive=False, cumulative=False, kind="state")  # fmt: skip
    def in_stage(period):
        return _count_by_community(period, _stage_order_at_end(period), Q(stage_order=order))


for _order, (_name, _items, _graduates) in enumerate(settings.ORGS_DEFAULT_STAGES, start=1):
    if not _graduates:
        _register_stage(_order, _name)


@metric("orgs.organisations_incubated", label=_("organisations incubated (graduated)"), unit="支",
        platform=PLATFORM, order=50, additive=False, cumulative=False, kind="state")  # fmt: skip
def organisations_incubated(period):
    return _count_by_community(
        period,
        CommunityOrg.objects.filter(
            station_id__in=period.station_ids,
            incubation=CommunityOrg.Incubation.GRADUATED,
            incubation_ended_on__lt=period.end_day,
        ),
    )


def _org_activities(period, **filters):
    return OrgActivity.objects.filter(
        activity__station_id__in=period.station_ids,
        activity__starts_at__gte=period.start,
        activity__starts_at__lt=period.end,
        **filters,
    )


def _count(period, **filters):
    return grouped(
        _org_activities(period, **filters), "activity__station_id", "activity__community_id", Count("pk")
    )


def _person_times(period, **filters):
    named = (
        Attendance.objects.filter(activity=OuterRef("activity_id"))
        .order_by()
        .values("activity")
        .annotate(c=Count("pk"))
        .values("c")
    )
    activities = _org_activities(period, **filters).annotate(
        named=Coalesce(Subquery(named, output_field=IntegerField()), Value(0))
    )
    rows = grouped(
        activities,
        "activity__station_id",
        "activity__community_id",
        Sum(F("named") + F("activity__headcount")),
    )
    return {key: value or 0 for key, value in rows.items()}


LED = {"role": OrgActivity.Role.PROVIDER, "kind": OrgActivity.Kind.SERVICE}
TRAINING = {"kind": OrgActivity.Kind.TRAINING}


@metric(
    "orgs.led_activities",
    label=_("organisation-led activities"),
    unit="场",
    platform=PLATFORM,
    order=60,
    kind="count",
)
def led_activities(period):
    return _count(period, **LED)


@metric("orgs.led_person_times", label=_("organisation-led activities: person-times (share of the station's)"),
        unit="人次", platform=PLATFORM, order=61, kind="count")  # fmt: skip
def led_person_times(period):
    return _person_times(period, **LED)


@metric("orgs.provider_share", label=_("share of activities with organisations as provider"), unit="%",
        platform=PLATFORM, order=62, additive=False, cumulative=False, kind="share")  # fmt: skip
def provider_share(period):
    rows = (
        _org_activities(period, kind=OrgActivity.Kind.SERVICE)
        .order_by()
        .values("activity__station_id", "activity__community_id")
        .annotate(p=Count("pk", filter=Q(role=OrgActivity.Role.PROVIDER)), n=Count("pk"))
        .values_list("activity__station_id", "activity__community_id", "p", "n")
    )
    result, provided, total = {}, {}, {}
    for station, community, p, n in rows:
        result[(station, community)] = round(100 * p / n, 1) if n else 0
        provided[station], total[station] = provided.get(station, 0) + p, total.get(station, 0) + n
    shares = {s: round(100 * provided[s] / total[s], 1) for s in total if total[s]}
    return add_totals(result, period, shares, always=True)


@metric(
    "orgs.trainings",
    label=_("trainings for leaders and members"),
    unit="场",
    platform=PLATFORM,
    order=70,
    kind="count",
)
def trainings(period):
    return _count(period, **TRAINING)


@metric(
    "orgs.training_person_times",
    label=_("trainings: person-times"),
    unit="人次",
    platform=PLATFORM,
    order=71,
    kind="count",
)
def training_person_times(period):
    return _person_times(period, **TRAINING)


@metric("orgs.members", label=_("members of community organisations"), unit="人", platform=PLATFORM, order=80,
        additive=False, cumulative=False, kind="state")  # fmt: skip
def members(period):
    active = Membership.objects.filter(
        org__station_id__in=period.station_ids, joined_on__lt=period.end_day
    ).filter(Q(left_on__isnull=True) | Q(left_on__gte=period.end_day))
    result = grouped(active, "org__station_id", "org__community_id", Count("person_id", distinct=True))
    totals = per_station(active, "org__station_id", Count("person_id", distinct=True))
    return add_totals(result, period, totals, always=True)


@metric("orgs.leaders_from_volunteers", label=_("leaders who came from volunteers"), unit="人", platform=PLATFORM,
        order=81, additive=False, cumulative=False, kind="state")  # fmt: skip
def leaders_from_volunteers(period):
    """People who lead an organisation at the month's end and were the station's volunteers by the day they
    joined it: each person once per community, and once in the station's total however many groups they lead."""
    came_from_volunteers = Exists(
        volunteer_selectors.volunteer_person_ids(
            OuterRef("org__station_id"), joined_by=OuterRef("joined_on")
        ).filter(person_id=OuterRef("person_id"))
    )
    leaders = (
        Membership.objects.filter(
            org__station_id__in=period.station_ids, role=Membership.Role.LEADER, joined_on__lt=period.end_day
        )
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=period.end_day))
        .filter(came_from_volunteers)
    )
    result = grouped(leaders, "org__station_id", "org__community_id", Count("person_id", distinct=True))
    totals = per_station(leaders, "org__station_id", Count("person_id", distinct=True))
    return add_totals(result, period, totals, always=True)
