"""The visit plan: who is due, who is overdue, and each month's coverage.

A watched person's cycle runs from their last visit of a counting kind (or from the day the watch began).
With a weekly cycle and a visit on day 0, a visit on day 7 keeps them covered; on day 8 they are overdue:
a day ``d`` is late when ``d - base > cycle``, where ``base`` is the last counting visit before ``d``
(a visit made on a late day was itself late).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from .models import Visit, VisitRequest, WatchEntry, tier_cycle


@dataclass
class WatchStatus:
    entry: WatchEntry
    last_visit: date | None
    due_on: date
    day: date

    @property
    def days_late(self) -> int:
        return max(0, (self.day - self.due_on).days)

    @property
    def overdue(self) -> bool:
        return self.day > self.due_on


def _last_visit_columns(day: date) -> dict:
    """One subquery per visit kind: the last visit of that kind on or before ``day``."""
    columns = {}
    for kind in Visit.Kind.values:
        last = (
            Visit.objects.filter(person_id=OuterRef("person_id"), kind=kind, visited_on__lte=day)
            .order_by()
            .values("person_id")
            .annotate(last=Max("visited_on"))
            .values("last")
        )
        columns[f"last_{kind}"] = Subquery(last)
    return columns


def watch_statuses(entries: QuerySet[WatchEntry], day: date | None = None) -> list[WatchStatus]:
    """Every open watch entry in ``entries`` with its last counting visit and due date, in one query."""
    day = day or timezone.localdate()
    rows = (
        entries.filter(started_on__lte=day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        .select_related("person__community", "worker")
        .annotate(**_last_visit_columns(day))
    )
    statuses = []
    for entry in rows:
        cycle = tier_cycle(entry.tier)
        visits = [getattr(entry, f"last_{kind}") for kind in cycle["kinds"]]
        last = max((v for v in visits if v is not None), default=None)
        base = max(entry.started_on, last) if last else entry.started_on
        statuses.append(WatchStatus(entry, last, base + timedelta(days=cycle["days"]), day))
    return statuses


def overdue_statuses(entries: QuerySet[WatchEntry], day: date | None = None) -> list[WatchStatus]:
    late = [s for s in watch_statuses(entries, day) if s.overdue]
    return sorted(late, key=lambda s: (-s.days_late, s.entry.person.name))


def overdue_requests(requests: QuerySet[VisitRequest], now=None) -> QuerySet[VisitRequest]:
    now = now or timezone.now()
    return requests.filter(visit__isnull=True, due_at__lt=now).select_related(
        "person__community", "assigned_to"
    )


def _late_in(visits: list[date], started_on: date, cycle: int, first: date, last: date) -> bool:
    """True if any day in [first, last] is late for a person watched since ``started_on``."""
    base = started_on
    for visited in visits:
        if visited < base:
            continue
        if visited > last:
            break
        late_from = base + timedelta(days=cycle + 1)
        if late_from <= visited and late_from <= last and visited >= first:
            return True
        base = visited
    late_from = base + timedelta(days=cycle + 1)
    return late_from <= last and max(late_from, first) <= last


def coverage(station, first_day: date, end_day: date, today: date | None = None) -> dict:
    """Visit-plan coverage for [first_day, end_day): {community_id: (covered, watched)}.

    A person counts as watched if under watch on some day of the period up to today, and as covered if no
    such day found them overdue. Two queries: the watch entries, then their visits.
    """
    today = today or timezone.localdate()
    last_day = min(end_day - timedelta(days=1), today)
    if last_day < first_day:
        return {}
    entries = list(
        WatchEntry.objects.filter(person__community__station=station, started_on__lte=last_day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first_day))
        .values("person_id", "person__community_id", "tier", "started_on", "ended_on")
    )
    if not entries:
        return {}
    longest = max(c["days"] for c in settings.CASES_VISIT_CYCLES.values())
    window_start = first_day - timedelta(days=longest + 1)
    visits_by_person = defaultdict(list)
    for person_id, kind, visited_on in (
        Visit.objects.filter(
            person_id__in={e["person_id"] for e in entries},
            visited_on__gte=window_start,
            visited_on__lte=last_day,
        )
        .order_by("visited_on")
        .values_list("person_id", "kind", "visited_on")
    ):
        visits_by_person[person_id].append((kind, visited_on))
    # A person whose tier changed has several entries in the period: they count once, covered only if
    # no entry found them overdue.
    watched, late = {}, set()
    for e in entries:
        cycle = tier_cycle(e["tier"])
        first = max(first_day, e["started_on"])
        last = min(last_day, e["ended_on"] or last_day)
        if last < first:
            continue
        # Before the window we know nothing: starting the cycle the day before the window is safe, since
        # a person unvisited throughout the window is late on the period's first day whatever came before.
        started = max(e["started_on"], window_start - timedelta(days=1))
        counted = [d for kind, d in visits_by_person[e["person_id"]] if kind in cycle["kinds"]]
        watched[e["person_id"]] = e["person__community_id"]
        if _late_in(counted, started, cycle["days"], first, last):
            late.add(e["person_id"])
    result: dict = defaultdict(lambda: [0, 0])
    for person_id, community_id in watched.items():
        result[community_id][1] += 1
        if person_id not in late:
            result[community_id][0] += 1
    return {k: tuple(v) for k, v in result.items()}


def coverage_percent(covered: int, watched: int) -> float | None:
    return round(100 * covered / watched, 1) if watched else None
