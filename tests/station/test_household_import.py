"""Households with their members from Excel, in the household admin: one row per member, a dry run first,
row-numbered Chinese errors, nothing saved on any error."""

import re
from io import BytesIO

from django.contrib import admin
from import_export.formats.base_formats import XLSX
from tablib import Dataset

from station import services
from station.household_import import HouseholdMemberResource
from station.models import Household, HouseholdMember
from tests.factories import PersonFactory

HEADERS = ["户号", "住址", "社区", "姓名", "电话", "与户主关系"]


def sheet(*rows):
    data = Dataset(headers=HEADERS)
    for row in rows:
        data.append(row)
    return data


def run(station, user, *rows, dry_run=False):
    return HouseholdMemberResource(station=station, user=user).import_data(sheet(*rows), dry_run=dry_run)


def test_a_household_with_its_members_is_created(station, community_a, worker):
    head, wife, son = (PersonFactory(community=community_a, name=n) for n in ("王建国", "李秀英", "王小明"))
    result = run(
        station, worker,
        ["FJY-0501", "丰京苑3号楼2单元501", community_a.name, "王建国", "", "户主"],
        ["FJY-0501", "丰京苑3号楼2单元501", community_a.name, "李秀英", "", "配偶"],
        ["FJY-0501", "", community_a.name, "王小明", "", "子女"],
        ["", "丰京苑4号楼101", community_a.name, "赵大爷", "", "户主"],
    )  # fmt: skip
    assert result.has_validation_errors()  # 赵大爷 is unknown: nothing is saved
    assert [r.number for r in result.invalid_rows] == [5]
    assert "赵大爷" in str(result.invalid_rows[0].error_dict)
    assert not Household.objects.exists() and not HouseholdMember.objects.exists()
    PersonFactory(community=community_a, name="赵大爷")
    result = run(
        station, worker,
        ["FJY-0501", "丰京苑3号楼2单元501", community_a.name, "王建国", "", "户主"],
        ["FJY-0501", "丰京苑3号楼2单元501", community_a.name, "李秀英", "", "配偶"],
        ["FJY-0501", "", community_a.name, "王小明", "", "子女"],
        ["", "丰京苑4号楼101", community_a.name, "赵大爷", "", "户主"],
    )  # fmt: skip
    assert not result.has_validation_errors() and not result.has_errors()
    household = Household.objects.get(number="FJY-0501")
    assert household.address == "丰京苑3号楼2单元501" and household.community == community_a
    assert dict(household.memberships.values_list("person", "relation")) == {
        head.pk: "head",
        wife.pk: "spouse",
        son.pk: "child",
    }
    assert Household.objects.get(number="").memberships.get().person.name == "赵大爷"


def test_every_bad_row_is_named_and_nothing_is_saved(station, community_a, community_b, worker, other_person):
    for name in ("甲", "乙", "丙"):
        PersonFactory(community=community_a, name=name)
    PersonFactory(community=community_b, name="丁")
    result = run(
        station, worker,
        ["H1", "1号楼", community_a.name, "甲", "", "户主"],
        ["H1", "1号楼", community_a.name, "乙", "", "户主"],  # a second head
        ["H1", "2号楼", community_a.name, "丙", "", "子女"],  # another address for the same household
        ["H1", "1号楼", community_a.name, "丁", "", "子女"],  # lives in another community
        ["H2", "9号楼", community_a.name, other_person.name, "", "户主"],  # another station's person
        ["H3", "5号楼", community_a.name, "丙", "", "表亲"],  # no such relation
        ["H4", "6号楼", "不存在的村", "丙", "", "户主"],
        ["H5", "7号楼", community_a.name, "甲", "", "子女"],  # nobody is the head of H5
    )  # fmt: skip
    errors = {
        row.number: " ".join(" ".join(v) for v in row.error_dict.values()) for row in result.invalid_rows
    }
    assert set(errors) == {3, 4, 5, 6, 7, 8, 9}
    assert "户主" in errors[3]
    assert "第2行" in errors[4] and "1号楼" in errors[4]
    assert "丁" in errors[5] and "社区" in errors[5]
    assert other_person.name in errors[6]
    assert "表亲" in errors[7]
    assert "不存在的村" in errors[8]
    assert "户主" in errors[9]
    assert not Household.objects.exists() and not HouseholdMember.objects.exists()


def test_an_existing_household_gains_members_and_a_person_moves_house(station, community_a, worker):
    old = services.household_save(household=Household(community=community_a, number="H9", address="旧址"),
                                  actor=worker)  # fmt: skip
    head, mover = PersonFactory(community=community_a), PersonFactory(community=community_a)
    services.household_member_set(household=old, person=head, relation="head", actor=worker)
    services.household_member_set(household=old, person=mover, relation="child", actor=worker)
    result = run(
        station, worker,
        ["H9", "", community_a.name, mover.name, "", "其他亲属或同住人"],  # H9 already has its head
        ["H10", "新址", community_a.name, head.name, "", "户主"],
    )  # fmt: skip
    assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    assert HouseholdMember.objects.get(person=mover).relation == "other"
    assert HouseholdMember.objects.get(person=head).household.number == "H10"


