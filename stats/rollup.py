"""The monthly statistics rollup: compute every registered metric for a station's month and store the results.

A full run marks the (station, month) run record STARTED in its own commit, then deletes and rewrites the
month's rows and marks the run DONE in one transaction. Running it twice gives the same rows; a crash leaves
the run STARTED and the catch-up redoes it. A run is *final* when it was computed after the month closed.
"""

import logging
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from station.aggregates import each_station
from station.models import Community, Station
from station.periods import stations_month_period

from .models import RollupRun, StaleMonth, StatValue
from .registry import add_months, all_metrics, month_start

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


class Row(NamedTuple):
    """One stored value as the rollup writes it: ``StatValue``'s columns, without a model instance per row."""

    station_id: int
    community_id: int | None
    month: date
    metric: str
    value: Decimal
    computed_at: datetime | None


def _rows_of(m, result: dict, *, station, month, community_ids: set, now) -> list[Row]:
    """One station's {community: value} of one metric as rows; the NULL-community row is the total."""
    result = dict(result)
    total = result.pop("total", None)
    per_community = {}
    for key, value in result.items():
        if key in community_ids:
            per_community[key] = _as_decimal(value)
    if total is None or m.additive:
        # Additive: the station's figure is everything counted, including station-wide events.
        total = sum((_as_decimal(v) for v in result.values()), Decimal("0"))
    rows = [Row(station.pk, c, month, m.name, v, now) for c, v in sorted(per_community.items())]
    rows.append(Row(station.pk, None, month, m.name, _as_decimal(total), now))
    return rows


