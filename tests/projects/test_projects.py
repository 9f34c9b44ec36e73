"""Projects: the status machine, resources (money and goods), milestones overdue from their dates, outcomes
filled from the project's own activities, who sees what."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from projects import selectors, services
from projects.models import Outcome, Project, ProjectActivity, Resource
from station.models import Activity, Attendance, AuditEvent
from tests.factories import PersonFactory

from .factories import MilestoneFactory, PartnerUnitFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_a_project_moves_draft_approved_running_closing_closed_and_every_move_is_audited(
    station, worker, head
):
    project = services.project_save(
        project=Project(
            station=station, title="四点半课堂", origin=Project.Origin.IN_HOUSE, category="children"
        ),
        actor=worker,
    )
    assert project.status == Project.Status.DRAFT
    with pytest.raises(PermissionDenied):
        services.project_move(project=project, to=Project.Status.APPROVED, actor=worker)  # the head approves
    for to, actor in (("approved", head), ("running", worker), ("closing", worker), ("closed", head)):
        project = services.project_move(project=project, to=to, actor=actor)
    assert project.status == "closed"
    assert AuditEvent.objects.filter(target_type="projects.Project", target_id=str(project.pk)).count() == 5


def test_a_project_cannot_skip_a_step_or_come_back_from_closed(station, worker, head):
    project = ProjectFactory(station=station, status=Project.Status.DRAFT)
    with pytest.raises(ValidationError):
        services.project_move(project=project, to=Project.Status.RUNNING, actor=head)
    project.refresh_from_db()
    assert project.status == Project.Status.DRAFT


def test_terminating_needs_a_reason_and_records_what_was_recovered(station, worker):
    project = ProjectFactory(station=station)
    with pytest.raises(ValidationError):
        services.project_move(project=project, to=Project.Status.TERMINATED, actor=worker, reason="  ")
    project.refresh_from_db()
    assert project.status == Project.Status.RUNNING
    services.project_move(
        project=project, to="terminated", actor=worker, reason="执行方解散", amount_recovered=Decimal("8000")
    )
    project.refresh_from_db()
    assert (project.status, project.termination_reason, project.amount_recovered) == (
        "terminated", "执行方解散", Decimal("8000.00")
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(termination_reason="")


def test_an_introduced_project_needs_its_date_even_past_the_service(station):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectFactory(station=station, origin=Project.Origin.INTRODUCED, introduced_on=None)


def test_a_goods_record_without_a_value_is_refused(station, worker):
    shop = PartnerUnitFactory(station=station, name="便民超市")
    goods = Resource(station=station, kind="goods", partner=shop, on=timezone.localdate(), description="大米",
                     quantity=Decimal(20))  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        services.resource_record(resource=goods, actor=worker)
    assert "amount" in refused.value.message_dict
    assert not Resource.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        Resource.objects.bulk_create([goods])  # the database refuses it too


def test_money_and_goods_at_their_value_add_up_on_the_project(station, worker):
    project = ProjectFactory(station=station)
    funder, shop = PartnerUnitFactory(station=station), PartnerUnitFactory(station=station)
    today = timezone.localdate()
    services.resource_record(
        resource=Resource(
            station=station, kind="money", partner=funder, on=today, project=project, amount=20000
        ),
        actor=worker,
    )
    services.resource_record(
        resource=Resource(station=station, kind="goods", partner=shop, on=today, project=project, description="油",
                          quantity=10, amount=Decimal("1200.50")),
        actor=worker,
    )  # fmt: skip
    money = selectors.money_summary(project)
    assert (money["money_in"], money["goods_in"], money["resources_in"]) == (
        Decimal(20000),
        Decimal("1200.50"),
        2,
    )


def test_a_partner_of_another_station_is_refused(station, other_station, worker):
    stranger = PartnerUnitFactory(station=other_station)
    with pytest.raises(ValidationError):
        services.resource_record(
            resource=Resource(
                station=station, kind="money", partner=stranger, on=timezone.localdate(), amount=5
            ),
            actor=worker,
        )


def test_a_milestone_is_overdue_from_its_dates_and_not_once_reported(station):
    today = timezone.localdate()
    late = MilestoneFactory(project__station=station, due_on=today - timedelta(days=3))
    MilestoneFactory(
        project=late.project, due_on=today - timedelta(days=3), reported_on=today - timedelta(days=4)
    )
    MilestoneFactory(project=late.project, due_on=today)
    assert late.days_overdue(today) == 3
    assert list(selectors.overdue_milestones(today=today)) == [late]


def _activity(project, worker, people, headcount=0, days_ago=3):
    starts = timezone.now() - timedelta(days=days_ago)
    link = services.project_activity_record(
        project=project, activity=Activity(title="助老活动", starts_at=starts, ends_at=starts + timedelta(hours=2),
                                           headcount=headcount),
        actor=worker,
    )  # fmt: skip
    Attendance.objects.bulk_create(Attendance(activity=link.activity, person=p) for p in people)
    return link


def test_an_outcome_target_filled_from_activities_counts_each_person_once(station, community_a, worker):
    project = ProjectFactory(station=station, community=community_a)
    a, b, c = (PersonFactory(community=community_a) for _ in range(3))
    _activity(project, worker, [a, b], headcount=5)
    _activity(project, worker, [a, b, c])  # a and b again
    services.project_activity_record(
        project=project, kind=ProjectActivity.Kind.PUBLICITY, reach=300, actor=worker,
        activity=Activity(title="宣传", starts_at=timezone.now(), ends_at=timezone.now()),
    )  # fmt: skip
    people = Outcome.objects.create(project=project, label="服务对象", measure="people", target=4)
    times = Outcome.objects.create(project=project, label="服务人次", measure="person_times", target=20)
    held = Outcome.objects.create(project=project, label="活动", measure="activities", target=2)
    rows = {row["outcome"].pk: row for row in selectors.outcome_rows(project)}
    assert rows[people.pk]["achieved"] == 3 and rows[people.pk]["percent"] == 75  # a, b, c: each once
    assert rows[times.pk]["achieved"] == 10  # 2 + 3 named + 5 anonymous
    assert rows[held.pk]["achieved"] == 2  # the publicity event is not a service activity
    assert Activity.objects.filter(platform="projects").count() == 3


def test_an_outcome_counted_from_activities_refuses_a_typed_figure(station, worker):
    project = ProjectFactory(station=station)
    with pytest.raises(ValidationError):
        services.outcome_save(
            outcome=Outcome(
                project=project, label="人次", measure="person_times", target=10, achieved_typed=99
            ),
            actor=worker,
        )


def test_the_project_page_shows_money_outcomes_and_an_overdue_report(station, worker, as_user):
    project = ProjectFactory(station=station, title="银龄互助")
    MilestoneFactory(project=project, title="中期报告", due_on=timezone.localdate() - timedelta(days=20))
    body = as_user(worker).get(f"/projects/{project.pk}/").content.decode()
    assert "银龄互助" in body and "中期报告" in body and "逾期 20 天" in body
    assert as_user(worker).get(f"/projects/{project.pk}/report/").status_code == 200


def test_a_cadre_sees_their_communitys_projects_and_gets_404_on_another(
    station, community_a, community_b, cadre_a, as_user
):
    mine = ProjectFactory(station=station, community=community_a)
    theirs = ProjectFactory(station=station, community=community_b)
    client = as_user(cadre_a)
    assert client.get(f"/projects/{mine.pk}/").status_code == 200
    assert client.get(f"/projects/{theirs.pk}/").status_code == 404
    assert client.get(f"/projects/{mine.pk}/report/").status_code == 404  # the funder report is the staff's


def test_a_worker_of_another_station_gets_404(station, other_worker, as_user):
    project = ProjectFactory(station=station)
    assert as_user(other_worker).get(f"/projects/{project.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.project_move(project=project, to="closing", actor=other_worker)


def test_the_organisations_page_can_list_the_projects_a_runner_runs(station, worker, community_a):
    partner = PartnerUnitFactory(station=station)
    run = ProjectFactory(station=station, runner_partner=partner)
    group = community_a  # any model stands in for a community organisation
    other = ProjectFactory(station=station)
    services.project_set_runner(other, group)
    other.save()
    assert list(selectors.project_list_for_runner(partner)) == [run]
    assert list(selectors.project_list_for_runner(group)) == [other]
    assert other.runner_name == community_a.name


def test_terminating_from_the_page_without_a_reason_is_a_clear_message(station, worker, as_user):
    project = ProjectFactory(station=station)
    response = as_user(worker).post(
        f"/projects/{project.pk}/move/", {"to": "terminated", "reason": ""}, follow=True
    )
    assert "请填写终止原因" in response.content.decode()
    project.refresh_from_db()
    assert project.status == Project.Status.RUNNING


def test_a_cadre_of_one_of_a_projects_two_communities_sees_it(
    station, community_a, community_b, cadre_a, as_user
):
    shared = ProjectFactory(station=station, communities=[community_b, community_a], title="两社区共建项目")
    only_b = ProjectFactory(station=station, communities=[community_b])
    assert list(selectors.project_list_visible_to(cadre_a)) == [shared]  # once, not once per community
    client = as_user(cadre_a)
    assert client.get(f"/projects/{shared.pk}/").status_code == 200
    assert client.get(f"/projects/{only_b.pk}/").status_code == 404
    page = client.get("/admin/projects/project/").content.decode()
    assert "两社区共建项目" in page and "韩南村" in page and "丰京苑社区" in page


def test_a_project_cannot_serve_another_stations_community(station, worker, other_community):
    project = ProjectFactory(station=station)
    with pytest.raises(ValidationError):
        services.project_save(project=project, actor=worker, communities=[other_community])
    assert not project.communities.exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_the_single_community_into_the_new_field(community_a):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("projects", "0002_beneficiary")])
    old = executor.loader.project_state([("projects", "0002_beneficiary")]).apps
    OldProject = old.get_model("projects", "Project")
    station_id = community_a.station_id
    kept = OldProject.objects.create(station_id=station_id, title="旧项目", origin="in_house", category="elderly",
                                     community_id=community_a.pk)  # fmt: skip
    executor.loader.build_graph()
    executor.migrate([("projects", "0003_project_communities")])
    new = executor.loader.project_state([("projects", "0003_project_communities")]).apps
    NewProject = new.get_model("projects", "Project")
    assert list(NewProject.objects.get(pk=kept.pk).communities.values_list("pk", flat=True)) == [
        community_a.pk
    ]
