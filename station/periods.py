"""Months and periods in the station's time zone (Asia/Shanghai): the calendar every figure is counted by."""

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings


class _SeveralStations:
    """The ``station`` of a period of several stations: code that reads one station fails loudly here."""

    def __getattr__(self, name):
        raise AttributeError(f"a period of several stations has no single station's {name}")

    def __repr__(self):
        return "<several stations>"


SEVERAL_STATIONS = _SeveralStations()


@dataclass(frozen=True)
class Period:
    station: object
    first_day: date  # inclusive, local (Asia/Shanghai) date
    end_day: date  # exclusive
    several: tuple = ()  # the rollup's period: several stations at once (``station`` is SEVERAL_STATIONS)

    @property
    def stations(self) -> tuple:
        return self.several or (self.station,)

    @property
    def station_ids(self) -> list:
        return [s.pk for s in self.stations]

    def for_station(self, station) -> "Period":
        return Period(station=station, first_day=self.first_day, end_day=self.end_day)

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


def stations_month_period(stations, year: int, month: int) -> Period:
    """One month for several stations at once: the metrics group their figures by station."""
    one = month_period(None, year, month)
    return Period(
        station=SEVERAL_STATIONS, first_day=one.first_day, end_day=one.end_day, several=tuple(stations)
    )


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


def quarter_of(day: date) -> tuple[int, int]:
    """date(2025, 8, 3) -> (2025, 3)."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """First day and the day after the last (exclusive) of a quarter."""
    first = date(year, 3 * (quarter - 1) + 1, 1)
    return first, add_months(first, 3)


def previous_quarter(day: date) -> tuple[int, int]:
    """The quarter before the one the day is in: (2025, 1) for any day of April to June 2025."""
    year, quarter = quarter_of(day)
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)
