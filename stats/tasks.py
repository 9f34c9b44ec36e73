"""The statistics' background work: thin tasks, ids in, the work in ``stats.rollup`` and ``stats.report``."""

from celery import shared_task
from django.conf import settings


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


@shared_task
def rollup_stations_month(station_ids: list[int], month: str) -> list[int]:
    """One month for a group of stations in one grouped pass; returns the ids of the stations rolled up."""
    from station.models import Station

    from .registry import parse_month
    from .rollup import rollup_stations_month as rollup

    stations = list(Station.objects.filter(pk__in=station_ids))
    if not stations:
        return []
    return [run.station_id for run in rollup(stations=stations, month=parse_month(month))]


def station_groups(ids: list[int], size: int | None = None) -> list[list[int]]:
    """The stations in groups of ``STATS_ROLLUP_STATIONS_PER_TASK``: each group is one task, so more workers
    divide a district's rollup, and each task still reads its month once for the whole group."""
    size = size or getattr(settings, "STATS_ROLLUP_STATIONS_PER_TASK", 2)
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def rollup_district_month(month, station_ids=None):
    """Fan a month out as a Celery group, one task per group of stations. Each task commits its stations'
    run records DONE with their rows, so the results are collected from the database
    (``stats.rollup.runs_done_since``), the one store every worker and web process shares."""
    from celery import group

    from station.models import Station

    ids = station_ids or list(Station.objects.order_by("pk").values_list("pk", flat=True))
    groups = station_groups(ids)
    group(rollup_stations_month.si(chunk, f"{month:%Y-%m}") for chunk in groups).apply_async()
    return len(ids)


def _each_station_month(month) -> int:
    return rollup_district_month(month)


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

    by_month, queued = {}, 0
    for station in Station.objects.order_by("pk"):
        for month in months_needing_final(station):
            if queued >= limit:
                break
            by_month.setdefault(month, []).append(station.pk)
            queued += 1
    for month, ids in sorted(by_month.items()):
        rollup_district_month(month, ids)
    return queued


@shared_task
def build_report(report_id: int) -> bool:
    """Build a requested monthly report workbook, store it, and tell the requester where it is."""
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.db import transaction
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
        # The "finished" mark and the requester's notification commit together: a worker stopped between
        # them leaves the report unfinished, and the next run builds it and tells the requester.
        with transaction.atomic():
            claimed = StatReport.objects.filter(pk=report.pk, finished_at__isnull=True).update(
                file=report.file.name, finished_at=timezone.now()
            )
            if claimed == 1:
                notification_create(
                    recipient=report.requested_by,
                    key=f"stat-report-{report.pk}",
                    title=_("Your monthly report is ready"),
                    body=_("%(station)s, %(period)s")
                    % {
                        "station": report.station.name,
                        "period": period_label(report.first_month, report.last_month),
                    },
                    url=reverse("dashboard:report_download", args=[report.pk]),
                )
        if claimed != 1:
            report.file.delete(save=False)
            return False
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
