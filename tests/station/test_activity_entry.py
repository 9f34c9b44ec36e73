"""A worker records a community activity from its sign-in sheet, or imports a half year of them from Excel."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from station.activity_import import template_headings
from station.models import Activity, Attendance, AuditEvent

pytestmark = pytest.mark.django_db


def _form(community, **extra):
    day = timezone.localdate() - timedelta(days=1)
    data = {
        "kind": "culture_sports",
        "title": "重阳节联欢会",
        "community": community.pk,
        "day": day.isoformat(),
        "starts": "09:00",
        "ends": "11:30",
        "place": "社区活动室",
        "headcount": "12",
    }
    data.update(extra)
    return data


def test_worker_finds_people_on_the_sign_in_sheet_ticks_them_and_saves(
    as_user, worker, community_a, person_a, person_b
):
    client = as_user(worker)
    page = client.post("/activities/new/", {**_form(community_a), "q": "张桂", "find": "1"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "张桂兰" in text and "重阳节联欢会" in text  # found, and what was typed is kept
    assert Activity.objects.count() == 0  # finding saves nothing

    page = client.post(
        "/activities/new/", {**_form(community_a), "person": [person_a.pk], "q": person_b.phone, "find": "1"}
    )
    text = page.content.decode()
    assert "李建国" in text and "已勾选：1 人" in text

    response = client.post(
        "/activities/new/", {**_form(community_a), "person": [person_a.pk, person_b.pk], "save": "1"}
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.kind == "culture_sports" and activity.kind_label == "文体活动"
    assert activity.community == community_a and activity.headcount == 12 and activity.organiser == worker
    assert set(activity.attendees.all()) == {person_a, person_b}
    assert activity.person_times == 14
    assert timezone.localtime(activity.starts_at).hour == 9
    assert AuditEvent.objects.filter(target_type="station.Activity", actor=worker).exists()
    assert "已保存“重阳节联欢会”" in client.get(response["Location"]).content.decode()


def test_an_activity_ending_before_it_starts_is_a_form_error_and_nothing_is_saved(
    as_user, worker, community_a, person_a
):
    page = as_user(worker).post(
        "/activities/new/",
        {**_form(community_a, starts="10:00", ends="09:00"), "person": [person_a.pk], "save": "1"},
    )
    assert page.status_code == 200
    assert "活动结束时间不能早于开始时间" in page.content.decode()
    assert not Activity.objects.exists() and not Attendance.objects.exists()


def test_a_person_of_another_station_cannot_be_ticked(as_user, worker, community_a, other_person):
    response = as_user(worker).post(
        "/activities/new/", {**_form(community_a), "person": [other_person.pk], "save": "1"}
    )
    assert response.status_code == 404
    assert not Activity.objects.exists()


def test_cadre_and_volunteer_have_no_activity_page(as_user, cadre_a):
    assert as_user(cadre_a).get("/activities/new/").status_code == 404
    assert as_user(cadre_a).get("/activities/import/").status_code == 404


def test_the_admin_links_both_pages_for_a_worker(as_user, worker):
    text = as_user(worker).get("/admin/").content.decode()
    assert 'href="/activities/new/"' in text and 'href="/activities/import/"' in text


# ---------------------------------------------------------------- the Excel import


def _sheet(rows, headings=None):
    book = Workbook()
    book.active.append(headings or template_headings())
    for row in rows:
        book.active.append(row)
    out = BytesIO()
    book.save(out)
    return SimpleUploadedFile("a.xlsx", out.getvalue())


def _row(
    day, title, community, name="", phone="", kind="公益服务", starts="09:00", ends="11:00", headcount=""
):
    # date, title, community, kind, start, end, place, head-count, name, phone
    return [day, title, community, kind, starts, ends, "活动室", headcount, name, phone]


@pytest.fixture
def rows(community_a, community_b, person_a, person_b):
    day = (timezone.localdate() - timedelta(days=3)).isoformat()
    return [
        _row(day, "义诊", community_a.name, person_a.name, headcount=5),
        _row(day, "义诊", community_a.name, person_b.name, person_b.phone),
        _row(day, "义诊", community_b.name, person_b.name),  # same date and title, another community
        _row(day, "观影", community_a.name, headcount=30),  # head-count only
    ]


def test_dry_run_shows_the_grouped_activities_and_saves_nothing(as_user, worker, rows):
    page = as_user(worker).post("/activities/import/", {"file": _sheet(rows), "check": "1"})
    text = page.content.decode()
    assert "文件检查无误：活动 3 场，登记姓名签到 3 人次" in text
    assert not Activity.objects.exists()


def test_import_saves_each_activity_with_its_attendance(
    as_user, worker, rows, community_a, person_a, person_b
):
    response = as_user(worker).post("/activities/import/", {"file": _sheet(rows), "confirm": "1"})
    assert response.status_code == 302
    assert Activity.objects.count() == 3
    clinic = Activity.objects.get(title="义诊", community=community_a)
    assert set(clinic.attendees.all()) == {person_a, person_b} and clinic.headcount == 5
    assert clinic.kind == "public_service" and clinic.organiser == worker
    film = Activity.objects.get(title="观影")
    assert film.attendances.count() == 0 and film.headcount == 30
    # the same file again is refused, naming the row of each activity already there
    page = as_user(worker).post("/activities/import/", {"file": _sheet(rows), "confirm": "1"})
    assert "第 2 行" in page.content.decode() and "已在台账中" in page.content.decode()
    assert Activity.objects.count() == 3


def test_any_bad_row_is_named_in_chinese_and_nothing_is_saved(
    as_user, worker, rows, community_a, person_a, other_person
):
    day = rows[0][0]
    bad = [
        *rows,
        _row(day, "义诊", community_a.name, "查无此人"),  # row 6
        _row("昨天", "讲座", community_a.name, person_a.name),  # row 7
        _row(day, "义诊", community_a.name, person_a.name),  # row 8: twice in one activity
        _row(day, "义诊", community_a.name, kind="唱歌"),  # row 9
        _row(day, "义诊", community_a.name, headcount=9),  # row 10: disagrees with row 2
        _row(day, "外站", community_a.name, other_person.name),  # row 11: not in scope
        _row(day, "义诊", "火星社区"),  # row 12
    ]
    page = as_user(worker).post("/activities/import/", {"file": _sheet(bad), "confirm": "1"})
    text = page.content.decode()
    assert "没有保存任何数据" in text
    for number, words in [
        (6, "没有名叫“查无此人”的人"),
        (7, "日期“昨天”无法识别"),
        (8, "已在同一活动第 2 行登记"),
        (9, "活动类型“唱歌”不在以下范围内"),
        (10, "“未实名人数”与同一活动第 2 行不一致"),
        (11, "没有名叫“王外站”的人"),
        (12, "没有名为“火星社区”的社区"),
    ]:
        assert f"第 {number} 行：" in text and words in text, (number, words)
    assert not Activity.objects.exists() and not Attendance.objects.exists()


def test_a_sheet_without_the_columns_or_not_excel_is_refused(as_user, worker):
    page = as_user(worker).post(
        "/activities/import/", {"file": _sheet([], headings=["名字"]), "confirm": "1"}
    )
    assert "缺少“日期”列" in page.content.decode()
    page = as_user(worker).post(
        "/activities/import/", {"file": SimpleUploadedFile("a.xlsx", b"not excel"), "confirm": "1"}
    )
    assert "这不是 Excel（.xlsx）文件" in page.content.decode()
    assert not Activity.objects.exists()


def test_the_empty_sheet_has_the_import_headings(as_user, worker):
    from openpyxl import load_workbook

    response = as_user(worker).get("/activities/import/template.xlsx")
    book = load_workbook(BytesIO(response.content))
    assert [c.value for c in book.active[1]] == [
        "日期",
        "活动名称",
        "社区",
        "活动类型",
        "开始时间",
        "结束时间",
        "地点",
        "未实名人数",
        "姓名",
        "电话",
    ]


def test_a_sheet_above_the_import_limit_is_refused_like_every_other_import(as_user, worker, rows, settings):
    settings.IMPORT_MAX_ROWS = len(rows) - 1
    page = as_user(worker).post("/activities/import/", {"file": _sheet(rows), "confirm": "1"})
    assert page.status_code == 200
    assert str(settings.IMPORT_MAX_ROWS) in page.content.decode()
    assert not Activity.objects.exists() and not Attendance.objects.exists()


@pytest.mark.parametrize("per_activity", [2, 12])
def test_an_imported_sheet_costs_the_same_queries_however_many_rows(
    as_user, worker, community_a, django_assert_max_num_queries, per_activity
):
    """A half year of sign-in sheets is one file: the people it names, the activities it might repeat and the
    writes are looked up and made for the whole file, not once a row or once an activity."""
    from tests.factories import PersonFactory

    people = PersonFactory.create_batch(per_activity, community=community_a)
    day = (timezone.localdate() - timedelta(days=3)).isoformat()
    rows = [
        _row(day, f"活动{a}", community_a.name, p.name, p.phone) for a in range(per_activity) for p in people
    ]
    client = as_user(worker)
    with django_assert_max_num_queries(30):
        response = client.post("/activities/import/", {"file": _sheet(rows), "confirm": "1"})
    assert response.status_code == 302
    assert Activity.objects.count() == per_activity
    assert Attendance.objects.count() == per_activity * per_activity
    assert AuditEvent.objects.filter(target_type="station.Activity").count() == per_activity
