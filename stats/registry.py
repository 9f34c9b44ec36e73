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

Every metric says what ``kind`` of figure it is, which decides what a figure over a range of months is:

- ``COUNT``: things that happened in the month (visits, sessions, 人次, hours). They add up across months;
  a range figure is the sum of the months.
- ``STATE``: a state at the month's end (open cases, active members, registered residents, a coverage rate as
  of the month's end). A range figure is the state at the range's end (the last month's row), never a sum.
- ``DISTINCT``: distinct people or groups in the month (people served, groups meeting). A range figure is the
  distinct count over the whole range, computed from the records by ``over_range(station, first_day,
  end_day)``, which returns the same ``{community_id or None: n, "total": n}`` as the monthly function. By
  default it is the metric's own function called once with a ``Period`` spanning the whole range; a metric
  whose function only works for a month passes ``over_range=None`` and its range figure stays blank.
- ``SHARE``: a share of the month's records (a percentage). Like ``DISTINCT``: never summed.

Only ``COUNT`` is ever summed across months; ``cumulative`` is kept for the callers that ask "may I add the
months up?" and is true exactly for counts. Undeclared, a metric is a ``COUNT`` when it was declared
additive and cumulative, otherwise ``DISTINCT``: an unknown figure is never summed.

``headline=True`` puts the metric among the dashboard's headline cards (beside those named in
``settings.STATS_HEADLINE_METRICS``). ``recorded(station, until)`` answers whether the station has any source
record for the metric up to a day; where it says no, the figure reads 未记录, not 0 (by default, a metric is
recorded once its platform has any activity in the service ledger or any stored value other than 0).
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

COUNT, STATE, DISTINCT, SHARE = "count", "state", "distinct", "share"
KINDS = (COUNT, STATE, DISTINCT, SHARE)
SAME_FUNCTION = object()  # over_range default: the monthly function called with the whole range's Period

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
    kind: str = COUNT
    over_range: object = field(default=None, compare=False)
    recorded: object = field(default=None, compare=False)

    def compute(self, period: Period) -> dict:
        """For a period of several stations ``{(station_id, community_id): value}``; for one station's
        period that station's ``{community_id: value}``."""
        result = self.func(period) or {}
        if period.several or not all(isinstance(key, tuple) for key in result):
            return result  # several stations, or a metric still written for one station at a time
        return for_station(result, period.station.pk)

    @property
    def summable(self) -> bool:
        """May monthly rows be added up across months? Only for counts."""
        return self.kind == COUNT

    def compute_range(self, station, first_day, end_day) -> dict | None:
        """The figure over [first_day, end_day) from the records, for a DISTINCT or SHARE metric; None when
        the metric has no way to count a range."""
        if self.over_range is None:
            return None
        if self.over_range is SAME_FUNCTION:
            return self.compute(Period(station=station, first_day=first_day, end_day=end_day))
        return self.over_range(station, first_day, end_day)


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
    kind: str | None = None,
    over_range=SAME_FUNCTION,
    recorded=None,
):
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r} for metric {name}")
    if kind is None:
        kind = COUNT if (cumulative if cumulative is not None else additive) else DISTINCT
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r} for metric {name}")
    if kind in (COUNT, STATE):
        over_range = None
    cumulative = kind == COUNT

    def decorator(func):
        METRICS[name] = Metric(
            name,
            label,
            unit,
            platform,
            func,
            additive,
            order,
            headline,
            cumulative,
            kind,
            over_range,
            recorded,
        )
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
