"""Reading the statistics rollup for dashboards and reports. Every function is a fixed number of queries,
whatever the number of underlying records: they read StatValue, and the raw ledgers only for the range figure
of a metric that cannot be summed across months (distinct people or groups), which is counted from the records.

What a range figure is depends on the metric's kind (stats/registry.py): a count is the sum of the months, a
state is the last month's row, distinct people are counted over the whole range. Only counts are ever summed.
A figure the station has never recorded is ``NOT_RECORDED`` (未记录), never 0.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from station.models import Community, Station

from .models import StatValue
from .registry import COUNT, STATE, Metric, Period, add_months, all_metrics, months_between

NOT_RECORDED = _("not recorded")
EARLIEST = date(2000, 1, 1)


@dataclass(frozen=True)
class Scope:
    """What a dashboard shows: a station, or one of its communities, for a month."""

    station: Station
    community: Community | None
    month: date

    def rows(self):
        qs = StatValue.objects.filter(station=self.station)
        if self.community is None:
            return qs.filter(community__isnull=True)
        return qs.filter(community=self.community)


def platform_rank(platform: str) -> int:
    """The station's own figures first, then the platforms in the ledger's order, then anything else."""
    from station.models import Activity

    order = ["station"] + [p for p, _label in Activity.Platform.choices if p != "station"]
    return order.index(platform) if platform in order else len(order)


def ordered_metrics() -> list[Metric]:
    return sorted(all_metrics(), key=lambda m: (platform_rank(m.platform), m.platform, m.order, m.name))


def metric_map() -> dict[str, Metric]:
    return {m.name: m for m in ordered_metrics()}


def headline_metrics() -> list[Metric]:
    known = metric_map()
    names = [n for n in settings.STATS_HEADLINE_METRICS if n in known]
    names += [m.name for m in known.values() if m.headline and m.name not in names]
    return [known[n] for n in names]


def change(current, previous):
    """Relative change in percent, or None when there is nothing to compare with."""
    if current is None or previous in (None, 0):
        return None
    return round((Decimal(current) - Decimal(previous)) * 100 / Decimal(previous))


def first_month(station: Station) -> date | None:
    return station.opened_on.replace(day=1) if station.opened_on else None


def summary(scope: Scope) -> dict[str, dict]:
    """For every metric: the month, the previous month, year to date (and the same span a year before),
    since opening (and up to the previous month). One query."""
    m = scope.month
    prev = add_months(m, -1)
    year_start = m.replace(month=1)
    last_year_start, last_year_month = add_months(year_start, -12), add_months(m, -12)
    qs = scope.rows().filter(month__lte=m)
    opened = first_month(scope.station)
    if opened:
        qs = qs.filter(month__gte=opened)
    rows = (
        qs.values("metric")
        .annotate(
            current=Sum("value", filter=Q(month=m)),
            previous=Sum("value", filter=Q(month=prev)),
            ytd=Sum("value", filter=Q(month__gte=year_start)),
            previous_ytd=Sum("value", filter=Q(month__gte=last_year_start, month__lte=last_year_month)),
            year_ago=Sum("value", filter=Q(month=last_year_month)),
            cumulative=Sum("value"),
            previous_cumulative=Sum("value", filter=Q(month__lt=m)),
        )
        .order_by()
    )
    known = metric_map()
    out = {}
    for row in rows:
        metric = known.get(row["metric"])
        if metric is not None and metric.kind != COUNT:
            # Never a sum of months: a state's range figure is the state at the range's end; distinct people
            # are counted from the records (range_figure), so the sums are dropped here.
            current = row["current"]
            state = metric.kind == STATE
            row["ytd"] = row["cumulative"] = current if state else None
            row["previous_ytd"] = row["year_ago"] if state else None
            row["previous_cumulative"] = row["previous"] if state else None
        out[row["metric"]] = row
    return out


def range_start(station: Station, first: date | None) -> date:
    """The first day a range figure counts from: the month given, else the station's opening."""
    return first or first_month(station) or EARLIEST


def from_records(metric: Metric, station: Station, first: date, last: date, community_ids) -> dict | None:
    """A distinct or share metric over the months first..last, counted from the records:
    {community_id or None (the station's figure): value}, or None when the metric cannot count a range."""
    result = metric.compute_range(station, first, add_months(last, 1))
    if result is None:
        return None
    return as_community_values(metric, result, community_ids)


