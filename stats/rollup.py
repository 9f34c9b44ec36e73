"""The monthly statistics rollup: compute every registered metric for a station's month and store the results.

A full run marks the (station, month) run record STARTED in its own commit, then deletes and rewrites the
month's rows and marks the run DONE in one transaction. Running it twice gives the same rows; a crash leaves
the run STARTED and the catch-up redoes it. A run is *final* when it was computed after the month closed.
"""

import logging
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from station.models import Station

from .models import RollupRun, StatValue
from .registry import add_months, all_metrics, month_period, month_start

logger = logging.getLogger(__name__)


def _as_decimal(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def metrics_named(names) -> list:
    metrics = all_metrics()
    if not names:
        return metrics
    known = {m.name: m for m in metrics}
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise ValidationError(_("Unknown metric: %(names)s") % {"names": ", ".join(unknown)})
    return [known[name] for name in names]


def compute_rows(*, station: Station, month: date, metrics, community_ids: set, now) -> list[StatValue]:
    """Run each metric once and turn its {community: value} into rows; the NULL-community row is the total."""
    period = month_period(station, month.year, month.month)
    rows = []
    for m in metrics:
        result = dict(m.compute(period) or {})
        total = result.pop("total", None)
        per_community = {}
        for key, value in result.items():
            if key in community_ids:
                per_community[key] = _as_decimal(value)
        if total is None or m.additive:
            # Additive: the station's figure is everything counted, including station-wide events.
            total = sum((_as_decimal(v) for v in result.values()), Decimal("0"))
        for community_id, value in sorted(per_community.items()):
            rows.append(
                StatValue(
                    station=station,
                    community_id=community_id,
                    month=month,
                    metric=m.name,
                    value=value,
                    computed_at=now,
                )
            )
        rows.append(
            StatValue(
                station=station,
                community_id=None,
                month=month,
                metric=m.name,
                value=_as_decimal(total),
                computed_at=now,
            )
        )
    return rows


def rollup_month(*, station: Station, month: date, metric_names=None) -> RollupRun | None:
    """Recompute one month for one station. With ``metric_names`` only those metrics are rewritten and the
    run record is left as it was; without, every metric is, and the run ends DONE."""
    month = month_start(month)
    metrics = metrics_named(metric_names)
    full = not metric_names
    run = None
    if full:
        run, _created = RollupRun.objects.update_or_create(
            station=station,
            month=month,
            defaults={"status": RollupRun.Status.STARTED, "started_at": timezone.now(), "finished_at": None},
        )
    community_ids = set(station.communities.values_list("pk", flat=True))
    with transaction.atomic():
        # Two workers on the same station-month (the nightly run and a catch-up) take turns here.
        RollupRun.objects.select_for_update().filter(station=station, month=month).first()
        now = timezone.now()
        rows = compute_rows(
            station=station, month=month, metrics=metrics, community_ids=community_ids, now=now
        )
        old = StatValue.objects.filter(station=station, month=month)
        if not full:
            old = old.filter(metric__in=[m.name for m in metrics])
        old.delete()
        StatValue.objects.bulk_create(rows, batch_size=1000)
        if run is not None:
            month_end = add_months(month, 1)
            run.status = RollupRun.Status.DONE
            run.finished_at = now
            run.final = timezone.localdate(now) >= month_end
            run.metric_count = len(metrics)
            run.save(update_fields=["status", "finished_at", "final", "metric_count"])
    logger.info("rollup %s %s: %d rows", station.pk, f"{month:%Y-%m}", len(rows))
    return run


def current_month(today: date | None = None) -> date:
    return month_start(today or timezone.localdate())


def months_needing_final(station: Station, today: date | None = None) -> list[date]:
    """Closed months of a station with no final DONE run, oldest first, bounded by STATS_CATCHUP_MONTHS."""
    this_month = current_month(today)
    first = add_months(this_month, -settings.STATS_CATCHUP_MONTHS)
    if station.opened_on:
        first = max(first, month_start(station.opened_on))
    done = set(
        RollupRun.objects.filter(
            station=station, status=RollupRun.Status.DONE, final=True, month__gte=first
        ).values_list("month", flat=True)
    )
    months, current = [], first
    while current < this_month:
        if current not in done:
            months.append(current)
        current = add_months(current, 1)
    return months
