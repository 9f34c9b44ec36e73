"""What every Excel import shares (station.formats, station.resources, the admin's import page): files too
big or unreadable are refused in Chinese before they are parsed, formula cells are taken from their cached
value or refused by row and column, repeated rows are refused, errors name the Chinese column and mask ID
numbers, a big check shows its first errors with the whole report to download, and 1,000 rows go through
each importer without a query per row."""

import io
import re
import zipfile
from datetime import date, timedelta

import openpyxl
import pytest
import tablib
from django.utils import timezone

from cases.models import Visit
from cases.resources import VisitResource
from station.models import Need, Person
from station.resources import NeedResource, PersonResource
from tests.factories import valid_id_number
from volunteers.models import ServiceRecord, Volunteer
from volunteers.resources import ServiceHoursResource, VolunteerResource

VISIT_HEADERS = ["姓名", "电话", "探访方式", "日期", "时长（分钟）", "发现情况", "风险判断", "跟进日期"]


def xlsx(headers, rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_cached_value(content: bytes, formula: str, value: str) -> bytes:
    """The file as Excel saves it: the formula's last computed value is kept beside it (openpyxl writes none)."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                text = re.sub(
                    rf"<f>{re.escape(formula)}</f>(<v\s*/>|<v></v>)?", f"<f>{formula}</f><v>{value}</v>", text
                )
                data = text.encode()
            target.writestr(item, data)
    return out.getvalue()


def post_import(client, url, content, name="file.xlsx", fmt="0"):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(url, {"import_file": upload, "format": fmt, "resource": "0"})


def test_a_file_above_the_row_limit_is_refused_in_chinese(person_a, worker, as_user, settings):
    settings.IMPORT_MAX_ROWS = 3
    rows = [["张桂兰", "", "电话探访", "2026-03-02", 10, f"第{i}次", "无风险", ""] for i in range(4)]
    body = post_import(
        as_user(worker), "/admin/cases/visit/import/", xlsx(VISIT_HEADERS, rows)
    ).content.decode()
    assert "文件超过 3 行" in body
    assert not Visit.objects.exists()


def test_a_file_above_the_size_limit_and_a_file_that_is_not_excel_are_refused(worker, as_user, settings):
    client = as_user(worker)
    settings.IMPORT_MAX_BYTES = 2_000
    big = xlsx(VISIT_HEADERS, [["张桂兰", "", "电话探访", "2026-03-02", 10, "好" * 500, "无风险", ""]])
    assert "请拆分为较小的文件" in post_import(client, "/admin/cases/visit/import/", big).content.decode()
    body = post_import(client, "/admin/cases/visit/import/", b"not a workbook at all").content.decode()
    assert "这不是 Excel" in body
    assert "BadZipFile" not in body and "encountered" not in body


def test_a_formula_with_its_value_is_taken_and_said_so(person_a, worker, as_user):
    content = xlsx(VISIT_HEADERS, [["张桂兰", "", "电话探访", "2026-03-02", "=5+5", "好", "无风险", ""]])
    content = with_cached_value(content, "5+5", "10")
    client = as_user(worker)
    body = post_import(client, "/admin/cases/visit/import/", content).content.decode()
    assert "1 个单元格是公式，已按 Excel 最后一次计算的结果导入" in body
    assert "第2行E（时长（分钟））列" in body
    name = re.search(r'name="import_file_name" value="([^"]+)"', body).group(1)
    client.post("/admin/cases/visit/process_import/", {"import_file_name": name, "original_file_name": "f.xlsx",
                                                        "format": "0", "resource": "0"})  # fmt: skip
    assert Visit.objects.get().duration_minutes == 10


def test_a_formula_without_a_value_is_refused_with_its_row_and_column(person_a, worker, as_user):
    content = xlsx(VISIT_HEADERS, [["张桂兰", "", "电话探访", "2026-03-02", "=5+5", "好", "无风险", ""]])
    body = post_import(as_user(worker), "/admin/cases/visit/import/", content).content.decode()
    assert "1 个单元格是公式且没有计算结果" in body and "第2行E（时长（分钟））列" in body
    assert not Visit.objects.exists()


def test_two_identical_visit_rows_are_refused_not_counted_twice(person_a, worker):
    row = ["张桂兰", "", "电话探访", "2026-03-02", 10, "一切安好", "无风险", ""]
    result = VisitResource(user=worker).import_data(
        tablib.Dataset(row, row, headers=VISIT_HEADERS), dry_run=False
    )
    [invalid] = result.invalid_rows
    assert invalid.number == 3 and "与文件第2行重复" in str(invalid.error_dict)
    assert not Visit.objects.exists()


def test_two_identical_need_rows_are_refused(person_a, worker):
    headers = ["姓名", "电话", "类别", "需要什么", "紧急程度", "来源"]
    row = ["张桂兰", "", "健康与医疗", "量血压", "一般", "探访"]
    result = NeedResource(user=worker).import_data(tablib.Dataset(row, row, headers=headers), dry_run=False)
    assert [r.number for r in result.invalid_rows] == [3]
    assert not Need.objects.exists()


def test_two_identical_hours_rows_are_refused(volunteer_for_hours, worker, station):
    headers = ["姓名", "手机号", "服务日期", "时长（小时）", "服务内容"]
    row = [volunteer_for_hours.person.name, volunteer_for_hours.person.phone, "2026-03-02", 2, "陪伴"]
    data = tablib.Dataset(row, row, headers=headers)
    result = ServiceHoursResource(station=station, user=worker).import_data(data, dry_run=False)
    assert [r.number for r in result.invalid_rows] == [3]
    assert "与文件第2行重复" in str(result.invalid_rows[0].error_dict)
    assert not ServiceRecord.objects.exists()


@pytest.fixture
def volunteer_for_hours(person_a):
    from tests.volunteers.factories import make_volunteer

    return make_volunteer(person_a)


def test_errors_name_the_chinese_column_and_mask_the_id_number(head, community_a, station, as_user):
    headers = ["姓名", "性别", "出生日期", "电话", "社区", "住址", "居住身份", "身份证号"]
    number = valid_id_number(date(1950, 1, 2))
    rows = [["一", "男", "1950-01-02", "", community_a.name, "", "回迁村民", number],
            ["二", "男", "1950-13-45", "", community_a.name, "", "回迁村民", valid_id_number(date(1950, 1, 2))],
            ["三", "男", "1950-01-02", "", community_a.name, "", "回迁村民", number]]  # fmt: skip
    body = post_import(as_user(head), "/admin/station/person/import/", xlsx(headers, rows)).content.decode()
    assert "出生日期" in body and "无法识别的日期" in body and "已登记在文件第2行" in body
    assert "could not be parsed" not in body and "birth_date" not in body and "id_number" not in body
    assert number not in body
    assert not Person.objects.exists()


def test_a_big_check_shows_the_first_errors_and_offers_the_whole_report(worker, as_user, settings, tmp_path):
    settings.IMPORT_PAGE_ROWS = 3
    settings.MEDIA_ROOT = tmp_path
    rows = [[f"无此人{i}", "", "电话探访", "2026-03-02", 10, "", "", ""] for i in range(5)]
    client = as_user(worker)
    body = post_import(client, "/admin/cases/visit/import/", xlsx(VISIT_HEADERS, rows)).content.decode()
    assert "有 5 行存在错误，下面只显示前 3 行" in body
    assert "无此人2" in body and "无此人3" not in body
    link = re.search(r'href="(/admin/cases/visit/import/report/[^"]+)"', body).group(1)
    report = openpyxl.load_workbook(io.BytesIO(client.get(link).content)).active
    lines = list(report.iter_rows(values_only=True))
    assert lines[0][:3] == ("行号", "错误", "姓名")
    assert [line[0] for line in lines[1:]] == [2, 3, 4, 5, 6]
    assert all("无此人" in line[1] for line in lines[1:])


# 1,000 rows through each importer: a few queries per batch, never one per row.


def _people(community, n):
    people = [Person(name=f"居民{i:04d}", phone=f"139{i:08d}", community=community) for i in range(n)]
    return Person.objects.bulk_create(people)


def _case(kind, community, station):
    day = timezone.localdate() - timedelta(days=40)
    if kind == "people":
        headers = ["姓名", "性别", "出生日期", "电话", "社区", "住址", "居住身份", "身份证号"]
        rows = [[f"新居民{i}", "女", "1980-06-01", f"137{i:08d}", community.name, "", "回迁村民",
                 valid_id_number(date(1980, 6, 1) + timedelta(days=i // 900))] for i in range(1000)]  # fmt: skip
        for i, row in enumerate(rows):
            row[2] = str(date(1980, 6, 1) + timedelta(days=i // 900))
        return PersonResource, headers, rows, Person, 1000
    if kind == "volunteers":
        headers = ["姓名", "手机号", "村/社区", "身份证号", "加入日期", "技能", "已完成培训", "可服务时间"]
        rows = [[f"志愿者{i}", f"136{i:08d}", community.name, valid_id_number(date(1990, 1, 1)), "", "", "", ""]
                for i in range(1000)]  # fmt: skip
        return VolunteerResource, headers, rows, Volunteer, 1000
    people = _people(community, 1000 if kind != "hours" else 100)
    if kind == "needs":
        headers = ["姓名", "电话", "类别", "需要什么", "紧急程度", "来源"]
        rows = [[p.name, p.phone, "健康与医疗", "量血压", "一般", "探访"] for p in people]
        return NeedResource, headers, rows, Need, 0
    if kind == "visits":
        rows = [[p.name, p.phone, "电话探访", str(day), 10, "好", "无风险", ""] for p in people]
        return VisitResource, VISIT_HEADERS, rows, Visit, 0
    from volunteers import services

    volunteers = services.volunteer_register_many(
        volunteers=[Volunteer(person=p) for p in people], actor=None
    )
    headers = ["姓名", "手机号", "服务日期", "时长（小时）", "服务内容"]
    rows = [[v.person.name, v.person.phone, str(day + timedelta(days=i)), 2, "陪伴"]
            for i in range(10) for v in volunteers]  # fmt: skip
    return ServiceHoursResource, headers, rows, ServiceRecord, 0


@pytest.mark.parametrize("kind", ["people", "needs", "visits", "volunteers", "hours"])
def test_a_thousand_rows_go_through_each_importer_in_a_few_queries(
    kind, head, community_a, station, django_assert_max_num_queries
):
    resource_class, headers, rows, model, _ = _case(kind, community_a, station)
    before = model.objects.count()
    data = tablib.Dataset(*rows, headers=headers)
    for dry_run in (True, False):
        with django_assert_max_num_queries(100):
            result = resource_class(station=station, user=head).import_data(data, dry_run=dry_run)
        assert not result.has_errors() and not result.invalid_rows, result.invalid_rows[:3]
        assert result.totals["new"] == 1000
    assert model.objects.count() - before == 1000


def test_the_check_page_of_a_thousand_visits_makes_no_query_per_row(
    worker, community_a, as_user, django_assert_max_num_queries
):
    day = timezone.localdate() - timedelta(days=40)
    rows = [
        [p.name, p.phone, "电话探访", str(day), 10, "好", "无风险", ""] for p in _people(community_a, 1000)
    ]
    client = as_user(worker)
    content = xlsx(VISIT_HEADERS, rows)
    with django_assert_max_num_queries(40):
        body = post_import(client, "/admin/cases/visit/import/", content).content.decode()
    assert 'name="import_file_name"' in body  # checked: the confirm button is offered
    assert not Visit.objects.exists()
