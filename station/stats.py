"""The registry of monthly metrics. Each app declares its own in ``<app>/stats.py``:

    from station.stats import metric

    @metric("cases.phone_visits", label=_("phone visits"), unit="次", platform="casework")
    def phone_visits(period):
        rows = (Visit.objects.filter(station=period.station, ...)
                .values("person__community_id").annotate(v=Count("pk")).values_list("person__community_id", "v"))
        return dict(rows)

A metric function receives a ``Period`` and returns ``{community_id or None: number}`` from one aggregate
query; ``None`` holds what is not tied to a community (a station-wide event). A metric that cannot be summed
across communities (distinct people) is declared ``additive=False`` and also returns the station-wide
figure under the key ``"total"``. The station finds every app's ``stats.py`` by autodiscovery, never by
importing app internals.

Two optional keywords: ``headline=True`` puts the metric among the dashboard's headline cards (beside those
named in ``settings.STATS_HEADLINE_METRICS``); ``cumulative=False`` says months cannot be summed (distinct
people in a month), so year-to-date and since-opening figures are left blank. It defaults to ``additive``.
The station's own metrics live in ``station/station_metrics.py``, loaded with the apps' ``stats.py``.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from importlib import import_module
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.module_loading import autodiscover_modules

UNITS = ["人", "人次", "户次", "次", "个", "小时", "分", "节", "组", "%"]


@dataclass(frozen=True)
class Period:
    station: object
    first_day: date  # inclusive, local (Asia/Shanghai) date
    end_day: date  # exclusive

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))

    @property
    def end(self) -> datetime:
        return datetime.combine(self.end_day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def month_period(station, year: int, month: int) -> Period:
    first = date(year, month, 1)
    end = date(year + (month == 12), month % 12 + 1, 1)
    return Period(station=station, first_day=first, end_day=end)


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    unit: str
    platform: str
    func: object = field(compare=False)
    additive: bool = True
    order: int = 100
    headline: bool = False
    cumulative: bool = True

    def compute(self, period: Period) -> dict:
        return self.func(period)


METRICS: dict[str, Metric] = {}


def metric(
    name: str,
    *,
    label,
    unit: str,
    platform: str,
    additive: bool = True,
    order: int = 100,
    headline: bool = False,
    cumulative: bool | None = None,
):
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r} for metric {name}")
    if cumulative is None:
        cumulative = additive

    def decorator(func):
        METRICS[name] = Metric(name, label, unit, platform, func, additive, order, headline, cumulative)
        return func

    return decorator


_discovered = False


def all_metrics() -> list[Metric]:
    global _discovered
    if not _discovered:
        import_module("station.station_metrics")
        autodiscover_modules("stats")
        _discovered = True
    return sorted(METRICS.values(), key=lambda m: (m.platform, m.order, m.name))


def get_metric(name: str) -> Metric | None:
    all_metrics()
    return METRICS.get(name)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from first to last inclusive (both as first days)."""
    months, current = [], month_start(first)
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    return months


def parse_month(text: str) -> date:
    """'2025-07' -> date(2025, 7, 1); ValueError on anything else."""
    year, _sep, month = (text or "").strip().partition("-")
    if not (year.isdigit() and month.isdigit() and len(year) == 4):
        raise ValueError(f"not a month: {text!r}")
    return date(int(year), int(month), 1)
