"""The project, resource and beneficiary imports are batched: a file costs the same few queries however many
rows it has, the batch services hold the per-row rules when called directly, and a file is all rows or none."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from tablib import Dataset

from projects import services
from projects.models import Project, ProjectActivity, Resource
from projects.resources import BeneficiaryResource, ProjectResource, ResourceResource
from station.models import Activity, Attendance, AuditEvent
from tests.factories import PersonFactory

from .factories import PartnerUnitFactory, ProjectFactory

pytestmark = pytest.mark.django_db

PROJECT_HEADERS = ["项目名称", "项目来源", "类别", "引进自", "引进日期", "社区", "执行方", "服务对象", "开始日期", "结束日期"]  # fmt: skip
RESOURCE_HEADERS = ["日期", "收发", "资金或物资", "合作单位", "项目", "物品", "数量", "金额或价值（元）", "发放对象", "备注"]  # fmt: skip
BENEFICIARY_HEADERS = ["项目", "活动", "活动日期", "姓名", "电话", "未记名人数"]


def dataset(headers, rows):
    data = Dataset(headers=headers)
    for row in rows:
        data.append(row)
    return data


def project_rows(n, community):
    return [
        [f"项目{i}", "引进", "为老", "阳光社工中心", "2026-03-05", community.name, "阳光社工中心", "老人", "2026-03-10", ""]
        for i in range(n)
    ]  # fmt: skip


def resource_rows(n):
    return [
        ["2026-03-05", "接收", "物资" if i % 2 else "资金", "便民超市", "银龄互助", "大米" if i % 2 else "",
         "20" if i % 2 else "", str(100 + i), "", ""]
        for i in range(n)
    ]  # fmt: skip


def beneficiary_rows(people):
    """Three people an activity, each activity new; the first row of each also counts two people not named."""
    return [
        ["银龄互助", f"活动{i // 3}", "2026-03-05", p.name, p.phone, "2" if i % 3 == 0 else ""]
        for i, p in enumerate(people)
    ]


def imported(resource, data):
    check = resource().import_data(data, dry_run=True)
    assert not check.has_validation_errors() and not check.has_errors()
    result = resource().import_data(data, dry_run=False)
    assert not result.has_validation_errors() and not result.has_errors()
    return result


def test_a_project_file_costs_the_same_queries_however_many_rows(
    station, community_a, head, django_assert_max_num_queries
):
    PartnerUnitFactory(station=station, name="阳光社工中心")
    for size in (3, 30):
        with django_assert_max_num_queries(30):
            imported(lambda: ProjectResource(station=station, user=head), dataset(PROJECT_HEADERS, project_rows(size, community_a)))  # fmt: skip
    assert Project.objects.count() == 33
    project = Project.objects.filter(title="项目29").get()
    assert (project.status, project.runner_partner.name, project.community_names) == ("draft", "阳光社工中心", community_a.name)  # fmt: skip
    assert AuditEvent.objects.filter(target_type="projects.Project", action="create").count() == 33


def test_a_resource_file_costs_the_same_queries_however_many_rows(
    station, head, django_assert_max_num_queries
):
    PartnerUnitFactory(station=station, name="便民超市")
    ProjectFactory(station=station, title="银龄互助")
    for size in (3, 30):
        with django_assert_max_num_queries(26):
            imported(lambda: ResourceResource(station=station, user=head), dataset(RESOURCE_HEADERS, resource_rows(size)))  # fmt: skip
    assert Resource.objects.count() == 33 and Resource.objects.filter(recorded_by=head).count() == 33
    assert AuditEvent.objects.filter(target_type="projects.Resource", action="create").count() == 33


def test_a_sign_in_sheet_costs_the_same_queries_however_many_rows(
    station, community_a, worker, django_assert_max_num_queries
):
    project = ProjectFactory(station=station, community=community_a, title="银龄互助")
    for size in (3, 30):
        people = PersonFactory.create_batch(size, community=community_a)
        with django_assert_max_num_queries(45):
            imported(lambda: BeneficiaryResource(station=station, user=worker), dataset(BENEFICIARY_HEADERS, beneficiary_rows(people)))  # fmt: skip
    assert Attendance.objects.count() == 33
    links = ProjectActivity.objects.filter(project=project).select_related("activity")
    assert len(links) == 10  # 活动0 of both files is one activity; 活动1..活动9
    assert sum(link.activity.headcount for link in links) == 2 * 11
    assert {link.activity.community_id for link in links} == {community_a.pk}


def test_one_bad_row_among_many_saves_nothing_and_is_named(station, community_a, worker, head):
    PartnerUnitFactory(station=station, name="阳光社工中心")
    PartnerUnitFactory(station=station, name="便民超市")
    ProjectFactory(station=station, community=community_a, title="银龄互助")
    rows = project_rows(30, community_a)
    rows[20][1:5] = ["引进", "为老", "", ""]  # introduced, with no date
    result = ProjectResource(station=station, user=head).import_data(dataset(PROJECT_HEADERS, rows))
    assert [row.number for row in result.invalid_rows] == [22]
    assert "引进项目须填写引进日期" in str(result.invalid_rows[0].error_dict)
    assert Project.objects.count() == 1

    rows = resource_rows(30)
    rows[11][7] = ""  # goods without a value
    result = ResourceResource(station=station, user=head).import_data(dataset(RESOURCE_HEADERS, rows))
    assert [row.number for row in result.invalid_rows] == [13]
    assert "物资须填写价值" in str(result.invalid_rows[0].error_dict)
    assert not Resource.objects.exists()

    people = PersonFactory.create_batch(30, community=community_a)
    rows = beneficiary_rows(people)
    rows[25][3] = "查无此人"
    result = BeneficiaryResource(station=station, user=worker).import_data(dataset(BENEFICIARY_HEADERS, rows))
    assert [row.number for row in result.invalid_rows] == [27]
    assert "查无此人" in str(result.invalid_rows[0].error_dict)
    assert not Attendance.objects.exists() and not Activity.objects.exists()


def test_a_person_already_at_the_activity_is_refused_on_their_row(station, community_a, worker):
    ProjectFactory(station=station, community=community_a, title="银龄互助")
    a, b = (
        PersonFactory(community=community_a, name="张桂兰"),
        PersonFactory(community=community_a, name="李建国"),
    )
    imported(lambda: BeneficiaryResource(station=station, user=worker), dataset(BENEFICIARY_HEADERS, [["银龄互助", "健康讲座", "2026-03-05", a.name, "", ""]]))  # fmt: skip
    rows = [
        ["银龄互助", "健康讲座", "2026-03-05", b.name, "", ""],
        ["银龄互助", "健康讲座", "2026-03-05", a.name, "", ""],
    ]
    result = BeneficiaryResource(station=station, user=worker).import_data(dataset(BENEFICIARY_HEADERS, rows))
    assert [row.number for row in result.invalid_rows] == [3]
    assert "张桂兰 已记录参加本次活动" in str(result.invalid_rows[0].error_dict)
    assert Attendance.objects.count() == 1


def test_the_project_batch_service_refuses_in_chinese_and_writes_nothing(
    station, community_a, other_community, head, cadre_a
):
    good = Project(station=station, title="四点半课堂", origin="in_house", category="children")
    with pytest.raises(ValidationError, match="属于其他社工站"):
        services.project_create_many(projects=[(good, [community_a]), (Project(station=station, title="外站", origin="in_house", category="other"), [other_community])], actor=head)  # fmt: skip
    with pytest.raises(ValidationError, match="引进项目须填写引进日期"):
        services.project_create_many(projects=[(Project(station=station, title="引进", origin="introduced", category="other"), [])], actor=head)  # fmt: skip
    with pytest.raises(PermissionDenied, match="只有本站工作人员可以登记项目"):
        services.project_create_many(projects=[(good, [])], actor=cadre_a)
    assert (
        not Project.objects.exists()
        and not AuditEvent.objects.filter(target_type="projects.Project").exists()
    )


def test_the_resource_batch_service_refuses_in_chinese_and_writes_nothing(station, other_station, head):
    shop = PartnerUnitFactory(station=station)
    elsewhere = ProjectFactory(station=other_station)
    money = Resource(station=station, kind="money", partner=shop, on="2026-03-05", amount=Decimal("100"))
    with pytest.raises(ValidationError, match="物资须填写价值"):
        services.resource_record_many(resources=[money, Resource(station=station, kind="goods", partner=shop, on="2026-03-05", description="油", quantity=2)], actor=head)  # fmt: skip
    with pytest.raises(ValidationError, match="该项目属于其他社工站"):
        services.resource_record_many(resources=[Resource(station=station, kind="money", partner=shop, on="2026-03-05", amount=1, project=elsewhere)], actor=head)  # fmt: skip
    assert not Resource.objects.exists()


def test_the_beneficiary_batch_service_refuses_in_chinese_and_writes_nothing(
    station, community_a, worker, other_person
):
    project = ProjectFactory(station=station, community=community_a)
    a = PersonFactory(community=community_a, name="张桂兰")
    day = services.project_service_link_new(project=project, title="健康讲座", day=date(2026, 3, 5))
    with pytest.raises(ValidationError, match="找不到居民“王外站”"):
        services.beneficiary_record_many(rows=[(day, a, 0), (day, other_person, 0)], actor=worker)
    with pytest.raises(ValidationError, match="张桂兰 已记录参加本次活动"):
        services.beneficiary_record_many(rows=[(day, a, 0), (day, a, 0)], actor=worker)
    with pytest.raises(ValidationError, match="请填写姓名或未记名人数"):
        services.beneficiary_record_many(rows=[(day, a, 0), (day, None, 0)], actor=worker)
    assert not Activity.objects.exists() and not Attendance.objects.exists()

    services.beneficiary_record_many(rows=[(day, a, 3)], actor=worker)  # recorded, with its new activity
    with pytest.raises(ValidationError, match="张桂兰 已记录参加本次活动"):
        services.beneficiary_record(link=day, person=a, actor=worker)
    services.beneficiary_record(link=day, person=None, headcount=2, actor=worker)
    assert (Activity.objects.get().headcount, Attendance.objects.count()) == (5, 1)
