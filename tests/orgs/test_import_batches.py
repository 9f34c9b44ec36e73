"""The organisation and roster imports are batched: a file costs the same queries whatever its length, the
batch services refuse bad batches in Chinese and write nothing, and one bad row anywhere saves nothing."""

from datetime import date

import pytest
import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgs import services
from orgs.models import CommunityOrg, Membership
from orgs.resources import MembershipResource, OrgResource
from station.models import AuditEvent, Person
from station.signals import records_written
from tests.factories import PersonFactory

from .test_excel import ORG_HEADERS, ROSTER_HEADERS, errors_by_row


def org_file(names, community="丰京苑社区"):
    return tablib.Dataset(
        *[
            [name, "志愿服务类", community, "2023-05-01", "活动室", "每周一次", "", "", "", "", "", ""]
            for name in names
        ],
        headers=ORG_HEADERS,
    )


def roster_file(org, people):
    return tablib.Dataset(
        *[[org.name, p.name, p.phone, "成员", "2024-03-01", ""] for p in people], headers=ROSTER_HEADERS
    )


def residents(community, n, start=0):
    people = [
        Person(name=f"批量居民{start + i:03d}", phone=f"139{start + i:08d}", community=community)
        for i in range(n)
    ]
    return Person.objects.bulk_create(people)


def queries_of(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


# ---------------------------------------------------------------- queries do not grow with the file


@pytest.mark.parametrize("dry_run", [True, False], ids=["check", "confirm"])
def test_an_org_file_ten_times_longer_costs_no_more_queries(dry_run, community_a, worker):
    def import_orgs(names):
        result = OrgResource(user=worker).import_data(org_file(names), dry_run=dry_run)
        assert not result.has_errors() and not result.has_validation_errors(), errors_by_row(result)

    few = queries_of(lambda: import_orgs([f"小队{i}" for i in range(3)]))
    many = queries_of(lambda: import_orgs([f"大队{i}" for i in range(30)]))
    assert many <= few, f"{few} queries for 3 rows, {many} for 30"
    assert CommunityOrg.objects.count() == (0 if dry_run else 33)


@pytest.mark.parametrize("dry_run", [True, False], ids=["check", "confirm"])
def test_a_roster_ten_times_longer_costs_no_more_queries(dry_run, org_a, community_a, worker):
    def import_roster(people):
        result = MembershipResource(user=worker).import_data(roster_file(org_a, people), dry_run=dry_run)
        assert not result.has_errors() and not result.has_validation_errors(), errors_by_row(result)

    few = queries_of(lambda: import_roster(residents(community_a, 3)))
    many = queries_of(lambda: import_roster(residents(community_a, 30, start=3)))
    assert many <= few, f"{few} queries for 3 rows, {many} for 30"
    assert Membership.objects.count() == (0 if dry_run else 33)


# ---------------------------------------------------------------- what the batch services write


def test_imported_orgs_and_members_are_audited_and_reach_the_statistics(org_a, community_a, worker):
    written = []

    def listen(sender, instances, **kwargs):
        written.append((sender, len(instances)))

    records_written.connect(listen)
    try:
        OrgResource(user=worker).import_data(org_file(["甲队", "乙队"]), dry_run=False)
        MembershipResource(user=worker).import_data(
            roster_file(org_a, residents(community_a, 2)), dry_run=False
        )
    finally:
        records_written.disconnect(listen)
    assert written == [(CommunityOrg, 2), (Membership, 2)]
    created = AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, target_type="orgs.CommunityOrg")
    team = CommunityOrg.objects.get(name="甲队")
    assert created.get(target_id=str(team.pk)).changes == {
        "name": "甲队",
        "category": "volunteer",
        "tier": "loose",
    }
    roster = created.filter(target_id=str(org_a.pk)).exclude(changes__has_key="tier")
    assert sorted(e.changes["member"] for e in roster) == ["批量居民000", "批量居民001"]
    assert {e.target_repr for e in roster} == {org_a.name}
    assert team.led_by == "station" and team.station_id == community_a.station_id


# ---------------------------------------------------------------- the batch services' refusals


def new_org(community, name):
    return CommunityOrg(station=community.station, community=community, name=name, category="sports")


def test_org_create_many_refuses_a_name_twice_in_the_batch(community_a, worker):
    with pytest.raises(ValidationError) as refused:
        services.org_create_many(
            orgs=[new_org(community_a, "甲队"), new_org(community_a, " 甲队 ")], actor=worker
        )
    assert "本批中有两个组织都名为“甲队”" in str(refused.value)
    assert not CommunityOrg.objects.exists() and not AuditEvent.objects.exists()


