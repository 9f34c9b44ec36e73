"""Excel import of members and of a unit's roster: all rows or none, errors named by Excel row in Chinese,
ID numbers validated with their check digit."""

import io
from datetime import date

import openpyxl
from tablib import Dataset

from partybuild.models import PartyMember
from partybuild.resources import MemberResource
from station.models import Person
from tests.factories import valid_id_number

HEADERS = [
    "姓名",
    "手机号",
    "社区",
    "身份证号",
    "联系类型",
    "所在党组织",
    "工作单位",
    "技能",
    "服务意愿",
    "可服务时间",
]


def bad_check_digit(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("0" if last != "0" else "1")


def roster(community, rows):
    data = Dataset(headers=HEADERS)
    for name, id_number in rows:
        data.append([name, "13900001111", community.name, id_number, "在职党员社区报到", "区人民医院党支部",
                     "区人民医院", "健康医疗，护理", "义诊", "周末"])  # fmt: skip
    return data


def test_a_units_roster_imports_every_member_with_their_unit_and_branch(
    station, community_a, head, unit, branch
):
    data = roster(
        community_a,
        [("周医生", valid_id_number(date(1980, 1, 2))), ("吴护士", valid_id_number(date(1990, 3, 4)))],
    )
    result = MemberResource(station=station, user=head).import_data(data, dry_run=False)
    assert not result.has_validation_errors() and not result.has_errors()
    members = list(PartyMember.objects.select_related("person", "work_unit", "org").order_by("person__name"))
    assert [(m.person.name, m.work_unit, m.org, m.skills, m.link) for m in members] == [
        ("吴护士", unit, branch, "健康医疗,护理", "on_duty"),
        ("周医生", unit, branch, "健康医疗,护理", "on_duty"),
    ]


def test_a_roster_with_a_bad_id_check_digit_is_refused_by_row_and_nothing_is_saved(
    station, community_a, head, unit, branch
):
    good = valid_id_number(date(1980, 1, 2))
    data = roster(
        community_a,
        [("周医生", good), ("吴护士", bad_check_digit(valid_id_number(date(1990, 3, 4)))), ("郑药师", good)],
    )
    result = MemberResource(station=station, user=head).import_data(data, dry_run=False)
    assert result.has_validation_errors()
    errors = {
        row.number: " ".join(m for msgs in row.error_dict.values() for m in msgs)
        for row in result.invalid_rows
    }
    assert set(errors) == {3, 4}
    assert "校验码" in errors[3]
    assert "出现了两次" in errors[4]
    assert PartyMember.objects.count() == 0 and Person.objects.filter(name="周医生").count() == 0


def test_unknown_units_organisations_and_links_are_named_in_chinese(station, community_a, head):
    data = Dataset(headers=HEADERS)
    data.append(["周医生", "13900001111", community_a.name, valid_id_number(date(1980, 1, 2)), "党员", "无名支部",
                 "无名单位", "", "", ""])  # fmt: skip
    result = MemberResource(station=station, user=head).import_data(data, dry_run=False)
    messages = " ".join(m for row in result.invalid_rows for msgs in row.error_dict.values() for m in msgs)
    assert "未找到党组织“无名支部”" in messages
    assert "未找到单位“无名单位”" in messages
    assert "“党员”不是以下之一" in messages
    assert PartyMember.objects.count() == 0


def test_an_existing_resident_is_linked_not_duplicated(station, community_a, person_a, head):
    data = Dataset(headers=HEADERS)
    data.append(
        [person_a.name, person_a.phone, community_a.name, person_a.id_number, "退休党员", "", "", "", "", ""]
    )
    result = MemberResource(station=station, user=head).import_data(data, dry_run=False)
    assert not result.has_validation_errors()
    assert PartyMember.objects.get().person == person_a
    assert Person.objects.count() == 1


def test_the_import_page_dry_runs_and_shows_the_row_error(station, community_a, head, as_user):
    from django.contrib import admin

    from partybuild.admin import PartyMemberAdmin

    formats = [f().get_title() for f in PartyMemberAdmin(PartyMember, admin.site).get_import_formats()]
    book = openpyxl.Workbook()
    book.active.append(HEADERS)
    book.active.append(["周医生", "13900001111", community_a.name, bad_check_digit(valid_id_number(date(1980, 1, 2))),
                        "退休党员"])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "members.xlsx"
    response = as_user(head).post(
        "/admin/partybuild/partymember/import/",
        {"import_file": buffer, "format": str(formats.index("xlsx")), "resource": "0"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "校验码" in body
    assert not PartyMember.objects.exists()


def test_the_member_export_masks_id_numbers(station, community_a, person_a, head, as_user):
    from partybuild import services

    services.member_register(person=person_a, link="retired", actor=head)
    data = MemberResource(station=station, user=head).export()
    row = dict(zip(data.headers, data[0], strict=True))
    assert row["身份证号"] != person_a.id_number and "*" in row["身份证号"]
    assert row["联系类型"] == "退休党员"
    assert as_user(head).get("/admin/partybuild/partymember/export/").status_code == 200
