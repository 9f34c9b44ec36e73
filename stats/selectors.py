"""Reading the statistics rollup for dashboards and reports. Every function is a fixed number of queries,
whatever the number of underlying records: they read StatValue, never the raw ledgers."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Max, Q, Sum

from station.models import Community, Station

from .models import StatValue
from .registry import Metric, add_months, all_metrics, months_between


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
            cumulative=Sum("value"),
            previous_cumulative=Sum("value", filter=Q(month__lt=m)),
        )
        .order_by()
    )
    out = {}
    for row in rows:
        out[row["metric"]] = row
    return out


def cards(scope: Scope, metrics: list[Metric], data: dict) -> list[dict]:
    result = []
    for metric in metrics:
        row = data.get(metric.name, {})
        month, previous = row.get("current") or 0, row.get("previous") or 0
        card = {
            "metric": metric,
            "month": month,
            "month_change": change(month, previous),
            "ytd": None,
            "ytd_change": None,
            "cumulative": None,
            "cumulative_change": None,
        }
        if metric.cumulative:
            card["ytd"] = row.get("ytd") or 0
            card["ytd_change"] = change(card["ytd"], row.get("previous_ytd") or 0)
            card["cumulative"] = row.get("cumulative") or 0
            card["cumulative_change"] = change(card["cumulative"], row.get("previous_cumulative") or 0)
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
    """{metric: {community_id or None (total): value summed over the months}}. One query."""
    rows = (
        StatValue.objects.filter(station=station, metric__in=names, month__gte=first, month__lte=last)
        .values("metric", "community_id")
        .annotate(v=Sum("value"))
        .order_by()
    )
    out = {name: {} for name in names}
    for row in rows:
        out[row["metric"]][row["community_id"]] = row["v"]
    return out


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
