"""Grouped aggregates for the monthly metrics (``<app>/stats.py``): one query answers a month for every
station of a period at once, keyed ``(station_id, community_id)``; ``(station_id, "total")`` holds a station's
own figure where communities cannot be summed, ``(station_id, None)`` what belongs to no community."""

from collections import defaultdict

from django.db import connections


def grouped(qs, station: str, key: str, value) -> dict:
    """``{(station_id, key): value}`` from one GROUP BY station, key."""
    rows = qs.order_by().values(station, key).annotate(v=value).values_list(station, key, "v")
    return {(s, k): v for s, k, v in rows}


def per_station(qs, station: str, value) -> dict:
    """``{station_id: value}`` from one GROUP BY station."""
    return dict(qs.order_by().values(station).annotate(v=value).values_list(station, "v"))


def add_totals(result: dict, period, totals: dict, *, always: bool = False, default=0) -> dict:
    """Put ``totals[station_id]`` under ``(station_id, "total")``: for every station of the period when
    ``always``, else only for those with a figure in ``result``."""
    present = {s for s, _k in result}
    for station_id in period.station_ids:
        if always or station_id in present:
            result[(station_id, "total")] = totals.get(station_id) or default
    return result


def sum_totals(result: dict, period, *, always: bool = False) -> dict:
    """Each station's total as the sum of its communities' figures (people live in one community)."""
    totals = defaultdict(int)
    for (s, _k), v in result.items():
        totals[s] += v or 0
    return add_totals(result, period, totals, always=always)


def each_station(period, body) -> dict:
    """For a figure that cannot be grouped in SQL: ``body(single-station period)`` returns ``{key: value}``
    for one station, run once per station of the period."""
    result = {}
    for station in period.stations:
        for key, value in (body(period.for_station(station)) or {}).items():
            result[(station.pk, key)] = value
    return result


def for_station(result: dict, station_id) -> dict:
    """One station's ``{community_id or None or "total": value}`` out of a grouped result."""
    return {k: v for (s, k), v in result.items() if s == station_id}


def count_distinct(pairs) -> dict:
    """``{group: how many distinct keys}`` from ``(key, group)`` pairs, a group being ``(station_id,
    community_id)``: for figures counted in Python (households, where a person alone is a household)."""
    result: dict = {}
    for _key, group in set(pairs):
        result[group] = result.get(group, 0) + 1
    return result


def count_groups(qs, keys: list, at_least: dict, sums: dict | None = None) -> dict:
    """Aggregate a grouped queryset (``.values(...).annotate(...)``: one row per group, e.g. per person) once
    more, in SQL: grouped by ``keys`` (some of its columns), how many of its rows have a column at or above a
    minimum (``at_least``: ``{name: (column, minimum)}``) and the sum of a column (``sums``: ``{name:
    column}``). ``{tuple of the keys' values: {name: number}}``; a figure counted over no row reads 0."""
    sums = sums or {}
    connection = connections[qs.db]
    quote = connection.ops.quote_name
    inner, params = qs.query.sql_with_params()
    figures = [f"SUM(CASE WHEN {quote(column)} >= %s THEN 1 ELSE 0 END)" for column, _m in at_least.values()]
    figures += [f"SUM({quote(column)})" for column in sums.values()]
    columns = ", ".join(quote(key) for key in keys)
    sql = f"SELECT {columns}, {', '.join(figures)} FROM ({inner}) grouped GROUP BY {columns}"
    names = [*at_least, *sums]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*[minimum for _c, minimum in at_least.values()], *params])
        return {
            tuple(row[: len(keys)]): {
                name: value or 0 for name, value in zip(names, row[len(keys) :], strict=True)
            }
            for row in cursor.fetchall()
        }
