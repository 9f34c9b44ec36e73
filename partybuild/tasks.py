"""Background work of the party-building platform. Thin: call a service; every task can run twice and do
nothing twice (conditional updates, notification keys, unique constraints)."""

from celery import shared_task
from django.utils import timezone

from station.models import Station
from station.periods import previous_quarter

from . import services


@shared_task
def reports_lapse_and_remind() -> dict:
    """Daily: lapse members past their re-report deadline, remind the station 30 and 7 days before."""
    today = timezone.localdate()
    lapsed = services.reports_lapse_due(today=today)
    reminded = services.reports_remind(today=today)
    return {"lapsed": len(lapsed), "reminded": reminded}


@shared_task
def quarterly_sheets_make(year: int | None = None, quarter: int | None = None) -> int:
    """On the first day of a quarter: the sheets of the quarter just ended, for every station, once."""
    if year is None or quarter is None:
        year, quarter = previous_quarter(timezone.localdate())
    made = 0
    for station in Station.objects.order_by("pk"):
        made += services.quarterly_sheets_make(station=station, year=year, quarter=quarter)
    return made
