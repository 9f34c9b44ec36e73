"""Closed months follow late records: a write dated in a month whose rollup is already final marks that
month stale, in the same transaction as the write; the rollup's catch-up recomputes it and records the
revision (``RollupRun.revised_at``).

The source records are named by label, so the statistics import no app: for each, the field that dates it
and the path to its station. Only a write dated before the current month costs anything (one small
query). A service that writes many records at once sends ``station.signals.records_written``
(``bulk_create`` sends no ``post_save``): a whole imported file costs one query for the final runs of the
months it touches.
"""

from datetime import datetime

from django.conf import settings
from django.db.models import Subquery
from django.db.models.signals import post_delete
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from station.periods import month_start

# label: (the record's date, an attribute path on the instance; its station, a lookup path from the record).
TRACKED = {
    "station.activity": ("starts_at", "station_id"),
    "station.attendance": ("activity.starts_at", "activity__station_id"),
    "station.need": ("raised_at", "person__community__station_id"),
    "cases.visit": ("visited_on", "person__community__station_id"),
    "cases.case": ("opened_on", "station_id"),
    "volunteers.servicerecord": ("service_date", "volunteer__person__community__station_id"),
}


def _follow(instance, path: str):
    value = instance
    for name in path.split("."):
        value = getattr(value, name, None)
        if value is None:
            return None
    return value


def mark_stale(sender, instance, raw=False, **kwargs):
    paths = TRACKED.get(sender._meta.label_lower)
    if paths is None or raw:
        return
    day = _follow(instance, paths[0])
    if day is None:
        return
    if isinstance(day, datetime):
        day = timezone.localdate(day)
    month = month_start(day)
    if month >= month_start(timezone.localdate()):
        return  # the month under way is never final
    from .models import RollupRun, StaleMonth

    if kwargs.get("signal") is post_delete:
        station = _follow(instance, paths[1].replace("__", "."))
    else:  # the record's station, read in the same query that looks for the month's final run
        station = Subquery(sender._base_manager.filter(pk=instance.pk).values(paths[1])[:1])
    station_id = (
        RollupRun.objects.filter(station_id=station, month=month, status=RollupRun.Status.DONE, final=True)
        .values_list("station_id", flat=True)
        .first()
    )
    if station_id is None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("late record: %(record)s of %(day)s") % {
            "record": sender._meta.verbose_name,
            "day": f"{day:%Y-%m-%d}",
        }
    StaleMonth.objects.get_or_create(station_id=station_id, month=month, defaults={"reason": reason[:200]})


def stations_of(sender, instances) -> dict:
    """{record pk: its station id} for a batch of saved records: from what is in memory where that tells
    (``freshness.station_of``), else by the record's path to its station, in one query per 5,000 records."""
    from .freshness import station_of

    seen: dict = {}
    found = {instance.pk: station_of(instance, seen) for instance in instances}
    path = TRACKED.get(sender._meta.label_lower, (None, None))[1]
    missing = [pk for pk, station_id in found.items() if station_id is None and pk is not None]
    for start in range(0, len(missing) if path else 0, 5000):
        chunk = missing[start : start + 5000]
        found.update(sender._base_manager.filter(pk__in=chunk).values_list("pk", path))
    return found


def mark_stale_many(sender, instances, **kwargs):
    """``records_written``: the final months a batch of records falls in are marked stale, once each."""
    paths = TRACKED.get(sender._meta.label_lower)
    if paths is None or not instances:
        return
    from .models import RollupRun, StaleMonth

    this_month = month_start(timezone.localdate())
    dated = []
    for instance in instances:
        day = _follow(instance, paths[0])
        if isinstance(day, datetime):
            day = timezone.localdate(day)
        if day is not None and month_start(day) < this_month:
            dated.append((instance, day))
    stations = stations_of(sender, [instance for instance, _day in dated])
    days: dict[tuple[int, object], list] = {}
    for instance, day in dated:
        station_id = stations.get(instance.pk)
        if station_id:
            days.setdefault((station_id, month_start(day)), []).append(day)
    if not days:
        return
    final = RollupRun.objects.filter(
        station_id__in={s for s, _m in days},
        month__in={m for _s, m in days},
        status=RollupRun.Status.DONE,
        final=True,
    ).values_list("station_id", "month")
    for key in set(final) & set(days):
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("late records: %(n)d %(record)s of %(first)s to %(last)s") % {
                "n": len(days[key]),
                "record": sender._meta.verbose_name,
                "first": f"{min(days[key]):%Y-%m-%d}",
                "last": f"{max(days[key]):%Y-%m-%d}",
            }
        StaleMonth.objects.get_or_create(station_id=key[0], month=key[1], defaults={"reason": reason[:200]})
