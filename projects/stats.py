"""The project platform's monthly metrics per community (contract: stats/registry.py).

A project counts in each community it serves (None for a station-wide one), and once in the station's
total (so the project figures are ``additive=False`` with a "total"); a resource counts in its project's
communities the same way; an activity in its own community. A month with nothing recorded returns {} (shown
as not recorded)."""

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from station.aggregates import add_totals, grouped, per_station
from station.models import Attendance
from stats.registry import metric

from .models import Milestone, Project, ProjectActivity, Resource

PLATFORM = "projects"


LINK_STATION = "activity__project_link__project__station_id"


def _counted_once(period, qs, station: str, key: str, value, total) -> dict:
    """Per community (a row of several communities in each) and the station's total counting it once."""
    result = grouped(qs, station, key, value)
    return add_totals(result, period, per_station(qs, station, total))


def _projects_by_community(period, qs) -> dict:
    return _counted_once(period, qs, "station_id", "communities", Count("pk"), Count("pk"))


def _projects(period):
    return Project.objects.filter(station_id__in=period.station_ids)


@metric("projects.projects_brought_in", label=_("projects introduced"), unit="个", platform=PLATFORM, order=10,
        additive=False, cumulative=True, kind="count")  # fmt: skip
def projects_brought_in(period):
    """引进: counted once, in the month the project was introduced."""
    qs = _projects(period).filter(
        origin=Project.Origin.INTRODUCED,
        introduced_on__gte=period.first_day,
        introduced_on__lt=period.end_day,
    )
    return _projects_by_community(period, qs)


def _started(period, origin):
    return (
        _projects(period)
        .filter(origin=origin, starts_on__gte=period.first_day, starts_on__lt=period.end_day)
        .exclude(status=Project.Status.DRAFT)
    )


@metric("projects.projects_in_house", label=_("projects designed in-house started"), unit="个", platform=PLATFORM,
        order=11, additive=False, cumulative=True, kind="count")  # fmt: skip
def projects_in_house(period):
    return _projects_by_community(period, _started(period, Project.Origin.IN_HOUSE))


@metric("projects.projects_contest", label=_("contest-funded projects started"), unit="个", platform=PLATFORM,
        order=12, additive=False, cumulative=True, kind="count")  # fmt: skip
def projects_contest(period):
    return _projects_by_community(period, _started(period, Project.Origin.CONTEST))


def _running_at_end(period):
    """Projects started before the month ended and not closed or terminated by then."""
    ended = Q(
        status__in=[Project.Status.CLOSED, Project.Status.TERMINATED], status_changed_on__lt=period.end_day
    )
    return (
        _projects(period)
        .filter(starts_on__lt=period.end_day)
        .exclude(status__in=[Project.Status.DRAFT, Project.Status.APPROVED])
        .exclude(ended)
    )


@metric("projects.running_projects", label=_("running projects at month end"), unit="个", platform=PLATFORM,
        order=13, additive=False, cumulative=False, kind="state")  # fmt: skip
def running_projects(period):
    return _projects_by_community(period, _running_at_end(period))


@metric("projects.in_house_share", label=_("share of projects designed in the community"), unit="%",
        platform=PLATFORM, additive=False, order=14, kind="state")  # fmt: skip
def in_house_share(period):
    """Of the projects the station has had by the month's end, the share designed in-house or funded through
    a contest: the seed's path from bringing projects in to designing its own."""
    own = Q(origin__in=[Project.Origin.IN_HOUSE, Project.Origin.CONTEST])
    qs = (
        _projects(period)
        .exclude(status=Project.Status.DRAFT)
        .filter(
            Q(introduced_on__lt=period.end_day) | Q(introduced_on__isnull=True, starts_on__lt=period.end_day)
        )
    )
    rows = (
        qs.order_by().values("station_id", "communities").annotate(n=Count("pk"), own=Count("pk", filter=own))
    )
    result = {(r["station_id"], r["communities"]): round(100 * r["own"] / r["n"], 1) for r in rows}
    stations = qs.order_by().values("station_id").annotate(n=Count("pk"), own=Count("pk", filter=own))
    totals = {r["station_id"]: round(100 * r["own"] / r["n"], 1) for r in stations}  # each project once
    return add_totals(result, period, totals)


