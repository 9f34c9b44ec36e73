"""The platform's monthly figures per community."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from projects import services
from projects import stats as project_stats
from projects.models import Project, Resource
from station.models import Activity, Attendance
from station.periods import month_period
from stats.registry import get_metric
from tests.factories import PersonFactory
from tests.helpers import OneStation

from .factories import MilestoneFactory, PartnerUnitFactory, ProjectFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")

stats = OneStation(project_stats)


def test_a_project_introduced_in_one_month_is_counted_in_that_month_only(station, community_a):
    ProjectFactory(station=station, community=community_a, origin=Project.Origin.INTRODUCED,
                   introduced_on=date(2026, 3, 31), starts_on=date(2026, 4, 10))  # fmt: skip
    march, april = month_period(station, 2026, 3), month_period(station, 2026, 4)
    assert stats.projects_brought_in(march) == {community_a.pk: 1, "total": 1}
    assert stats.projects_brought_in(april) == {}
    assert stats.projects_brought_in(month_period(station, 2026, 2)) == {}
    assert get_metric("projects.projects_brought_in").unit == "个"


def test_in_house_and_contest_projects_count_in_the_month_they_start(station, community_a):
    ProjectFactory(station=station, community=community_a, origin="in_house", starts_on=date(2026, 5, 1))
    ProjectFactory(station=station, community=None, origin="contest", starts_on=date(2026, 5, 31))
    ProjectFactory(station=station, origin="in_house", starts_on=date(2026, 5, 2), status="draft")  # not yet
    may = month_period(station, 2026, 5)
    assert stats.projects_in_house(may) == {community_a.pk: 1, "total": 1}
    assert stats.projects_contest(may) == {None: 1, "total": 1}


def test_the_share_of_own_projects_follows_the_seeds_path(station, community_a):
    for day in (date(2025, 1, 5), date(2025, 2, 5), date(2025, 3, 5)):
        ProjectFactory(
            station=station, community=community_a, origin="introduced", introduced_on=day, starts_on=day
        )
    ProjectFactory(station=station, community=community_a, origin="in_house", starts_on=date(2025, 6, 1))
    assert stats.in_house_share(month_period(station, 2024, 12)) == {}  # nothing recorded: not 0 %
    assert stats.in_house_share(month_period(station, 2025, 3))["total"] == 0
    assert stats.in_house_share(month_period(station, 2025, 6))["total"] == 25.0


def test_money_goods_and_linked_resources_by_the_projects_community(station, community_a, worker):
    project = ProjectFactory(station=station, community=community_a)
    funder = PartnerUnitFactory(station=station)
    day = date(2026, 7, 20)
    services.resource_record(resource=Resource(station=station, kind="money", partner=funder, on=day, project=project,
                                               amount=Decimal(5000)), actor=worker)  # fmt: skip
    services.resource_record(resource=Resource(station=station, kind="goods", partner=funder, on=day,
                                               description="书包", quantity=30, amount=Decimal(1500)), actor=worker)  # fmt: skip
    july = month_period(station, 2026, 7)
    assert stats.money_in(july) == {community_a.pk: Decimal(5000), "total": Decimal(5000)}
    assert stats.goods_in(july) == {None: Decimal(1500), "total": Decimal(1500)}
    assert stats.resources_linked(july) == {community_a.pk: 1, None: 1, "total": 2}


def test_beneficiaries_count_each_person_once_and_services_count_every_time(station, community_a, worker):
    project = ProjectFactory(station=station, community=community_a)
    person = PersonFactory(community=community_a)
    for day in (3, 17):
        starts = datetime.combine(date(2026, 8, day), time(9), tzinfo=SHANGHAI)
        link = services.project_activity_record(
            project=project, actor=worker,
            activity=Activity(title="活动", starts_at=starts, ends_at=starts + timedelta(hours=1), headcount=4),
        )  # fmt: skip
        Attendance.objects.create(activity=link.activity, person=person)
    august = month_period(station, 2026, 8)
    assert stats.beneficiaries(august) == {community_a.pk: 1, "total": 1}
    assert stats.person_times(august) == {community_a.pk: 10}
    assert stats.beneficiaries(month_period(station, 2026, 9)) == {}


def test_reports_overdue_at_the_months_end(station, community_a):
    project = ProjectFactory(station=station, community=community_a)
    MilestoneFactory(project=project, due_on=date(2025, 1, 20))  # never came in
    MilestoneFactory(project=project, due_on=date(2025, 1, 20), reported_on=date(2025, 1, 25))
    MilestoneFactory(project=project, due_on=date(2025, 1, 20), reported_on=date(2025, 2, 3))
    assert stats.milestones_overdue(month_period(station, 2025, 1)) == {community_a.pk: 2, "total": 2}


def test_a_project_of_two_communities_counts_in_each_and_once_in_the_station_total(
    station, community_a, community_b, worker
):
    from stats.rollup import compute_rows

    project = ProjectFactory(station=station, communities=[community_a, community_b], origin="introduced",
                             introduced_on=date(2026, 3, 5), starts_on=date(2026, 3, 5))  # fmt: skip
    ProjectFactory(
        station=station, community=community_a, origin="introduced", introduced_on=date(2026, 3, 9)
    )
    services.resource_record(resource=Resource(station=station, kind="money", partner=PartnerUnitFactory(
        station=station), on=date(2026, 3, 20), project=project, amount=Decimal(1000)), actor=worker)  # fmt: skip
    march = month_period(station, 2026, 3)
    assert stats.projects_brought_in(march) == {community_a.pk: 2, community_b.pk: 1, "total": 2}
    assert stats.money_in(march) == {community_a.pk: 1000, community_b.pk: 1000, "total": 1000}
    assert stats.running_projects(march)["total"] == 1  # the other one has not started
    rows = compute_rows(
        station=station, month=date(2026, 3, 1), now=None, community_ids={community_a.pk, community_b.pk},
        metrics=[get_metric("projects.projects_brought_in"), get_metric("projects.money_in")],
    )  # fmt: skip
    figures = {(row.metric, row.community_id): row.value for row in rows}
    assert figures[("projects.projects_brought_in", None)] == 2  # the station's total: each project once
    assert figures[("projects.money_in", None)] == 1000
    assert figures[("projects.projects_brought_in", community_b.pk)] == 1