def as_community_values(metric: Metric, result: dict, community_ids) -> dict:
    """A metric function's {community_id or None: n, "total": n} as {community_id or None (the station): n},
    the way the rollup stores it: the station's figure is the sum for an additive metric, else its "total"."""
    result = dict(result or {})
    total = result.pop("total", None)
    out = {key: Decimal(str(value or 0)) for key, value in result.items() if key in community_ids}
    if total is None or metric.additive:
        total = sum((Decimal(str(v or 0)) for v in result.values()), Decimal(0))
    out[None] = Decimal(str(total))
    return out


def range_figures(station: Station, metrics: list[Metric], first: date, last: date) -> dict[str, dict]:
    """{metric: {community_id or None (the station): value or None}} over the months first..last (inclusive).

    Counts: the sum of the months' rows. States: the row of the last month. Distinct people and shares: the
    month's row when the range is one month, else counted over the whole range from the records (None when
    the metric cannot). Two queries plus one or two per distinct metric over a longer range."""
    by_kind = {}
    for m in metrics:
        by_kind.setdefault("sum" if m.kind == COUNT else "last", []).append(m.name)
    out = {m.name: {} for m in metrics}
    base = StatValue.objects.filter(station=station)
    if by_kind.get("sum"):
        rows = (
            base.filter(metric__in=by_kind["sum"], month__gte=first, month__lte=last)
            .values("metric", "community_id")
            .annotate(v=Sum("value"))
            .order_by()
            .values_list("metric", "community_id", "v")
        )
        for name, community_id, value in rows:
            out[name][community_id] = value
    if by_kind.get("last"):
        for name, community_id, value in base.filter(metric__in=by_kind["last"], month=last).values_list(
            "metric", "community_id", "value"
        ):
            out[name][community_id] = value
    if first != last:
        community_ids = None
        for m in metrics:
            if m.kind in (COUNT, STATE):
                continue
            if community_ids is None:
                community_ids = set(station.communities.values_list("pk", flat=True))
            counted = from_records(m, station, first, last, community_ids)
            out[m.name] = counted if counted is not None else {None: None}
    return out


def _distinct_over(scope: Scope, metric: Metric, first: date, last: date):
    counted = from_records(
        metric,
        scope.station,
        first,
        last,
        {scope.community.pk} if scope.community else set(),
    )
    if counted is None:
        return None
    return counted.get(scope.community.pk if scope.community else None, Decimal(0))


def cards(scope: Scope, metrics: list[Metric], data: dict, recorded: set | None = None) -> list[dict]:
    """Headline cards: the month, year to date and since opening. Counts add their months up; a state's year
    to date is the state at the month's end; distinct people are counted over the year or since opening
    from the records (blank when the metric cannot count a range)."""
    m = scope.month
    if recorded is None:
        recorded = recorded_metrics(scope.station, m)
    result = []
    for metric in metrics:
        row = data.get(metric.name, {})
        month, previous = row.get("current") or 0, row.get("previous") or 0
        card = {
            "metric": metric,
            "recorded": metric.name in recorded,
            "month": month,
            "month_change": change(month, previous),
            "ytd": None,
            "ytd_change": None,
            "cumulative": None,
            "cumulative_change": None,
        }
        if metric.kind in (COUNT, STATE):
            card["ytd"] = row.get("ytd") or 0
            card["ytd_change"] = change(card["ytd"], row.get("previous_ytd") or 0)
            card["cumulative"] = row.get("cumulative") or 0
            card["cumulative_change"] = change(card["cumulative"], row.get("previous_cumulative") or 0)
        elif metric.over_range is not None:
            year_start, opened = m.replace(month=1), range_start(scope.station, None)
            card["ytd"] = _distinct_over(scope, metric, year_start, m)
            card["cumulative"] = _distinct_over(scope, metric, opened, m)
        if not card["recorded"]:
            card.update(month=None, month_change=None, ytd=None, ytd_change=None)
            card.update(cumulative=None, cumulative_change=None)
        result.append(card)
    return result


def series(scope: Scope, names: list[str], months: list[date]) -> dict[str, list]:
    """{metric: [value per month]} for the scope. One query."""
    found = {name: {} for name in names}
    rows = (
        scope.rows()
        .filter(metric__in=names, month__gte=months[0], month__lte=months[-1])
        .values_list("metric", "month", "value")
    )
    for name, month, value in rows:
        found[name][month] = value
    return {name: [found[name].get(month, Decimal(0)) for month in months] for name in names}


def by_community(station: Station, names: list[str], first: date, last: date) -> dict[str, dict]:
    """{metric: {community_id or None (total): the range figure}}: summed over the months for counts only
    (see range_figures)."""
    known = metric_map()
    metrics = [known[n] for n in names if n in known]
    out = {name: {} for name in names}
    out.update(range_figures(station, metrics, first, last))
    return out


