"""The registry of monthly metrics. Each app declares its own in ``<app>/stats.py``:

    from stats.registry import metric

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
The station's own metrics live in ``stats/metrics.py``, loaded with the apps' ``stats.py``.
"""

from dataclasses import dataclass, field
from importlib import import_module

from django.utils.module_loading import autodiscover_modules

from station.aggregates import for_station

# The calendar helpers live in the core; metrics and their callers read them from here too.
from station.periods import (  # noqa: F401
    Period,
    add_months,
    month_period,
    month_start,
    months_between,
    parse_month,
)

UNITS = ["人", "人次", "户", "户次", "次", "场", "个", "支", "小时", "学时", "分", "节", "组", "元", "%"]


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
        """For a period of several stations ``{(station_id, community_id): value}``; for one station's
        period that station's ``{community_id: value}``."""
        result = self.func(period) or {}
        if period.several or not all(isinstance(key, tuple) for key in result):
            return result  # several stations, or a metric still written for one station at a time
        return for_station(result, period.station.pk)


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
        import_module("stats.metrics")
        autodiscover_modules("stats")
        _discovered = True
    return sorted(METRICS.values(), key=lambda m: (m.platform, m.order, m.name))


def get_metric(name: str) -> Metric | None:
    all_metrics()
    return METRICS.get(name)