def _write(rows: list[Row]) -> None:
    """Insert the rows: on PostgreSQL as one INSERT of six arrays (a district's month, about 5,000 rows, in
    half the time of ``bulk_create``, which builds and prepares a model instance per row);
    elsewhere with ``bulk_create``."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        StatValue.objects.bulk_create([StatValue(**row._asdict()) for row in rows])
        return
    columns = ", ".join(StatValue._meta.get_field(name).column for name in Row._fields)
    types = ["bigint[]", "bigint[]", "date[]", "varchar[]", "numeric[]", "timestamptz[]"]
    arrays = ", ".join(f"%s::{t}" for t in types)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {StatValue._meta.db_table} ({columns}) SELECT * FROM unnest({arrays})",
            [list(column) for column in zip(*rows, strict=True)],
        )


def _compute_grouped(m, period) -> dict:
    """``{(station_id, community_id): value}`` for every station of the period: one call of a metric written
    for several stations, or one call per station of a metric still written for one (it reads
    ``period.station`` or returns ``{community_id: value}``)."""
    try:
        result = m.compute(period) or {}
        if all(isinstance(key, tuple) for key in result):
            return result
    except (AttributeError, TypeError):
        pass
    logger.warning("metric %s is computed one station at a time", m.name)
    return each_station(period, m.compute)


def _without_jit():
    """PostgreSQL compiles (JIT) a query it estimates costly; the rollup's grouped queries over a month took
    longer to compile than to run (0.7 s of a 1.5 s query at the bench's size, 2.9 s of 10 s for another), so
    JIT is off for the rollup's transaction (``SET LOCAL``: nothing else is affected)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def compute_stations(*, stations, month: date, metrics, now) -> dict:
    """Every metric once for all the stations' month (one grouped query per metric, not one per station):
    ``{station_id: [Row, ...]}``."""
    stations = list(stations)
    period = stations_month_period(stations, month.year, month.month)
    community_ids = defaultdict(set)
    for pk, station_id in Community.objects.filter(station__in=stations).values_list("pk", "station_id"):
        community_ids[station_id].add(pk)
    rows = {station.pk: [] for station in stations}
    for m in metrics:
        split = defaultdict(dict)
        for (station_id, key), value in _compute_grouped(m, period).items():
            split[station_id][key] = value
        for station in stations:
            rows[station.pk] += _rows_of(
                m,
                split.get(station.pk, {}),
                station=station,
                month=month,
                community_ids=community_ids[station.pk],
                now=now,
            )
    return rows


def compute_rows(*, station: Station, month: date, metrics, community_ids: set | None = None, now) -> list:
    """One station's rows (what ``rollup_month`` writes)."""
    return compute_stations(stations=[station], month=month, metrics=metrics, now=now)[station.pk]


def _mark_started(stations, month: date) -> dict:
    """Mark every station's run of the month STARTED in one statement (an upsert, in station order, its own
    commit) and return ``{station_id: final}`` as each run was before: ``final`` is left as it was until the
    run is DONE."""
    now = timezone.now()
    RollupRun.objects.bulk_create(
        [
            RollupRun(station=station, month=month, status=RollupRun.Status.STARTED, started_at=now)
            for station in stations
        ],
        update_conflicts=True,
        unique_fields=["station", "month"],
        update_fields=["status", "started_at", "finished_at"],
    )
    return dict(
        RollupRun.objects.filter(station__in=stations, month=month).values_list("station_id", "final")
    )


def _mark_done(runs, was_final: dict, stale: dict, now, month: date, metric_count: int) -> list[RollupRun]:
    """Mark the locked runs DONE in one UPDATE; a final month computed again also says when and why."""
    revised = []
    for run in runs:
        run.status = RollupRun.Status.DONE
        run.finished_at = now
        run.final = timezone.localdate(now) >= add_months(month, 1)
        run.metric_count = metric_count
        if was_final.get(run.station_id):
            with translation.override(settings.LANGUAGE_CODE):
                run.revision_reason = stale.get(run.station_id) or _("recomputed on request")
            run.revised_at = now
            revised.append(run)
    RollupRun.objects.bulk_update(runs, ["status", "finished_at", "final", "metric_count"])
    if revised:
        RollupRun.objects.bulk_update(revised, ["revised_at", "revision_reason"])
    return runs


def rollup_stations_month(*, stations, month: date, metric_names=None) -> list[RollupRun]:
    """Recompute one month for several stations in one pass. With ``metric_names`` only those metrics are
    rewritten and a finished run only has its ``finished_at`` moved to now; without, every metric is, and
    each run ends DONE."""
    month = month_start(month)
    stations = sorted(stations, key=lambda s: s.pk)
    metrics = metrics_named(metric_names)
    full = not metric_names
    was_final = _mark_started(stations, month) if full else {}
    with transaction.atomic():
        # Two workers on the same station-month (the nightly run and a catch-up) take turns here; the run
        # records are locked in station order, so two overlapping groups never deadlock.
        locked = list(
            RollupRun.objects.select_for_update()
            .filter(station__in=stations, month=month)
            .order_by("station_id")
        )
        stale = dict(
            StaleMonth.objects.filter(station__in=stations, month=month).values_list("station_id", "reason")
        )
        now = timezone.now()
        _without_jit()
        rows = compute_stations(stations=stations, month=month, metrics=metrics, now=now)
        old = StatValue.objects.filter(station__in=stations, month=month)
        if not full:
            old = old.filter(metric__in=[m.name for m in metrics])
        # One DELETE: ``delete()`` would read every row back and send each a post_delete, since receivers
        # listen to every model; those (stats.signals, stats.freshness) skip the stats app's own rows.
        old._raw_delete(old.db)
        _write([row for station_rows in rows.values() for row in station_rows])
        runs = _mark_done(locked, was_final, stale, now, month, len(metrics)) if full else []
        if full:  # one DELETE; the stats app's receivers skip its own rows (as for ``old`` above)
            done = StaleMonth.objects.filter(station__in=stations, month=month)
            done._raw_delete(done.db)
        else:  # the month's figures changed now: say so on its run, which the dashboards' cache keys read
            RollupRun.objects.filter(station__in=stations, month=month, finished_at__isnull=False).update(
                finished_at=now
            )
    logger.info(
        "rollup %s %s: %d rows",
        [s.pk for s in stations],
        f"{month:%Y-%m}",
        sum(len(r) for r in rows.values()),
    )
    return runs


def rollup_month(*, station: Station, month: date, metric_names=None) -> RollupRun | None:
    """Recompute one month for one station (see ``rollup_stations_month``)."""
    runs = rollup_stations_month(stations=[station], month=month, metric_names=metric_names)
    return runs[0] if runs else None


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
    stale = set(StaleMonth.objects.filter(station=station).values_list("month", flat=True))
    done -= stale
    months, current = [], first
    while current < this_month:
        if current not in done:
            months.append(current)
        current = add_months(current, 1)
    return sorted(set(months) | {m for m in stale if m < this_month})  # stale: however old


def runs_done_since(station_ids, month: date, since) -> int:
    """How many of the stations' runs of the month finished DONE since ``since``: a fanned-out rollup's
    results, collected from the database."""
    return RollupRun.objects.filter(
        station_id__in=station_ids,
        month=month_start(month),
        status=RollupRun.Status.DONE,
        finished_at__gte=since,
    ).count()