def recorded_metrics(station: Station, until_month: date) -> set[str]:
    """The metrics the station has recorded anything for, up to the end of a month. A metric is recorded when
    its own ``recorded(station, until_day)`` says so, or else when its platform has any activity in the
    service ledger or any metric of its platform a stored value other than 0. Two queries."""
    from station.models import Activity

    until = add_months(until_month, 1)
    platforms = set(
        Activity.objects.filter(station=station, starts_at__lt=Period(station, until, until).start)
        .order_by()
        .values_list("platform", flat=True)
        .distinct()
    )
    nonzero = set(
        StatValue.objects.filter(station=station, month__lt=until)
        .exclude(value=0)
        .order_by()
        .values_list("metric", flat=True)
        .distinct()
    )
    metrics = all_metrics()
    platforms |= {m.platform for m in metrics if m.name in nonzero}
    if platforms:
        platforms.add("station")  # the station's own figures are about its ledger as a whole
    out = set()
    for m in metrics:
        if m.recorded is not None:
            if m.recorded(station, until):
                out.add(m.name)
        elif m.platform in platforms:
            out.add(m.name)
    return out


def shown(value, recorded: bool = True):
    """A figure as people read it: 未记录 when not recorded, — when there is no figure, else the number."""
    if not recorded:
        return str(NOT_RECORDED)
    return number(value)


def trend_months(month: date, count: int | None = None) -> list[date]:
    count = count or settings.STATS_TREND_MONTHS
    return months_between(add_months(month, -(count - 1)), month)


def number(value):
    """Decimal -> int when whole, for display and for Excel."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def computed_at(scope: Scope, months: list[date]) -> dict:
    """{month: when the rollup run that wrote the scope's figures for the month computed them}: the
    "数据截至" of every figure of that month. A month's rows are rewritten together, so they share it. One
    query."""
    rows = (
        scope.rows()
        .filter(month__in=months)
        .values("month")
        .annotate(at=Max("computed_at"))
        .order_by()
        .values_list("month", "at")
    )
    return dict(rows)


def month_revision(station, month: date):
    """The run of a final month that was computed again after a late record (``revised_at``, and why in
    ``revision_reason``), or None."""
    from .models import RollupRun
    from .registry import month_start

    return (
        RollupRun.objects.filter(station=station, month=month_start(month), revised_at__isnull=False)
        .only("revised_at", "revision_reason")
        .first()
    )


def month_revisions(station, first: date, last: date) -> dict:
    """The final months of a range that late records revised: {month: (the local day of the revision, why)}."""
    from .models import RollupRun

    runs = RollupRun.objects.filter(
        station=station, month__gte=first, month__lte=last, revised_at__isnull=False
    ).values_list("month", "revised_at", "revision_reason")
    return {month: (timezone.localdate(at), reason) for month, at, reason in runs}


def rollup_version(station_ids) -> str:
    """A stamp of the stations' rollup: it changes whenever a run of any of their months finishes (a full
    run, a revision, a rerun of some metrics all stamp their run record in the transaction that writes the
    rows), so a figure cached under it is never older than the rows. One query, written by hand: every kept
    dashboard asks it on every request, and building it through the ORM took three times as long as running
    it. The stamp is only compared, never read, so the database's values are taken as they come."""
    from .models import RollupRun

    ids = [int(pk) for pk in station_ids]
    if not ids:
        return "-:-:-"
    table, station = RollupRun._meta.db_table, RollupRun._meta.get_field("station").column
    sql = (
        f"SELECT MAX(finished_at), MAX(revised_at), COUNT(*) FROM {table} "
        f"WHERE {station} IN ({', '.join(['%s'] * len(ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        done, revised, runs = cursor.fetchone()
    stamp = [str(v or "-").replace(" ", "T") for v in (done, revised, runs)]  # part of cache keys: no spaces
    return ":".join(stamp)


def station_headlines(stations, month: date, names: list[str]) -> tuple[dict, dict]:
    """The district overview's figures: ({(station id, metric): value}, {station id: computed at}) of the
    stations' totals for a month. One query."""
    values, computed = {}, {}
    rows = (
        StatValue.objects.filter(station__in=stations, community__isnull=True, month=month, metric__in=names)
        .order_by()
        .values_list("station_id", "metric", "value", "computed_at")
    )
    for station_id, name, value, at in rows:
        values[(station_id, name)] = value
        computed[station_id] = max(at, computed.get(station_id, at))
    return values, computed
