"""The demo's statistics: the last twelve months rolled up, so the dashboards have figures at once."""

from django.utils import timezone

from .registry import add_months, month_start
from .rollup import rollup_month


def seed_rollup(station, rng):
    this_month = month_start(timezone.localdate())
    for back in range(11, -1, -1):
        rollup_month(station=station, month=add_months(this_month, -back))
