import io
from datetime import date

import openpyxl
import pytest

from station import idnumbers
from station.models import AuditEvent, Person

from ..factories import valid_id_number


def xlsx(rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "性别", "出生日期", "电话", "社区", "住址", "居住身份", "身份证号"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "people.xlsx"
    return buffer


def test_admin_list_and_person_page_show_masked_id_only(head, person_a, as_user):
    client = as_user(head)
    for url in (
        "/admin/station/person/",
        f"/people/{person_a.pk}/",
        f"/admin/station/person/{person_a.pk}/change/",
    ):
        body = client.get(url).content.decode()
        assert person_a.masked_id_number in body, url
        assert person_a.id_number not in body, url


def test_search_by_full_id_number_finds_the_person(worker, person_a, person_b, as_user):
    body = as_user(worker).get("/admin/station/person/", {"q": person_a.id_number}).content.decode()
    assert person_a.name in body
    assert person_b.name not in body


def test_excel_export_masks_ids_and_is_logged(head, person_a, as_user):
    response = as_user(head).post(
        "/admin/station/person/export/",
        {
            "format": "0",
            "resource": "0",
            **{f"personresource_{f}": "on" for f in ["name", "community", "id_number"]},
        },
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert person_a.masked_id_number in values
    assert person_a.id_number not in values
    assert AuditEvent.objects.filter(action="export", actor=head).count() == 1
    assert AuditEvent.objects.get(action="export").reason == "导出 1 行"  # the trail reads in Chinese


def test_reveal_needs_a_reason_and_is_logged(head, person_a, as_user):
    client = as_user(head)
    url = f"/admin/station/person/{person_a.pk}/reveal-id/"
    refused = client.post(url, {"reason": ""})
    assert person_a.id_number not in refused.content.decode()
    assert not AuditEvent.objects.filter(action="reveal").exists()
    shown = client.post(url, {"reason": "办理低保复核"})
    assert person_a.id_number in shown.content.decode()
    event = AuditEvent.objects.get(action="reveal")
    assert (event.actor, event.target_id, event.reason) == (head, str(person_a.pk), "办理低保复核")


def test_reveal_is_forbidden_without_the_permission(worker, person_a, as_user):
    response = as_user(worker).post(f"/admin/station/person/{person_a.pk}/reveal-id/", {"reason": "想看看"})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_editing_a_person_keeps_the_id_and_writes_the_audit_trail(head, person_a, as_user):
    data = {
        "name": "张桂兰",
        "gender": "F",
        "birth_date": person_a.birth_date.isoformat(),
        "phone": "13800000001",
        "community": person_a.community_id,
        "address": "3号楼",
        "residency": "tenant",
        "id_number": "",
        "designations-TOTAL_FORMS": "0",
        "designations-INITIAL_FORMS": "0",
    }
    response = as_user(head).post(f"/admin/station/person/{person_a.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Person.objects.get(pk=person_a.pk)
    assert person.id_number == person_a.id_number
    assert person.residency == "tenant"
    event = AuditEvent.objects.get(action="update", target_id=str(person_a.pk))
    assert event.changes["residency"] == ["resettled", "tenant"]
    assert person_a.id_number not in str(event.changes)


def test_import_dry_run_shows_each_row_and_saves_nothing(head, community_a, as_user):
    good = valid_id_number(date(1950, 1, 2))
    upload = xlsx(
        [["赵大爷", "男", "1950-01-02", "13911112222", community_a.name, "1号楼", "回迁村民", good]]
    )
    response = as_user(head).post(
        "/admin/station/person/import/", {"import_file": upload, "format": "0", "resource": "0"}
    )
    assert response.status_code == 200
    assert "赵大爷" in response.content.decode()
    assert not Person.objects.filter(name="赵大爷").exists()


def test_import_with_one_bad_row_saves_nothing_and_names_the_row(head, community_a, as_user):
    good1 = valid_id_number(date(1950, 1, 2))
    good2 = valid_id_number(date(1962, 4, 5))
    bad = good2[:17] + ("1" if good2[17] != "1" else "2")
    upload = xlsx(
        [
            ["赵大爷", "男", "1950-01-02", "13911112222", community_a.name, "", "回迁村民", good1],
            ["钱阿姨", "女", "1962-04-05", "13911113333", community_a.name, "", "租户", bad],
            ["孙叔", "男", "1962-04-05", "13911114444", "不存在的村", "", "其他", ""],
            ["赵大爷", "男", "1950-01-02", "13911112222", community_a.name, "", "回迁村民", good1],
        ]
    )
    response = as_user(head).post(
        "/admin/station/person/import/", {"import_file": upload, "format": "0", "resource": "0"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert Person.objects.count() == 0
    assert "校验码" in body  # the check-digit message, in Chinese
    assert "不存在的村" in body
    assert "已登记" in body  # the duplicate in row 4


def test_resource_import_reports_row_numbers(head, community_a, station):
    from tablib import Dataset

    from station.resources import PersonResource

    bad = valid_id_number(date(1970, 1, 1))[:17] + "Y"
    data = Dataset(headers=["姓名", "性别", "出生日期", "电话", "社区", "住址", "居住身份", "身份证号"])
    data.append(
        ["一", "男", "1950-01-02", "", community_a.name, "", "回迁村民", valid_id_number(date(1950, 1, 2))]
    )
    data.append(["二", "女", "1970-01-01", "", community_a.name, "", "回迁村民", bad])
    result = PersonResource(station=station, user=head).import_data(data, dry_run=False)
    assert [row.number for row in result.invalid_rows] == [3]  # Excel row: headings are row 1
    assert Person.objects.count() == 0
    assert "17位数字" in " ".join(result.invalid_rows[0].error_dict["身份证号"])  # by its heading, in Chinese


def test_a_new_id_number_is_in_the_audit_trail_masked(head, person_a, as_user):
    old = person_a.id_number
    new = valid_id_number(person_a.birth_date, region="610104")
    data = {
        "name": person_a.name,
        "gender": person_a.gender,
        "birth_date": person_a.birth_date.isoformat(),
        "phone": person_a.phone,
        "community": person_a.community_id,
        "address": person_a.address,
        "residency": person_a.residency,
        "id_number": new,
        "designations-TOTAL_FORMS": "0",
        "designations-INITIAL_FORMS": "0",
    }
    response = as_user(head).post(f"/admin/station/person/{person_a.pk}/change/", data)
    assert response.status_code == 302
    assert Person.objects.get(pk=person_a.pk).id_number == new
    event = AuditEvent.objects.get(action="update", target_id=str(person_a.pk))
    before, after = event.changes["id_number"]
    assert before.startswith(idnumbers.mask(old)) and after.startswith(idnumbers.mask(new))
    assert old not in str(event.changes) and new not in str(event.changes)


def test_a_cadre_reading_a_person_in_the_admin_sees_the_id_number_masked(cadre_a, person_a, as_user):
    response = as_user(cadre_a).get(f"/admin/station/person/{person_a.pk}/change/")
    page = response.content.decode()
    assert response.status_code == 200 and person_a.name in page
    assert person_a.id_number not in page
    assert person_a.masked_id_number in page


def test_a_designation_added_in_the_admin_is_confirmed_by_the_worker_and_audited(head, person_a, as_user):
    data = {
        "name": person_a.name,
        "gender": "F",
        "birth_date": person_a.birth_date.isoformat(),
        "phone": person_a.phone,
        "community": person_a.community_id,
        "address": "",
        "residency": "resettled",
        "id_number": "",
        "designations-TOTAL_FORMS": "1",
        "designations-INITIAL_FORMS": "0",
        "designations-0-kind": "low_income",
        "designations-0-start_date": "2025-03-01",
        "designations-0-end_date": "",
        "designations-0-note": "",
    }
    response = as_user(head).post(f"/admin/station/person/{person_a.pk}/change/", data)
    assert response.status_code == 302
    designation = person_a.designations.get()
    assert designation.confirmed_by == head
    event = AuditEvent.objects.get(target_id=str(person_a.pk), changes__has_key="designation")
    assert event.changes["designation"][:2] == ["low_income", "2025-03-01"]


def test_the_designation_service_refuses_an_end_before_the_start(worker, person_a):
    from django.core.exceptions import ValidationError

    from station.models import Designation
    from station.services import designation_save

    with pytest.raises(ValidationError):
        designation_save(
            designation=Designation(person=person_a, kind="disabled", start_date=date(2025, 5, 1),
                                    end_date=date(2025, 4, 1)),
            actor=worker,
        )  # fmt: skip
    assert not person_a.designations.exists()


@pytest.mark.parametrize("fmt", ["0", "1"])  # Excel, CSV
def test_a_name_that_looks_like_a_formula_is_exported_as_text(fmt, head, person_a, as_user):
    """A resident entered as ``=HYPERLINK(...)`` (or -, +, @) must not become a live formula in the export."""
    from station.models import Person as P

    P.objects.filter(pk=person_a.pk).update(name='=HYPERLINK("http://evil.example","点我")', address="-2+3")
    response = as_user(head).post(
        "/admin/station/person/export/",
        {
            "format": fmt,
            "resource": "0",
            **{f"personresource_{f}": "on" for f in ["name", "address", "phone"]},
        },
    )
    assert response.status_code == 200
    if fmt == "0":
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        cells = {c.value: c.data_type for row in sheet.iter_rows() for c in row}
        assert cells['=HYPERLINK("http://evil.example","点我")'] == "s"  # the exact text, as a text cell
        assert cells["-2+3"] == "s"
        assert not [v for v, kind in cells.items() if kind == "f"]
    else:
        body = response.content.decode("utf-8-sig")
        assert "'=HYPERLINK(" in body and "'-2+3" in body
        assert "\n=" not in body.replace("\r", "") and ",=" not in body


# The optional register columns: 登记日期 (registered on) and 迁出日期 (moved out on).

REGISTER_HEADERS = [
    "姓名",
    "性别",
    "出生日期",
    "电话",
    "社区",
    "住址",
    "居住身份",
    "身份证号",
    "登记日期",
    "迁出日期",
]


def _register_rows(community, *dates):
    return [
        [f"居民{i}", "男", "1950-01-02", "", community.name, "", "回迁村民",
         valid_id_number(date(1950, 1, 2)), registered, moved_out]
        for i, (registered, moved_out) in enumerate(dates)
    ]  # fmt: skip


def test_import_reads_the_register_dates(head, community_a, station):
    from tablib import Dataset

    from station.resources import PersonResource

    rows = _register_rows(community_a, ("2024-03-01", "2025-06-30"), ("2024-05-01", ""), ("", ""))
    result = PersonResource(station=station, user=head).import_data(
        Dataset(*rows, headers=REGISTER_HEADERS), dry_run=False
    )
    assert not result.invalid_rows and not result.has_errors()
    dates = {p.name: (p.registered_on, p.moved_out_on) for p in Person.objects.all()}
    assert dates == {
        "居民0": (date(2024, 3, 1), date(2025, 6, 30)),
        "居民1": (date(2024, 5, 1), None),
        "居民2": (None, None),
    }


def test_a_bad_register_date_and_a_move_before_registering_are_refused_by_row(head, community_a, station):
    from tablib import Dataset

    from station.resources import PersonResource

    rows = _register_rows(community_a, ("2024-03-01", ""), ("2024-13-45", ""), ("2025-06-30", "2024-03-01"))
    result = PersonResource(station=station, user=head).import_data(
        Dataset(*rows, headers=REGISTER_HEADERS), dry_run=False
    )
    errors = {row.number: row.error_dict for row in result.invalid_rows}
    assert list(errors) == [3, 4]
    assert "无法识别的日期" in " ".join(errors[3]["登记日期"])
    assert errors[4]["迁出日期"] == ["迁出日期不能早于登记日期。"]
    assert not Person.objects.exists()


def test_the_people_export_carries_the_register_dates(head, person_a, as_user):
    Person.objects.filter(pk=person_a.pk).update(
        registered_on=date(2024, 3, 1), moved_out_on=date(2025, 6, 30)
    )
    response = as_user(head).post(
        "/admin/station/person/export/",
        {"format": "0", "resource": "0",
         **{f"personresource_{f}": "on" for f in ["name", "registered_on", "moved_out_on"]}},
    )  # fmt: skip
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("姓名", "登记日期", "迁出日期")
    assert [str(v)[:10] for v in rows[1][1:]] == ["2024-03-01", "2025-06-30"]
