"""Beneficiaries come in from a sign-in sheet: one row per person at a project's activity, plus a head-count
of people not named; all rows or none, errors named by Excel row, people found among those the worker sees."""

from datetime import date

import pytest
from tablib import Dataset

from projects import selectors
from projects import stats as project_stats
from projects.models import Outcome, ProjectActivity
from projects.resources import BeneficiaryResource
from station.models import Activity, Attendance
from station.periods import month_period
from tests.factories import PersonFactory
from tests.helpers import OneStation

from .factories import ProjectFactory

stats = OneStation(project_stats)

pytestmark = pytest.mark.django_db

HEADERS = ["项目", "活动", "活动日期", "姓名", "电话", "未记名人数"]


def sheet(*rows):
    data = Dataset(headers=HEADERS)
    for row in rows:
        data.append(row)
    return data


def run(station, user, data, dry_run=False):
    return BeneficiaryResource(station=station, user=user).import_data(data, dry_run=dry_run)


def errors_of(result):
    return {row.number: str(row.error_dict) for row in result.invalid_rows}


@pytest.fixture
def project(station, community_a):
    return ProjectFactory(station=station, community=community_a, title="银龄互助")


def test_a_clean_sign_in_sheet_adds_the_attendance_and_the_figures_count_each_person_once(
    station, community_a, worker, project
):
    a = PersonFactory(community=community_a, name="张桂兰", phone="13900000001")
    PersonFactory(community=community_a, name="张桂兰", phone="13900000002")  # a namesake
    b = PersonFactory(community=community_a, name="李建国")
    people = Outcome.objects.create(project=project, label="服务对象", measure="people", target=4)
    times = Outcome.objects.create(project=project, label="服务人次", measure="person_times", target=10)
    data = sheet(
        ["银龄互助", "健康讲座", "2026-03-05", "张桂兰", "139 0000 0001", ""],
        ["银龄互助", "健康讲座", "2026-03-05", "李建国", "", ""],
        ["银龄互助", "健康讲座", "2026-03-05", "", "", "6"],
        ["银龄互助", "手工课", "2026-03-12", "张桂兰", "13900000001", ""],
    )
    dry = run(station, worker, data, dry_run=True)
    assert not dry.has_validation_errors() and not dry.has_errors()
    assert not Attendance.objects.exists() and not Activity.objects.exists()  # a dry run saves nothing

    result = run(station, worker, data)
    assert not result.has_validation_errors() and not result.has_errors()
    links = ProjectActivity.objects.filter(project=project).select_related("activity")
    assert sorted((link.activity.title, link.activity.headcount) for link in links) == [
        ("健康讲座", 6), ("手工课", 0),
    ]  # fmt: skip
    assert set(Attendance.objects.values_list("person_id", flat=True)) == {a.pk, b.pk}
    rows = {row["outcome"].pk: row for row in selectors.outcome_rows(project)}
    assert rows[people.pk]["achieved"] == 2  # 张桂兰 came twice, counted once
    assert rows[times.pk]["achieved"] == 9  # 3 named + 6 anonymous
    march = month_period(station, 2026, 3)
    assert stats.beneficiaries(march)["total"] == 2
    assert stats.person_times(march) == {community_a.pk: 9}


def test_a_second_sheet_for_the_same_activity_adds_to_it_instead_of_making_another(
    station, community_a, worker, project
):
    PersonFactory(community=community_a, name="张桂兰")
    PersonFactory(community=community_a, name="李建国")
    run(station, worker, sheet(["银龄互助", "健康讲座", "2026-03-05", "张桂兰", "", ""]))
    result = run(station, worker, sheet(["银龄互助", "健康讲座", "2026-03-05", "李建国", "", "2"]))
    assert not result.has_validation_errors()
    activity = Activity.objects.get()
    assert (activity.attendances.count(), activity.headcount) == (2, 2)


