"""Recompute the statistics rollup on demand.

python manage.py rollup_stats --month 2025-07
python manage.py rollup_stats --month 2025-07 --to 2026-06          # a year's backfill
python manage.py rollup_stats --month 2025-07 --metric station.activities --station 3
"""

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from station.models import Station
from stats.registry import months_between, parse_month
from stats.rollup import metrics_named, rollup_month


class Command(BaseCommand):
    help = "Recompute the monthly statistics rollup for one month or a range of months."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="First month, YYYY-MM.")
        parser.add_argument("--to", help="Last month, YYYY-MM (default: the same month).")
        parser.add_argument(
            "--metric", action="append", dest="metrics", help="Only this metric (repeatable)."
        )
        parser.add_argument("--station", type=int, action="append", dest="stations", help="Station id.")

    def handle(self, *args, month, to=None, metrics=None, stations=None, **options):
        try:
            first = parse_month(month)
            last = parse_month(to) if to else first
        except ValueError as exc:
            raise CommandError(f"Give months as YYYY-MM: {exc}") from exc
        if last < first:
            raise CommandError("--to must not be before --month.")
        try:
            metrics_named(metrics)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        qs = Station.objects.order_by("pk")
        if stations:
            qs = qs.filter(pk__in=stations)
            missing = set(stations) - set(qs.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"No station with id {', '.join(map(str, sorted(missing)))}.")
        started = time.perf_counter()
        count = 0
        for station in qs:
            for m in months_between(first, last):
                rollup_month(station=station, month=m, metric_names=metrics)
                count += 1
                self.stdout.write(f"{station.pk} {station.name} {m:%Y-%m} done")
        self.stdout.write(
            self.style.SUCCESS(f"{count} station-months recomputed in {time.perf_counter() - started:.2f}s")
        )
