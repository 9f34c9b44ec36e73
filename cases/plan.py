"""The visit plan: who is due, who is overdue, and each month's coverage (``COVERAGE_DEFINITION``).

A watched person's cycle runs from their last visit of a counting kind (or from the day the watch began).
With a weekly cycle and a visit on day 0, a visit on day 7 keeps them covered; on day 8 they are overdue:
a day ``d`` is late when ``d - base > cycle``, where ``base`` is the last counting visit before ``d``
(a visit made on a late day was itself late).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Tier, Visit, VisitRequest, WatchEntry, tier_cycle


@dataclass
class WatchStatus:
    entry: WatchEntry
    last_visit: date | None  # the last visit of a kind that counts for the tier
    due_on: date
    day: date
    last_any_visit: date | None = None  # the last visit of any kind (a phone call for key watch, say)

    @property
    def days_late(self) -> int:
        return max(0, (self.day - self.due_on).days)

    @property
    def overdue(self) -> bool:
        return self.day > self.due_on

    @property
    def rule(self) -> str:
        return tier_rule(self.entry.tier)


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
        any_kind = [getattr(entry, f"last_{kind}") for kind in Visit.Kind.values]
        last_any = max((v for v in any_kind if v is not None), default=None)
        statuses.append(WatchStatus(entry, last, base + timedelta(days=cycle["days"]), day, last_any))
    return statuses


def tier_rule(tier: str) -> str:
    """The tier's rule in words, from its settings: "重点：每30天入户探访一次；电话探访不计"."""
    cycle = tier_cycle(tier)
    labels = dict(Visit.Kind.choices)
    counted = [str(labels[k]) for k in Visit.Kind.values if k in cycle["kinds"]]
    ignored = [str(labels[k]) for k in Visit.Kind.values if k not in cycle["kinds"]]
    values = {"tier": Tier(tier).label, "days": cycle["days"], "kinds": gettext(", ").join(counted)}
    if not ignored:
        return gettext("%(tier)s: a visit every %(days)d days (%(kinds)s)") % values
    rule = gettext("%(tier)s: one %(kinds)s every %(days)d days") % values
    return rule + gettext("; %(kinds)s do not count") % {"kinds": gettext(", ").join(ignored)}


def tier_rules() -> list[str]:
    return [tier_rule(tier) for tier in Tier.values if tier in settings.CASES_VISIT_CYCLES]


def overdue_statuses(entries: QuerySet[WatchEntry], day: date | None = None) -> list[WatchStatus]:
    late = [s for s in watch_statuses(entries, day) if s.overdue]
    return sorted(late, key=lambda s: (-s.days_late, s.entry.person.name))


def overdue_requests(requests: QuerySet[VisitRequest], now=None) -> QuerySet[VisitRequest]:
    now = now or timezone.now()
    return requests.filter(visit__isnull=True, due_at__lt=now).select_related(
        "person__community", "assigned_to"
    )


# The one definition of coverage, shown on the coverage page and in the monthly report's footnote.
COVERAGE_DEFINITION = _(
    "Visit-plan coverage: of the people on the watch list during the month, the share who, as of the "
    "month's end (or today, for the month in progress), had a visit of a kind that counts for their tier "
    "within their tier's cycle (for example a home visit within the last 30 days for key watch). A person "
    "put on the list shortly before the month's end and not yet visited is not covered."
)
VISITED_DEFINITION = _(
    "Visited in the month: of the same people, the share who had a visit of any kind (phone or home) "
    "between the month's first and last day."
)


class Coverage(NamedTuple):
    covered: int
    visited: int
    watched: int


def coverage_figures(station, first_day: date, end_day: date, today: date | None = None) -> dict:
    """Coverage of [first_day, end_day) per community of one station: {community_id: Coverage(covered,
    visited, watched)}; see ``coverage_by_station``."""
    figures = coverage_by_station([station.pk], first_day, end_day, today)
    return {community: c for (_station, community), c in figures.items()}


def coverage_by_station(station_ids, first_day: date, end_day: date, today: date | None = None) -> dict:
    """Coverage of [first_day, end_day) per community of several stations at once: {(station_id,
    community_id): Coverage(covered, visited, watched)}.

    Watched: under watch on some day of the month (up to today). Each person is judged on the last day they
    were watched in the month, with the tier in force that day: covered if a visit of a counting kind falls
    within the tier's cycle before that day (``day - visited <= cycle``); visited if any visit falls in the
    month. Two queries whatever the number of stations: the watch entries, then their visits.
    """
    today = today or timezone.localdate()
    last_day = min(end_day - timedelta(days=1), today)
    if last_day < first_day:
        return {}
    entries = (
        WatchEntry.objects.filter(person__community__station_id__in=station_ids, started_on__lte=last_day)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first_day))
        .values(
            "person_id",
            "person__community__station_id",
            "person__community_id",
            "tier",
            "started_on",
            "ended_on",
        )
    )
    # A person whose tier changed has several entries in the month: the one in force on their last day.
    judged = {}
    for e in entries:
        day = min(last_day, e["ended_on"] or last_day)
        key = (day, e["started_on"])
        if e["person_id"] not in judged or key > judged[e["person_id"]][0]:
            judged[e["person_id"]] = (key, e)
    if not judged:
        return {}
    longest = max(c["days"] for c in settings.CASES_VISIT_CYCLES.values())
    visits_by_person = defaultdict(list)
    for person_id, kind, visited_on in Visit.objects.filter(
        person_id__in=judged.keys(),
        visited_on__gte=first_day - timedelta(days=longest),
        visited_on__lte=last_day,
    ).values_list("person_id", "kind", "visited_on"):
        visits_by_person[person_id].append((kind, visited_on))
    result: dict = defaultdict(lambda: [0, 0, 0])
    for person_id, ((day, _started), e) in judged.items():
        cycle = tier_cycle(e["tier"])
        visits = visits_by_person[person_id]
        row = result[(e["person__community__station_id"], e["person__community_id"])]
        row[0] += any(k in cycle["kinds"] and 0 <= (day - d).days <= cycle["days"] for k, d in visits)
        row[1] += any(first_day <= d for _k, d in visits)
        row[2] += 1
    return {key: Coverage(*row) for key, row in result.items()}


def coverage(station, first_day: date, end_day: date, today: date | None = None) -> dict:
    """{community_id: (covered, watched)} for [first_day, end_day); see ``coverage_figures``."""
    return {
        community: (c.covered, c.watched)
        for community, c in coverage_figures(station, first_day, end_day, today).items()
    }


def coverage_percent(covered: int, watched: int) -> float | None:
    return round(100 * covered / watched, 1) if watched else None
