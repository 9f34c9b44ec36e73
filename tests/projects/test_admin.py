"""The admin in Chinese: every page of the platform opens for the station's staff, saves go through the
services, bad input is a form error or a message with nothing changed, Excel imports are all rows or none."""

from datetime import date

import pytest
from tablib import Dataset

from projects.models import Application, Assignment, Contest, Entry, Judge, Project, Resource, Tranche
from projects.resources import ProjectResource, ResourceResource

from .factories import PartnerUnitFactory, ProjectFactory

pytestmark = pytest.mark.django_db

MODELS = ["project", "projectactivity", "resource", "evaluation", "tranche", "contest", "contestround",
          "application", "entry", "judge", "assignment"]  # fmt: skip


@pytest.mark.parametrize("model", MODELS)
def test_every_list_page_opens_for_the_head_and_a_worker_in_chinese(model, head, worker, as_user, station):
    ProjectFactory(station=station)
    for user in (head, worker):
        response = as_user(user).get(f"/admin/projects/{model}/")
        assert response.status_code == 200, (model, user)
    assert "公益慈善项目" in as_user(head).get("/admin/projects/project/").content.decode()


@pytest.mark.parametrize("model", ["project", "projectactivity", "resource", "contest", "contestround",
                                   "application", "judge", "assignment"])  # fmt: skip
def test_every_add_page_opens_for_the_head(model, head, as_user):
    assert as_user(head).get(f"/admin/projects/{model}/add/").status_code == 200


def test_a_cadre_reads_projects_but_cannot_add_or_see_the_ledger(cadre_a, as_user, station, community_a):
    ProjectFactory(station=station, community=community_a, title="我社区的项目")
    client = as_user(cadre_a)
    assert "我社区的项目" in client.get("/admin/projects/project/").content.decode()
    assert client.get("/admin/projects/project/add/").status_code == 403
    assert client.get("/admin/projects/resource/").status_code == 403


def test_goods_without_a_value_in_the_admin_form_is_an_error_and_nothing_is_saved(head, as_user, station):
    shop = PartnerUnitFactory(station=station)
    response = as_user(head).post(
        "/admin/projects/resource/add/",
        {"station": station.pk, "direction": "in", "kind": "goods", "partner": shop.pk, "on": "2026-03-05",
         "description": "大米", "quantity": "20", "amount": ""},
    )  # fmt: skip
    assert response.status_code == 200 and "物资须填写价值" in response.content.decode()
    assert not Resource.objects.exists()


def test_a_project_saved_in_the_admin_starts_as_a_draft_through_the_service(
    head, as_user, station, community_a
):
    response = as_user(head).post(
        "/admin/projects/project/add/",
        {"station": station.pk, "title": "银龄互助", "origin": "introduced", "introduced_on": "", "category": "elderly",
         "community": community_a.pk, "report_rhythm": "quarterly",
         **{f"{prefix}-{k}": v for prefix in ("budget_lines", "milestones", "outcomes", "tranches")
            for k, v in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))}},
    )  # fmt: skip
    assert response.status_code == 200 and "引进项目须填写引进日期" in response.content.decode()
    assert not Project.objects.exists()


def test_an_admin_action_reports_what_it_skipped_and_why(head, as_user, station):
    draft = ProjectFactory(station=station, status="draft")
    closed = ProjectFactory(station=station, status="closed")
    response = as_user(head).post(
        "/admin/projects/project/",
        {"action": "approve_selected", "_selected_action": [draft.pk, closed.pk]},
        follow=True,
    )
    body = response.content.decode()
    assert "已跳过" in body and closed.title in body
    draft.refresh_from_db()
    closed.refresh_from_db()
    assert (draft.status, closed.status) == ("approved", "closed")


def test_a_judge_made_in_the_admin_has_a_plain_sign_in(head, as_user, station):
    response = as_user(head).post(
        "/admin/projects/judge/add/",
        {"station": station.pk, "name": "张教授", "affiliation": "西北大学", "username": "zhangjs",
         "password": "a-long-pass-1"},
    )  # fmt: skip
    assert response.status_code == 302
    judge = Judge.objects.get()
    assert (
        judge.user.username == "zhangjs"
        and not judge.user.is_staff
        and judge.user.check_password("a-long-pass-1")
    )
    again = as_user(head).post(
        "/admin/projects/judge/add/",
        {"station": station.pk, "name": "重名", "username": "zhangjs", "password": "a-long-pass-1"},
    )
    assert again.status_code == 200 and Judge.objects.count() == 1


