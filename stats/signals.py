"""Closed months follow late records: a write dated in a month whose rollup is already final marks that
month stale, in the same transaction as the write; the rollup's catch-up recomputes it and records the
revision (``RollupRun.revised_at``).

The source records are named by label, so the statistics import no app: for each, the field that dates it
and the path to its station. Only a write dated before the current month costs anything (two or three
small queries); bulk writes that send no signal are caught by recomputing the month on demand.
"""

from datetime import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from station.periods import month_start

# label: (the record's date, its station), each an attribute path on the instance.
TRACKED = {
    "station.activity": ("starts_at", "station_id"),
    "station.attendance": ("activity.starts_at", "activity.station_id"),
    "station.need": ("raised_at", "person.community.station_id"),
    "cases.visit": ("visited_on", "person.community.station_id"),
    "cases.case": ("opened_on", "station_id"),
    "volunteers.servicerecord": ("service_date", "volunteer.person.community.station_id"),
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
    station_id = _follow(instance, paths[1])
    if station_id is None:
        return
    from .models import RollupRun, StaleMonth

    final = RollupRun.objects.filter(
        station_id=station_id, month=month, status=RollupRun.Status.DONE, final=True
    ).exists()
    if final:
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("late record: %(record)s of %(day)s") % {
                "record": sender._meta.verbose_name,
                "day": f"{day:%Y-%m-%d}",
            }
        StaleMonth.objects.get_or_create(
            station_id=station_id, month=month, defaults={"reason": reason[:200]}
        )
