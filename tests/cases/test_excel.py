"""Excel: visit logs and needs come in all or nothing, errors named by row; exports mask IDs."""

from io import BytesIO

import pytest
import tablib
from django.contrib import admin
from import_export.formats.base_formats import XLSX

from cases.models import Visit
from cases.resources import VisitResource
from station.models import Need
from station.resources import NeedResource
from tests.factories import PersonFactory

HEADERS = ["姓名", "电话", "探访方式", "日期", "时长（分钟）", "发现情况", "风险判断", "跟进日期"]


def visit_rows(*rows):
    return tablib.Dataset(*rows, headers=HEADERS)


def errors_by_row(result):
    return {row.number: " ".join(str(m) for msgs in row.error_dict.values() for m in msgs)
            for row in result.invalid_rows}  # fmt: skip


def test_a_clean_visit_log_is_imported(person_a, person_b, worker):
    data = visit_rows(
        ["张桂兰", "", "电话探访", "2026-03-02", 10, "一切安好", "无风险", ""],
        ["李建国", person_b.phone, "入户探访", "2026-03-03", 40, "腿伤未愈", "中", "2026-03-10"],
    )
    result = VisitResource(user=worker).import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    visits = list(
        Visit.objects.order_by("visited_on").values_list("person__name", "kind", "worker__username")
    )
    assert visits == [("张桂兰", "phone", "worker"), ("李建国", "home", "worker")]


def test_a_bad_date_an_unknown_person_and_a_bad_kind_are_named_by_row_and_nothing_is_saved(person_a, worker):
    data = visit_rows(
        ["张桂兰", "", "电话探访", "2026-03-02", 10, "好", "无风险", ""],
        ["张桂兰", "", "电话探访", "2026-02-30", 10, "好", "无风险", ""],
        ["赵无名", "", "电话探访", "2026-03-02", 10, "好", "无风险", ""],
        ["张桂兰", "", "视频探访", "2026-03-02", 10, "好", "无风险", ""],
    )
    result = VisitResource(user=worker).import_data(data, dry_run=False)
    errors = errors_by_row(result)
    assert sorted(errors) == [3, 4, 5]  # Excel rows: the headings are row 1
    assert "2026-02-30" in errors[3]
    assert "赵无名" in errors[4]
    assert "视频探访" in errors[5]
    assert not Visit.objects.exists()


def test_dry_run_saves_nothing(person_a, worker):
    data = visit_rows(["张桂兰", "", "电话探访", "2026-03-02", 10, "好", "无风险", ""])
    result = VisitResource(user=worker).import_data(data, dry_run=True)
    assert not result.has_validation_errors() and result.totals["new"] == 1
    assert not Visit.objects.exists()


def test_a_person_of_another_station_is_unknown(other_person, worker):
    data = visit_rows(["王外站", "", "电话探访", "2026-03-02", 10, "", "", ""])
    result = VisitResource(user=worker).import_data(data, dry_run=False)
    assert 2 in errors_by_row(result)
    assert not Visit.objects.exists()


def test_namesakes_need_the_phone(community_a, worker):
    a = PersonFactory(community=community_a, name="王芳")
    PersonFactory(community=community_a, name="王芳")
    data = visit_rows(["王芳", "", "电话探访", "2026-03-02", 10, "", "", ""])
    assert "电话" in errors_by_row(VisitResource(user=worker).import_data(data, dry_run=False))[2]
    data = visit_rows(["王芳", a.phone, "电话探访", "2026-03-02", 10, "", "", ""])
    assert not VisitResource(user=worker).import_data(data, dry_run=False).has_validation_errors()
    assert Visit.objects.get().person == a


