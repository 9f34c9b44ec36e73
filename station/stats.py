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
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time
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

    def compute(self, period: Period) -> dict:
        return self.func(period)


METRICS: dict[str, Metric] = {}


def metric(name: str, *, label, unit: str, platform: str, additive: bool = True, order: int = 100):
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r} for metric {name}")

    def decorator(func):
        METRICS[name] = Metric(name, label, unit, platform, func, additive, order)
        return func

    return decorator


_discovered = False


def all_metrics() -> list[Metric]:
    global _discovered
    if not _discovered:
        autodiscover_modules("stats")
        _discovered = True
    return sorted(METRICS.values(), key=lambda m: (m.platform, m.order, m.name))
