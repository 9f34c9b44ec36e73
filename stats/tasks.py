"""The statistics' background work: thin tasks, ids in, the work in ``stats.rollup`` and ``stats.report``."""

from celery import shared_task


@shared_task
def rollup_station_month(station_id: int, month: str, metrics: list[str] | None = None) -> bool:
    from station.models import Station

    from .registry import parse_month
    from .rollup import rollup_month

    station = Station.objects.filter(pk=station_id).first()
    if station is None:
        return False
    rollup_month(station=station, month=parse_month(month), metric_names=metrics or None)
    return True


def _each_station_month(month) -> int:
    from station.models import Station

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
    from .registry import add_months
    from .rollup import current_month

    return _each_station_month(add_months(current_month(), -1))


@shared_task
def rollup_catch_up(limit: int = 240) -> int:
    """Fill any closed month without a final DONE run (never run, left STARTED, or computed mid-month)."""
    from station.models import Station

    from .rollup import months_needing_final

    queued = 0
    for station in Station.objects.order_by("pk"):
        for month in months_needing_final(station):
            if queued >= limit:
                return queued
            rollup_station_month.delay(station.pk, f"{month:%Y-%m}")
            queued += 1
    return queued


@shared_task
def build_report(report_id: int) -> bool:
    """Build a requested monthly report workbook, store it, and tell the requester where it is."""
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.urls import reverse
    from django.utils import timezone, translation
    from django.utils.translation import gettext as _

    from station.services import notification_create

    from .models import StatReport
    from .report import build_workbook, period_label, workbook_bytes, workbook_filename

    report = StatReport.objects.select_related("station", "requested_by").filter(pk=report_id).first()
    if report is None or report.finished_at is not None:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        workbook = build_workbook(report.station, report.first_month, report.last_month)
        report.file.save(
            workbook_filename(report.station, report.first_month, report.last_month),
            ContentFile(workbook_bytes(workbook)),
            save=False,
        )
        claimed = StatReport.objects.filter(pk=report.pk, finished_at__isnull=True).update(
            file=report.file.name, finished_at=timezone.now()
        )
        if claimed != 1:
            report.file.delete(save=False)
            return False
        notification_create(
            recipient=report.requested_by,
            key=f"stat-report-{report.pk}",
            title=_("Your monthly report is ready"),
            body=_("%(station)s, %(period)s")
            % {"station": report.station.name, "period": period_label(report.first_month, report.last_month)},
            url=reverse("dashboard:report_download", args=[report.pk]),
        )
    return True


@shared_task
def build_pending_reports(limit: int = 5) -> int:
    """Build requested reports that no worker built (the broker was down when they were asked for)."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import StatReport

    waiting = list(
        StatReport.objects.filter(
            finished_at__isnull=True, requested_at__lt=timezone.now() - timedelta(minutes=5)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in waiting if build_report(pk))


@shared_task
def refresh_month_to_date(station_id: int, asked_at: str) -> bool:
    """A few minutes after a write: recompute the station's month of the write (the current month when it
    was asked for), unless a run that started since has already seen it."""
    from datetime import datetime

    from django.utils import timezone

    from station.models import Station

    from .models import RollupRun
    from .rollup import current_month, rollup_month

    asked = datetime.fromisoformat(asked_at)
    station = Station.objects.filter(pk=station_id).first()
    month = current_month(timezone.localdate(asked))
    done_since = RollupRun.objects.filter(
        station_id=station_id, month=month, status=RollupRun.Status.DONE, started_at__gt=asked
    )
    if station is None or done_since.exists():
        return False
    rollup_month(station=station, month=month)
    return True