def test_needs_import_all_or_nothing(person_a, worker):
    headers = ["姓名", "电话", "类别", "需要什么", "紧急程度", "来源"]
    # Station choices are read by label or by code; codes keep this test independent of the catalogue.
    good = tablib.Dataset(["张桂兰", "", "health", "需要轮椅", "high", "resident"], headers=headers)
    assert not NeedResource(user=worker).import_data(good, dry_run=False).has_validation_errors()
    assert Need.objects.get().category == "health"
    bad = tablib.Dataset(
        ["张桂兰", "", "health", "需要拐杖", "high", "resident"],
        ["张桂兰", "", "旅游", "想去北京", "high", "resident"],
        headers=headers,
    )
    result = NeedResource(user=worker).import_data(bad, dry_run=False)
    assert sorted(errors_by_row(result)) == [3]
    assert Need.objects.count() == 1


def test_visit_import_through_the_admin_reports_rows(person_a, worker, as_user):
    book = visit_rows(
        ["张桂兰", "", "电话探访", "2026-03-02", 10, "好", "无风险", ""],
        ["赵无名", "", "电话探访", "2026-03-02", 10, "好", "无风险", ""],
    )
    upload = BytesIO(XLSX().export_data(book))
    upload.name = "visits.xlsx"
    formats = admin.site._registry[Visit].get_import_formats()
    index = next(i for i, f in enumerate(formats) if issubclass(f, XLSX))
    response = as_user(worker).post(
        "/admin/cases/visit/import/", {"import_file": upload, "format": str(index), "resource": "0"}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "赵无名" in text
    assert not Visit.objects.exists()


@pytest.mark.parametrize("url", ["/admin/cases/visit/export/", "/admin/station/need/export/"])
def test_visit_and_need_exports_are_scoped(url, person_a, other_person, worker, other_worker, as_user):
    from cases import services
    from station import services as station_services

    services.visit_record(person=person_a, kind="phone", actor=worker, needs=[
        {"category": "health", "description": "量血压"}])  # fmt: skip
    services.visit_record(person=other_person, kind="phone", actor=other_worker, needs=[
        {"category": "health", "description": "外站需求"}])  # fmt: skip
    del station_services
    model = Visit if "visit" in url else Need
    model_admin = admin.site._registry[model]
    index = next(i for i, f in enumerate(model_admin.get_export_formats()) if f.__name__ == "CSV")
    resource = model_admin.get_export_resource_classes(None)[0]
    data = {"format": str(index), "resource": "0"}
    for field in resource().get_export_order():
        data[f"{resource.__name__.lower()}_{field}"] = "on"
    body = as_user(worker).post(url, data).content.decode("utf-8-sig")
    assert "张桂兰" in body and "王外站" not in body


def test_the_admin_import_names_the_bad_row_as_excel_numbers_it(person_a, worker, as_user):
    """Headings are Excel row 1, so the second person listed is on Excel row 3."""
    book = visit_rows(
        ["张桂兰", "", "电话探访", "2026-03-02", 10, "好", "无风险", ""],
        ["赵无名", "", "电话探访", "2026-03-02", 10, "好", "无风险", ""],
    )
    upload = BytesIO(XLSX().export_data(book))
    upload.name = "visits.xlsx"
    formats = admin.site._registry[Visit].get_import_formats()
    index = next(i for i, f in enumerate(formats) if issubclass(f, XLSX))
    text = (
        as_user(worker)
        .post("/admin/cases/visit/import/", {"import_file": upload, "format": str(index), "resource": "0"})
        .content.decode()
    )
    assert "<td>3 </td>" in text and "<td>2 </td>" not in text
    assert not Visit.objects.exists()


def test_a_duration_written_in_words_is_named_by_row_in_chinese(person_a, worker):
    data = visit_rows(
        ["张桂兰", "", "电话探访", "2026-03-02", 10, "好", "无风险", ""],
        ["张桂兰", "", "电话探访", "2026-03-02", "十分钟", "好", "无风险", ""],
    )
    result = VisitResource(user=worker).import_data(data, dry_run=False)
    errors = errors_by_row(result)
    assert list(errors) == [3] and "十分钟" in errors[3]
    assert not result.has_errors()  # a row the worker can fix, not a crash with a traceback
    assert not Visit.objects.exists()