def test_an_application_to_a_contest_without_rounds_is_a_form_error(head, as_user, station):
    contest = Contest.objects.create(station=station, title="大赛", budget=1000)
    response = as_user(head).post(
        "/admin/projects/application/add/",
        {"contest": contest.pk, "title": "书画社", "applicant_name": "书画小组", "proposal": "方案",
         "budget_asked": "5000"},
    )  # fmt: skip
    assert response.status_code == 200 and "尚未设置轮次" in response.content.decode()
    assert not Application.objects.exists() and not Entry.objects.exists()


def test_tranche_release_from_the_admin_before_the_evaluation_is_skipped_with_the_reason(
    head, supervisor, as_user, station
):
    from projects import services

    project = ProjectFactory(station=station)
    tranche = services.tranche_plan(
        tranche=Tranche(project=project, number=1, amount=1000, after_stage="initiation"), actor=supervisor
    )
    services.tranche_request(tranche=tranche, actor=supervisor)
    response = as_user(head).post(
        "/admin/projects/tranche/",
        {"action": "release_selected", "_selected_action": [tranche.pk]},
        follow=True,
    )
    assert "立项评估" in response.content.decode()
    assert Tranche.objects.get().status == "requested"


def test_importing_projects_all_rows_or_none_with_row_numbered_chinese_errors(station, community_a, head):
    PartnerUnitFactory(station=station, name="阳光社工中心")
    headers = [
        "项目名称",
        "项目来源",
        "类别",
        "引进自",
        "引进日期",
        "社区",
        "执行方",
        "服务对象",
        "开始日期",
        "结束日期",
    ]
    good = [
        "四点半课堂",
        "引进",
        "儿童",
        "阳光社工中心",
        "2026-03-05",
        community_a.name,
        "阳光社工中心",
        "儿童",
        "2026-03-10",
        "",
    ]
    data = Dataset(headers=headers)
    data.append(good)
    data.append(["助残到家", "引进", "助残", "", "", community_a.name, "", "", "", ""])  # no date
    data.append(["济困", "外星", "济困", "", "", "不存在的村", "", "", "", ""])
    result = ProjectResource(station=station, user=head).import_data(data, dry_run=False)
    assert [row.number for row in result.invalid_rows] == [3, 4]
    messages = str([row.error_dict for row in result.invalid_rows])
    assert "引进项目须填写引进日期" in messages and "不存在的村" in messages
    assert not Project.objects.exists()

    data = Dataset(headers=headers)
    data.append(good)
    result = ProjectResource(station=station, user=head).import_data(data, dry_run=False)
    assert not result.has_validation_errors() and not result.has_errors()
    project = Project.objects.get()
    assert (project.status, project.introduced_on, project.runner_partner.name) == (
        "draft", date(2026, 3, 5), "阳光社工中心"
    )  # fmt: skip


def test_importing_resources_refuses_goods_without_a_value_and_saves_nothing(station, head):
    PartnerUnitFactory(station=station, name="便民超市")
    data = Dataset(
        headers=[
            "日期",
            "收发",
            "资金或物资",
            "合作单位",
            "项目",
            "物品",
            "数量",
            "金额或价值（元）",
            "发放对象",
            "备注",
        ]
    )
    data.append(["2026-03-05", "接收", "资金", "便民超市", "", "", "", "3000", "", ""])
    data.append(["2026-03-06", "接收", "物资", "便民超市", "", "大米", "20", "", "", ""])
    data.append(["2026-03-0x", "接收", "资金", "便民超市", "", "", "", "100", "", ""])
    result = ResourceResource(station=station, user=head).import_data(data, dry_run=False)
    assert [row.number for row in result.invalid_rows] == [3, 4]
    assert "物资须填写价值" in str([row.error_dict for row in result.invalid_rows])
    assert not Resource.objects.exists()


def test_the_assignment_form_refuses_a_round_without_a_rubric(head, as_user, station, worker):
    from projects import services
    from projects.models import ContestRound

    contest = Contest.objects.create(station=station, title="大赛", budget=1000)
    ContestRound.objects.create(contest=contest, order=1, name="初审")
    application = services.application_submit(
        application=Application(
            contest=contest, title="书画社", applicant_name="小组", proposal="x", budget_asked=10
        ),
        actor=worker,
    )
    judge = services.judge_create(
        station=station, name="评委", username="pw", password="judge-pass-1", actor=worker
    )
    response = as_user(head).post(
        "/admin/projects/assignment/add/", {"judge": judge.pk, "entry": application.entries.get().pk}
    )
    assert response.status_code == 200 and "评分表" in response.content.decode()
    assert not Assignment.objects.exists()
