"""The month to date follows the workers' writes, a few minutes behind.

A record saved or deleted on any platform marks its station. After the commit, the first write of a station
in a quiet spell queues one recompute of the station's current month, ``STATS_REFRESH_SECONDS`` later; the
writes of those minutes ride on it (a cache key holds the spell, and the task itself skips a month computed
after it was asked for). The recompute is a whole month's run, written in one transaction, so every figure
of the month moves at once and carries the same 数据截至. The nightly run stays the safety net for a write
this misses (a broker that was down, a record with no way to its station).
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.utils import timezone

from station.queue import BROKER_ERRORS

logger = logging.getLogger(__name__)

# Records that are not figures: the rollup's own tables (a loop otherwise), sign-ins, the audit trail.
SKIPPED_APPS = {"stats", "admin", "auth", "contenttypes", "sessions", "axes", "django_celery_beat"}
SKIPPED_MODELS = {"station.auditevent", "station.notification", "station.staffprofile"}


def _station_of_community(community_id, seen: dict | None = None):
    """A community's station, remembered for an hour (communities do not change stations), and in ``seen``
    for the rest of a batch (one cache call a community, not one a record)."""
    if seen is not None and community_id in seen:
        return seen[community_id]

    def read():
        from station.models import Community

        return Community.objects.filter(pk=community_id).values_list("station_id", flat=True).first()

    try:
        found = cache.get_or_set(f"stats:community-station:{community_id}", read, timeout=3600)
    except Exception:  # a cache that does not answer never fails the write that asked
        found = read()
    if seen is not None:
        seen[community_id] = found
    return found


def _loaded(instance, name):
    """The related record already in memory (a form or an import assigns the object), else None."""
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return getattr(instance, name) if field.is_cached(instance) else None


def station_of(instance, seen: dict | None = None):
    """The station whose figures a record counts in, or None: its station, its community's, its activity's,
    its person's community's. No query for a record that carries its station or community, or whose activity
    or person is in memory (forms and imports); otherwise one. ``seen``: the communities' stations already
    found for the batch the record is in."""
    from station.models import Activity, Person

    if getattr(instance, "station_id", None):
        return instance.station_id
    if getattr(instance, "community_id", None):
        return _station_of_community(instance.community_id, seen)
    if getattr(instance, "activity_id", None):
        activity = _loaded(instance, "activity")
        if activity is not None:
            return activity.station_id
        return Activity.objects.filter(pk=instance.activity_id).values_list("station_id", flat=True).first()
    if getattr(instance, "person_id", None):
        person = _loaded(instance, "person")
        if person is not None:
            community_id = person.community_id
        else:
            community_id = (
                Person.objects.filter(pk=instance.person_id).values_list("community_id", flat=True).first()
            )
        return _station_of_community(community_id, seen) if community_id else None
    return None


def record_written(sender, instance, **kwargs):
    """post_save / post_delete: queue the station's month to date once the write is committed."""
    if kwargs.get("raw") or not settings.STATS_REFRESH_SECONDS:
        return
    meta = sender._meta
    if meta.app_label in SKIPPED_APPS or meta.label_lower in SKIPPED_MODELS:
        return
    station_id = station_of(instance)
    if station_id:
        transaction.on_commit(lambda: refresh_soon(station_id))


def records_written(sender, instances, **kwargs):
    """``station.signals.records_written`` (a batch written at once): each station's month to date once."""
    if not settings.STATS_REFRESH_SECONDS:
        return
    from .signals import stations_of

    for station_id in set(stations_of(sender, instances).values()) - {None}:
        transaction.on_commit(lambda station_id=station_id: refresh_soon(station_id))


def refresh_soon(station_id: int) -> bool:
    """Queue one recompute of the station's current month, unless one is already waiting. True if queued."""
    from .tasks import refresh_month_to_date

    delay = settings.STATS_REFRESH_SECONDS
    try:
        if not cache.add(f"stats:refresh:{station_id}", 1, timeout=delay):
            return False
    except Exception as exc:  # a cache that does not answer: queue anyway, the task skips a repeat
        logger.warning("cache unavailable, queueing the month to date of station %s: %s", station_id, exc)
    try:
        refresh_month_to_date.apply_async(
            args=(station_id, timezone.now().isoformat()), countdown=delay, retry=False
        )
    except BROKER_ERRORS as exc:
        try:
            cache.delete(f"stats:refresh:{station_id}")
        except Exception:  # noqa: S110 - the key expires by itself
            pass
        logger.warning(
            "broker unavailable, month to date of station %s left to the nightly run: %s", station_id, exc
        )
        return False
    return True