def _resources_in(period, kind=None):
    qs = Resource.objects.filter(
        station_id__in=period.station_ids,
        direction=Resource.Direction.IN,
        on__gte=period.first_day,
        on__lt=period.end_day,
    )
    return qs.filter(kind=kind) if kind else qs


@metric("projects.money_in", label=_("money received"), unit="元", platform=PLATFORM, order=20, additive=False,
        cumulative=True, kind="count")  # fmt: skip
def money_in(period):
    return _counted_once(
        period,
        _resources_in(period, Resource.Kind.MONEY),
        "station_id",
        "project__communities",
        Sum("amount"),
        Sum("amount"),
    )


@metric("projects.goods_in", label=_("goods received, at their value"), unit="元", platform=PLATFORM, order=21,
        additive=False, cumulative=True, kind="count")  # fmt: skip
def goods_in(period):
    return _counted_once(
        period,
        _resources_in(period, Resource.Kind.GOODS),
        "station_id",
        "project__communities",
        Sum("amount"),
        Sum("amount"),
    )


@metric("projects.resources_linked", label=_("resources linked"), unit="次", platform=PLATFORM, order=22,
        additive=False, cumulative=True, kind="count")  # fmt: skip
def resources_linked(period):
    return _counted_once(
        period, _resources_in(period), "station_id", "project__communities", Count("pk"), Count("pk")
    )


def _service_links(period):
    return ProjectActivity.objects.filter(
        kind=ProjectActivity.Kind.SERVICE,
        project__station_id__in=period.station_ids,
        activity__platform="projects",
        activity__starts_at__gte=period.start,
        activity__starts_at__lt=period.end,
    )


def _attendance(period):
    return Attendance.objects.filter(activity__project_link__in=_service_links(period))


@metric("projects.beneficiaries", label=_("project beneficiaries"), unit="人", platform=PLATFORM, additive=False,
        order=30, kind="distinct")  # fmt: skip
def beneficiaries(period):
    """Distinct named people served by the projects in the month (each once), by the activity's community."""
    attendance = _attendance(period)
    result = grouped(attendance, LINK_STATION, "activity__community_id", Count("person", distinct=True))
    return add_totals(result, period, per_station(attendance, LINK_STATION, Count("person", distinct=True)))


@metric(
    "projects.person_times",
    label=_("project services"),
    unit="人次",
    platform=PLATFORM,
    order=31,
    kind="count",
)
def person_times(period):
    """Named attendance plus the anonymous head-counts of the projects' activities."""
    result = grouped(_attendance(period), LINK_STATION, "activity__community_id", Count("pk"))
    for key, headcount in grouped(
        _service_links(period), "project__station_id", "activity__community_id", Sum("activity__headcount")
    ).items():
        if headcount:
            result[key] = result.get(key, 0) + headcount
    return result


@metric(
    "projects.publicity",
    label=_("charity publicity events"),
    unit="次",
    platform=PLATFORM,
    order=40,
    kind="count",
)
def publicity(period):
    qs = ProjectActivity.objects.filter(
        kind=ProjectActivity.Kind.PUBLICITY,
        project__station_id__in=period.station_ids,
        activity__starts_at__gte=period.start,
        activity__starts_at__lt=period.end,
    )
    return grouped(qs, "project__station_id", "activity__community_id", Count("pk"))


@metric("projects.milestones_overdue", label=_("project reports overdue at month end"), unit="个",
        platform=PLATFORM, order=50, additive=False, cumulative=False, kind="state")  # fmt: skip
def milestones_overdue(period):
    """Reports due before the month's end (or today, for the month under way) and not in by then."""
    cut = min(period.end_day, timezone.localdate())
    qs = Milestone.objects.filter(project__station_id__in=period.station_ids, due_on__lt=cut).filter(
        Q(reported_on__isnull=True) | Q(reported_on__gte=cut)
    )
    return _counted_once(period, qs, "project__station_id", "project__communities", Count("pk"), Count("pk"))