def test_org_create_many_refuses_a_name_the_station_has(org_a, community_a, worker):
    with pytest.raises(ValidationError) as refused:
        services.org_create_many(
            orgs=[new_org(community_a, "新队"), new_org(community_a, org_a.name)], actor=worker
        )
    assert f"本站已有名为“{org_a.name}”的组织" in str(refused.value)
    assert list(CommunityOrg.objects.all()) == [org_a]


def test_org_create_many_is_for_the_stations_staff_only(community_a, cadre_a, other_worker):
    for actor in (cadre_a, other_worker):
        with pytest.raises(PermissionDenied, match="只有本站工作人员可以执行此操作"):
            services.org_create_many(orgs=[new_org(community_a, "甲队")], actor=actor)
    assert not CommunityOrg.objects.exists()


def test_membership_create_many_refuses_people_of_another_station(org_a, other_person, worker):
    with pytest.raises(ValidationError, match=f"{other_person.name} 属于其他社工站"):
        services.membership_create_many(
            memberships=[Membership(org=org_a, person=other_person, joined_on=date(2024, 3, 1))], actor=worker
        )
    assert not Membership.objects.exists()


def test_membership_create_many_refuses_a_current_member_twice(org_a, community_a, worker):
    member = PersonFactory(community=community_a, name="刘秀英")
    services.membership_add(org=org_a, person=member, role="member", actor=worker, joined_on=date(2024, 3, 1))
    newcomer = PersonFactory(community=community_a, name="陈志强")
    batches = [
        [Membership(org=org_a, person=newcomer, joined_on=date(2024, 3, 1)),
         Membership(org=org_a, person=member, joined_on=date(2024, 5, 1))],
        [Membership(org=org_a, person=newcomer, joined_on=date(2024, 3, 1)),
         Membership(org=org_a, person=newcomer, joined_on=date(2024, 4, 1))],
    ]  # fmt: skip
    for batch, name in zip(batches, ["刘秀英", "陈志强"], strict=True):
        with pytest.raises(ValidationError, match=f"{name} 已是 {org_a.name} 的成员"):
            services.membership_create_many(memberships=batch, actor=worker)
    assert list(Membership.objects.values_list("person__name", flat=True)) == ["刘秀英"]
    past = Membership(org=org_a, person=member, joined_on=date(2020, 1, 1), left_on=date(2021, 1, 1))
    services.membership_create_many(memberships=[past], actor=worker)  # a past spell is no second membership
    assert Membership.objects.filter(person=member).count() == 2


# ---------------------------------------------------------------- all rows or none


def test_an_org_file_with_one_bad_row_past_the_first_batch_saves_nothing(community_a, worker):
    names = [f"队{i:04d}" for i in range(1200)]
    names[1150] = names[3]  # Excel row 1152 repeats row 5
    errors = errors_by_row(OrgResource(user=worker).import_data(org_file(names), dry_run=False))
    assert errors == {1152: "组织“队0003”已在文件第5行。"}
    assert not CommunityOrg.objects.exists() and not AuditEvent.objects.exists()


def test_an_org_named_like_one_of_the_station_is_refused_by_row(org_a, community_a, worker):
    errors = errors_by_row(
        OrgResource(user=worker).import_data(org_file(["新队", org_a.name]), dry_run=False)
    )
    assert errors == {3: f"本站已有名为“{org_a.name}”的组织。"}
    assert list(CommunityOrg.objects.all()) == [org_a]


def test_a_cadre_cannot_import_orgs_or_rosters(org_a, community_a, cadre_a):
    errors = errors_by_row(OrgResource(user=cadre_a).import_data(org_file(["甲队"]), dry_run=False))
    assert errors == {2: "只有本站工作人员可以执行此操作。"}
    roster = roster_file(org_a, residents(community_a, 1))
    errors = errors_by_row(MembershipResource(user=cadre_a).import_data(roster, dry_run=False))
    assert errors == {2: "只有本站工作人员可以执行此操作。"}
    assert list(CommunityOrg.objects.all()) == [org_a] and not Membership.objects.exists()


def test_a_roster_naming_a_member_twice_is_refused_by_row(org_a, community_a, worker):
    people = residents(community_a, 3)
    data = roster_file(org_a, [*people, people[1]])
    data.append([org_a.name, people[0].name, "", "成员", "2020-01-01", "2021-01-01"])  # a past spell is fine
    errors = errors_by_row(MembershipResource(user=worker).import_data(data, dry_run=False))
    assert errors == {5: f"批量居民001 已在文件第3行列为 {org_a.name} 的成员。"}
    assert not Membership.objects.exists()
    data = roster_file(org_a, people[:1])
    services.membership_add(org=org_a, person=people[0], role="member", actor=worker)
    errors = errors_by_row(MembershipResource(user=worker).import_data(data, dry_run=False))
    assert errors == {2: f"批量居民000 已是 {org_a.name} 的成员。"}