def test_the_admin_checks_the_sheet_then_saves_it_on_confirm(station, community_a, head, as_user):
    PersonFactory(community=community_a, name="王建国")
    formats = admin.site._registry[Household].get_import_formats()
    index = str(next(i for i, f in enumerate(formats) if issubclass(f, XLSX)))
    client = as_user(head)

    def upload(*rows):
        book = BytesIO(XLSX().export_data(sheet(*rows)))
        book.name = "户籍.xlsx"
        return client.post("/admin/station/household/import/",
                           {"import_file": book, "format": index, "resource": "0"})  # fmt: skip

    bad = upload(["H1", "1号楼", community_a.name, "王外人", "", "户主"])
    assert bad.status_code == 200 and "王外人" in bad.content.decode() and "行" in bad.content.decode()
    checked = upload(["H1", "1号楼", community_a.name, "王建国", "", "户主"]).content.decode()
    assert not Household.objects.exists()  # the dry run saves nothing
    confirm = {
        name: re.search(rf'name="{name}"[^>]*value="([^"]*)"', checked).group(1)
        for name in ("import_file_name", "original_file_name", "format", "resource")
    }
    assert client.post("/admin/station/household/process_import/", confirm).status_code == 302
    assert Household.objects.get().memberships.get().person.name == "王建国"


def test_a_cadre_cannot_import_households(cadre_a, as_user):
    assert as_user(cadre_a).get("/admin/station/household/import/").status_code in (403, 404)


def test_the_demo_seeds_households_with_one_head_each_once(db):
    import io

    from django.core.management import call_command
    from django.db.models import Count, F, Q

    call_command("seed_demo", people=60, stdout=io.StringIO())
    households = Household.objects.annotate(
        heads=Count("memberships", filter=Q(memberships__relation="head"))
    )
    assert households.count() >= 10
    assert set(households.values_list("heads", flat=True)) == {1}
    assert not HouseholdMember.objects.exclude(person__community=F("household__community")).exists()
    members = HouseholdMember.objects.count()
    call_command("seed_demo", people=60, stdout=io.StringIO())
    assert HouseholdMember.objects.count() == members and Household.objects.count() == households.count()


def test_a_sheet_without_the_relation_column_is_refused_in_chinese(station, community_a, head, as_user):
    PersonFactory(community=community_a, name="王建国")
    data = Dataset(headers=HEADERS[:-1])
    data.append(["H1", "1号楼", community_a.name, "王建国", ""])
    result = HouseholdMemberResource(station=station, user=head).import_data(data, dry_run=False)
    assert result.has_errors()
    assert "与户主关系" in str(result.base_errors[0].error)
    assert not Household.objects.exists()


def test_a_person_named_on_two_rows_is_refused_with_the_first_row(station, community_a, worker):
    PersonFactory(community=community_a, name="孙立")
    PersonFactory(community=community_a, name="孙红")
    result = run(
        station, worker,
        ["H1", "1号楼", community_a.name, "孙立", "", "户主"],
        ["H2", "2号楼", community_a.name, "孙红", "", "户主"],
        ["H2", "2号楼", community_a.name, "孙立", "", "子女"],
    )  # fmt: skip
    errors = {row.number: str(row.error_dict) for row in result.invalid_rows}
    assert list(errors) == [4] and "孙立" in errors[4] and "第2行" in errors[4]
    assert not Household.objects.exists() and not HouseholdMember.objects.exists()


def test_a_register_of_any_length_costs_the_same_queries(
    station, community_a, worker, django_assert_max_num_queries
):
    """20,000 members are one file: households, heads and people are looked up and written for the file."""
    for size in (2, 30):
        people = PersonFactory.create_batch(size * 3, community=community_a)
        rows = [
            [f"N{size}-{i // 3}", f"{i // 3}号楼", community_a.name, p.name, p.phone, "户主" if i % 3 == 0 else "子女"]
            for i, p in enumerate(people)
        ]  # fmt: skip
        with django_assert_max_num_queries(24):  # 22 with 6 rows or with 90
            result = run(station, worker, *rows)
        assert not result.has_validation_errors() and not result.has_errors()
    assert Household.objects.count() == 32 and HouseholdMember.objects.count() == 96
    assert HouseholdMember.objects.filter(relation="head").count() == 32


def test_the_batch_service_holds_one_head_and_one_household_a_person(station, community_a, worker):
    """The rules hold in the service, whoever calls it, not only in the import's row checks."""
    import pytest
    from django.core.exceptions import ValidationError

    a, b = PersonFactory(community=community_a), PersonFactory(community=community_a)
    home = Household(community=community_a, number="S1", address="1号楼")
    with pytest.raises(ValidationError):
        services.household_members_set_many(
            members=[HouseholdMember(household=home, person=a, relation="head"),
                     HouseholdMember(household=home, person=b, relation="head")],
            actor=worker,
        )  # fmt: skip
    with pytest.raises(ValidationError):
        services.household_members_set_many(
            members=[HouseholdMember(household=home, person=a, relation="head"),
                     HouseholdMember(household=home, person=a, relation="child")],
            actor=worker,
        )  # fmt: skip
    assert not Household.objects.exists() and not HouseholdMember.objects.exists()
