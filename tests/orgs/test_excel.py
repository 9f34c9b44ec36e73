"""Excel: organisations and rosters come in all or nothing, errors named by Excel row, in Chinese."""

import tablib

from orgs.models import CommunityOrg, Membership
from orgs.resources import MembershipResource, OrgResource
from tests.factories import PersonFactory

ORG_HEADERS = ["组织名称", "类别", "所在社区", "成立日期", "活动场地", "活动频次", "党建联系", "法律地位", "备案编号", "备案日期",
               "统一社会信用代码", "登记日期"]  # fmt: skip
ROSTER_HEADERS = ["社区社会组织", "姓名", "电话", "角色", "加入日期", "退出日期"]


def errors_by_row(result):
    rows = {row.number: " ".join(str(m) for msgs in row.error_dict.values() for m in msgs)
            for row in result.invalid_rows}  # fmt: skip
    for row in result.error_rows:
        rows[row.number] = " ".join(str(e.error) for e in row.errors)
    return rows


def test_organisations_are_imported_with_their_standing(community_a, worker):
    data = tablib.Dataset(
        ["丰京苑志愿服务队", "志愿服务类", "丰京苑社区", "2023-05-01", "社区活动室", "每周一次", "", "街道备案", "GQ-2024-01",
         "2024-06-01", "", ""],
        ["丰京苑舞蹈队", "文化艺术类", "丰京苑社区", "", "广场", "", "", "", "", "", "", ""],
        headers=ORG_HEADERS,
    )  # fmt: skip
    result = OrgResource(user=worker).import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors(), errors_by_row(result)
    team = CommunityOrg.objects.get(name="丰京苑志愿服务队")
    assert (team.tier, team.filing_number, team.led_by) == ("filed", "GQ-2024-01", "station")
    assert CommunityOrg.objects.get(name="丰京苑舞蹈队").led_by == "self"


def test_a_filed_org_without_its_number_is_refused_by_row(community_a, worker):
    data = tablib.Dataset(
        ["甲队", "志愿服务类", "丰京苑社区", "", "", "", "", "", "", "", "", ""],
        ["乙队", "志愿服务类", "丰京苑社区", "", "", "", "", "街道备案", "", "", "", ""],
        ["丙队", "旅游类", "别的社区", "", "", "", "", "", "", "", "", ""],
        headers=ORG_HEADERS,
    )
    errors = errors_by_row(OrgResource(user=worker).import_data(data, dry_run=False))
    assert sorted(errors) == [3, 4]
    assert "备案" in errors[3] and "旅游类" in errors[4]
    assert not CommunityOrg.objects.exists()


def test_bad_excel_rosters_leave_nothing_saved(org_a, community_a, worker):
    a = PersonFactory(community=community_a, name="刘秀英")
    PersonFactory(community=community_a, name="陈志强")
    data = tablib.Dataset(
        [org_a.name, "刘秀英", a.phone, "负责人", "2024-03-01", ""],
        [org_a.name, "陈志强", "", "队长", "2024-03-01", ""],
        [org_a.name, "赵无名", "", "成员", "2024-03-01", ""],
        ["不存在的队", "陈志强", "", "成员", "2024-03-01", ""],
        [org_a.name, "陈志强", "", "成员", "2024-03-01", "2024-01-01"],
        [org_a.name, "刘秀英", "", "成员", "2024-02-30", ""],
        headers=ROSTER_HEADERS,
    )
    errors = errors_by_row(MembershipResource(user=worker).import_data(data, dry_run=False))
    assert sorted(errors) == [3, 4, 5, 6, 7]
    assert "队长" in errors[3] and "赵无名" in errors[4] and "不存在的队" in errors[5]
    assert "退出日期不能早于加入日期" in errors[6] and "2024-02-30" in errors[7]
    assert not Membership.objects.exists()


def test_a_clean_roster_is_imported_and_a_repeated_member_is_refused(org_a, community_a, worker):
    people = [PersonFactory(community=community_a, name=n) for n in ("刘秀英", "陈志强")]
    data = tablib.Dataset(
        *[
            [org_a.name, p.name, "", "负责人" if i == 0 else "成员", "2024-03-01", ""]
            for i, p in enumerate(people)
        ],
        headers=ROSTER_HEADERS,
    )
    result = MembershipResource(user=worker).import_data(data, dry_run=False)
    assert not result.has_validation_errors() and not result.has_errors()
    assert Membership.objects.get(role="leader").person == people[0]
    again = tablib.Dataset([org_a.name, "陈志强", "", "成员", "2024-04-01", ""], headers=ROSTER_HEADERS)
    assert 2 in errors_by_row(MembershipResource(user=worker).import_data(again, dry_run=False))
    assert Membership.objects.count() == 2


def test_another_stations_people_and_orgs_are_unknown(org_a, other_person, other_worker, worker):
    data = tablib.Dataset([org_a.name, "王外站", "", "成员", "2024-03-01", ""], headers=ROSTER_HEADERS)
    errors = errors_by_row(MembershipResource(user=worker).import_data(data, dry_run=False))
    assert "王外站" in errors[2]
    errors = errors_by_row(MembershipResource(user=other_worker).import_data(data, dry_run=False))
    assert org_a.name in errors[2]
    assert not Membership.objects.exists()
