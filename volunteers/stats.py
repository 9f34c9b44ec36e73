"""Monthly metrics of the volunteer platform, per community (see station/stats.py for the contract).

A volunteer belongs to one community (their person's), so counts of distinct volunteers add up across
communities and every metric here is additive.
"""

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from station.aggregates import grouped
from stats.registry import metric

from .models import LedgerEntry, Redemption, ServiceRecord, Volunteer

PLATFORM = "volunteers"
COMMUNITY = "volunteer__person__community_id"
STATION = "volunteer__person__community__station_id"


def _approved(period):
    return ServiceRecord.objects.filter(
        status=ServiceRecord.Status.APPROVED,
        volunteer__person__community__station_id__in=period.station_ids,
        service_date__gte=period.first_day,
        service_date__lt=period.end_day,
    )


def _ledger(period, kinds):
    return LedgerEntry.objects.filter(
        kind__in=kinds,
        volunteer__person__community__station_id__in=period.station_ids,
        created_at__gte=period.start,
        created_at__lt=period.end,
    )


@metric(
    "volunteers.new_volunteers",
    label=_("new volunteers"),
    unit="人",
    platform=PLATFORM,
    order=10,
    kind="count",
)
def new_volunteers(period):
    joined = Volunteer.objects.filter(
        person__community__station_id__in=period.station_ids,
        joined_on__gte=period.first_day,
        joined_on__lt=period.end_day,
    )
    return grouped(joined, "person__community__station_id", "person__community_id", Count("pk"))


@metric(
    "volunteers.active_volunteers",
    label=_("active volunteers"),
    unit="人",
    platform=PLATFORM,
    order=20,
    kind="distinct",  # distinct people in the month: never added up across months
)
def active_volunteers(period):
    return grouped(_approved(period), STATION, COMMUNITY, Count("volunteer_id", distinct=True))


@metric(
    "volunteers.approved_hours",
    label=_("approved service hours"),
    unit="小时",
    platform=PLATFORM,
    order=30,
    kind="count",
)
def approved_hours(period):
    rows = grouped(_approved(period), STATION, COMMUNITY, Sum("minutes"))
    return {key: round(minutes / 60, 1) for key, minutes in rows.items()}


@metric(
    "volunteers.service_person_times",
    label=_("volunteer service person-times"),
    unit="人次",
    platform=PLATFORM,
    order=40,
    kind="count",
)
def service_person_times(period):
    return grouped(_approved(period), STATION, COMMUNITY, Count("pk"))


@metric(
    "volunteers.points_earned", label=_("points earned"), unit="分", platform=PLATFORM, order=50, kind="count"
)
def points_earned(period):
    return grouped(_ledger(period, [LedgerEntry.Kind.EARN]), STATION, COMMUNITY, Sum("points"))


@metric(
    "volunteers.points_redeemed",
    label=_("points redeemed"),
    unit="分",
    platform=PLATFORM,
    order=60,
    kind="count",
)
def points_redeemed(period):
    """Points spent in the shop, net of refunds for cancelled redemptions."""
    rows = grouped(
        _ledger(period, [LedgerEntry.Kind.REDEEM, LedgerEntry.Kind.REFUND]),
        STATION,
        COMMUNITY,
        Coalesce(Sum("points"), 0),
    )
    return {key: -total for key, total in rows.items()}


@metric(
    "volunteers.redemptions", label=_("redemptions"), unit="次", platform=PLATFORM, order=70, kind="count"
)
def redemptions(period):
    qs = Redemption.objects.filter(
        volunteer__person__community__station_id__in=period.station_ids,
        created_at__gte=period.start,
        created_at__lt=period.end,
    ).exclude(status=Redemption.Status.CANCELLED)
    return grouped(qs, STATION, COMMUNITY, Count("pk"))