def test_bad_rows_are_named_by_their_excel_row_and_nothing_is_saved(
    station, community_a, worker, project, other_station, other_person
):
    PersonFactory(community=community_a, name="张桂兰")
    ProjectFactory(station=other_station, title="外站项目")
    data = sheet(
        ["银龄互助", "健康讲座", "2026-03-05", "张桂兰", "", ""],
        ["银龄互助", "健康讲座", "2026-03-05", "查无此人", "", ""],
        ["外站项目", "健康讲座", "2026-03-05", "张桂兰", "", ""],
        ["银龄互助", "健康讲座", "三月五号", "张桂兰", "", ""],
        ["银龄互助", "健康讲座", "2026-03-05", "王外站", "", ""],  # another station's person
        ["银龄互助", "健康讲座", "2026-03-05", "", "", "很多"],
    )
    result = run(station, worker, data)
    errors = errors_of(result)
    assert sorted(errors) == [3, 4, 5, 6, 7]
    assert "查无此人" in errors[3]
    assert "外站项目" in errors[4]
    assert "三月五号" in errors[5]
    assert "王外站" in errors[6]
    assert "很多" in errors[7]
    assert not Attendance.objects.exists() and not Activity.objects.exists()


def test_the_same_person_twice_at_one_activity_is_refused_with_the_row_it_repeats(
    station, community_a, worker, project
):
    PersonFactory(community=community_a, name="张桂兰")
    data = sheet(
        ["银龄互助", "健康讲座", "2026-03-05", "张桂兰", "", ""],
        ["银龄互助", "健康讲座", "2026-03-05", "张桂兰", "", ""],
    )
    result = run(station, worker, data)
    assert list(errors_of(result)) == [3]
    assert "已在第 2 行登记" in errors_of(result)[3]
    assert not Attendance.objects.exists()

    run(station, worker, sheet(["银龄互助", "健康讲座", "2026-03-05", "张桂兰", "", ""]))
    again = run(station, worker, sheet(["银龄互助", "健康讲座", "2026-03-05", "张桂兰", "", ""]))
    assert list(errors_of(again)) == [2]  # already recorded by an earlier sheet
    assert Attendance.objects.count() == 1


def test_the_import_page_says_in_chinese_that_a_missing_activity_is_created(worker, as_user):
    client = as_user(worker)
    page = client.get("/admin/projects/beneficiary/import/").content.decode()
    assert "按签到表每人一行" in page and "会新建这次活动" in page
    assert "项目受益人" in client.get("/admin/projects/beneficiary/").content.decode()


def test_a_cadre_cannot_import_beneficiaries(cadre_a, as_user):
    assert as_user(cadre_a).get("/admin/projects/beneficiary/import/").status_code == 403


def test_the_created_activity_is_on_the_sheets_local_date(station, community_a, worker, project):
    from django.utils import timezone

    PersonFactory(community=community_a, name="张桂兰")
    run(station, worker, sheet(["银龄互助", "健康讲座", "2026-12-31", "张桂兰", "", ""]))
    assert timezone.localdate(Activity.objects.get().starts_at) == date(2026, 12, 31)


def test_a_sheet_through_the_admins_import_page_is_checked_then_saved_on_confirm(
    station, community_a, worker, project, as_user, other_person
):
    import re
    from io import BytesIO

    from django.contrib import admin
    from import_export.formats.base_formats import XLSX

    from projects.models import Beneficiary

    PersonFactory(community=community_a, name="张桂兰")
    formats = admin.site._registry[Beneficiary].get_import_formats()
    index = str(next(i for i, f in enumerate(formats) if issubclass(f, XLSX)))
    client = as_user(worker)

    def upload(*rows):
        book = BytesIO(XLSX().export_data(sheet(*rows)))
        book.name = "签到表.xlsx"
        return client.post("/admin/projects/beneficiary/import/",
                           {"import_file": book, "format": index, "resource": "0"})  # fmt: skip

    bad = upload(["银龄互助", "健康讲座", "2026-03-05", "王外站", "", ""])  # another station's person
    assert bad.status_code == 200 and "找不到居民“王外站”" in bad.content.decode()
    checked = upload(["银龄互助", "健康讲座", "2026-03-05", "张桂兰", "", "3"]).content.decode()
    assert not Attendance.objects.exists()  # the check saves nothing
    confirm = {
        name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', checked).group(1)
        for name in ("import_file_name", "original_file_name", "format", "resource")
    }
    response = client.post("/admin/projects/beneficiary/process_import/", confirm)
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.attendances.get().person.name, activity.headcount) == ("张桂兰", 3)
