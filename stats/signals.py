"""Closed months follow late records: a write dated in a month whose rollup is already final marks that
month stale, in the same transaction as the write; the rollup's catch-up recomputes it and records the
revision (``RollupRun.revised_at``).

The source records are named by label, so the statistics import no app: for each, the field that dates it
and the path to its station. Only a write dated before the current month costs anything (one small
query); bulk writes that send no signal are caught by recomputing the month on demand.
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
