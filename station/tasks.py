from celery import shared_task

from .models import Notification
from .services import notification_send_email

BATCH = 200


@shared_task
def send_notification_email(notification_id: int) -> bool:
    return notification_send_email(notification_id=notification_id)


@shared_task
def send_pending_notifications() -> int:
    """Catch up on emails whose immediate send was lost (worker down, broker restart)."""
    ids = list(
        Notification.objects.filter(email_sent_at__isnull=True, recipient__email__gt="")
        .order_by("pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    return sum(1 for pk in ids if notification_send_email(notification_id=pk))


# --- Statistics rollup (issue 5): thin tasks, ids in, the work in station.rollup.


@shared_task
def rollup_station_month(station_id: int, month: str, metrics: list[str] | None = None) -> bool:
    from .models import Station
    from .rollup import rollup_month
    from .stats import parse_month

    station = Station.objects.filter(pk=station_id).first()
    if station is None:
        return False
    rollup_month(station=station, month=parse_month(month), metric_names=metrics or None)
    return True


def _each_station_month(month) -> int:
    from .models import Station

    ids = list(Station.objects.order_by("pk").values_list("pk", flat=True))
    for pk in ids:
        rollup_station_month.delay(pk, f"{month:%Y-%m}")
    return len(ids)


@shared_task
def rollup_current_month() -> int:
    """Nightly: the current month to date, for every station."""
    from .rollup import current_month

    return _each_station_month(current_month())


@shared_task
def rollup_last_month() -> int:
    """On the 1st: the month just ended, now final."""
    from .rollup import current_month
    from .stats import add_months

    return _each_station_month(add_months(current_month(), -1))


@shared_task
def rollup_catch_up(limit: int = 240) -> int:
    """Fill any closed month without a final DONE run (never run, left STARTED, or computed mid-month)."""
    from .models import Station
    from .rollup import months_needing_final

    queued = 0
    for station in Station.objects.order_by("pk"):
        for month in months_needing_final(station):
            if queued >= limit:
                return queued
            rollup_station_month.delay(station.pk, f"{month:%Y-%m}")
            queued += 1
    return queued
