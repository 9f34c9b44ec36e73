"""The members' import is batched: a few queries for the whole file, whatever its length, through
member_check_many (the check) and member_register_many (the confirm), still all rows or none."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tablib import Dataset

from partybuild import services
from partybuild.models import PartyMember
from partybuild.resources import MemberResource
from station.models import AuditEvent, Person
from station.signals import records_written
from tests.factories import PersonFactory, valid_id_number

from .factories import PartyOrgFactory, make_member
from .test_import import HEADERS


def members_file(community, n, start=0, bad_community_at=None):
    """n rows: even ones residents already registered, odd ones new people (the row ``bad_community_at``, a new
    person's, names a community that does not exist)."""
    data = Dataset(headers=HEADERS)
    for i in range(start, start + n):
        if i % 2 == 0:
            person = PersonFactory(community=community, name=f"居民{i}")
            name, number = person.name, person.id_number
        else:
            name, number = f"新党员{i}", valid_id_number(date(1970, 1, 1) + timedelta(days=i))
        place = "不存在的社区" if i == bad_community_at else community.name
        data.append([name, "13900001111", place, number, "退休党员", "区人民医院党支部", "区人民医院",
                     "法律咨询、义诊", "义诊", "周末"])  # fmt: skip
    return data


def queries(resource, data, dry_run):
    with CaptureQueriesContext(connection) as captured:
        result = resource.import_data(data, dry_run=dry_run)
    assert not result.has_validation_errors() and not result.has_errors()
    return len(captured)


def test_the_check_and_the_import_cost_the_same_queries_for_a_file_ten_times_longer(
    station, community_a, head, unit, branch
):
    small, large = members_file(community_a, 4), members_file(community_a, 40, start=4)
    resource = lambda: MemberResource(station=station, user=head)  # noqa: E731
    assert queries(resource(), large, dry_run=True) <= queries(resource(), small, dry_run=True) + 2
    assert PartyMember.objects.count() == 0
    small_saved = queries(resource(), small, dry_run=False)
    assert queries(resource(), large, dry_run=False) <= small_saved + 2
    assert (
        PartyMember.objects.count() == 44 and Person.objects.filter(name__startswith="新党员").count() == 22
    )


def test_each_member_and_each_new_person_gets_an_audit_row_and_the_stats_hear_of_the_batch(
    station, community_a, head, unit, branch
):
    heard = []
    receiver = lambda sender, instances, **kwargs: heard.append((sender, len(instances)))  # noqa: E731
    records_written.connect(receiver)
    try:
        result = MemberResource(station=station, user=head).import_data(members_file(community_a, 6))
    finally:
        records_written.disconnect(receiver)
    assert not result.has_validation_errors()
    member_rows = AuditEvent.objects.filter(
        target_type="partybuild.PartyMember", action=AuditEvent.Action.CREATE
    )
    assert sorted(e.changes["link"] for e in member_rows) == ["retired"] * 6
    assert (
        AuditEvent.objects.filter(target_type="station.Person", action=AuditEvent.Action.CREATE).count() == 3
    )
    assert heard == [(PartyMember, 6)]
    assert set(PartyMember.objects.values_list("skills", flat=True)) == {"法律咨询,义诊"}


def test_one_bad_row_among_good_ones_saves_nothing_and_is_named(station, community_a, head, unit, branch):
    data = members_file(community_a, 12, bad_community_at=7)
    result = MemberResource(station=station, user=head).import_data(data, dry_run=False)
    assert [r.number for r in result.invalid_rows] == [9]
    assert "“不存在的社区”" in str(result.invalid_rows[0].error_dict)
    assert PartyMember.objects.count() == 0 and not Person.objects.filter(name__startswith="新党员").exists()


def test_a_bad_row_at_the_end_of_a_long_file_saves_none_of_its_rows(station, community_a, head, unit, branch):
    data = Dataset(headers=HEADERS)
    for i in range(1_005):
        data.append([f"新党员{i}", "", community_a.name, valid_id_number(date(1960, 1, 1) + timedelta(days=i)), "退休党员", "", "",
                     "", "", ""])  # fmt: skip
    data.append(["新党员", "", community_a.name, data[3][3], "退休党员", "", "", "", "", ""])
    result = MemberResource(station=station, user=head).import_data(data, dry_run=False)
    assert [r.number for r in result.invalid_rows] == [1_007]
    assert "出现了两次" in str(result.invalid_rows[0].error_dict)
    assert PartyMember.objects.count() == 0 and Person.objects.count() == 0


def test_a_person_already_a_member_or_too_long_skills_is_refused_by_row(station, community_a, person_a, head):
    make_member(person_a, head)
    data = Dataset(headers=HEADERS)
    data.append([person_a.name, "", community_a.name, person_a.id_number, "退休党员", "", "", "", "", ""])
    data.append(["新党员", "", community_a.name, valid_id_number(date(1980, 1, 2)), "退休党员", "", "", "技" * 301,
                 "", ""])  # fmt: skip
    result = MemberResource(station=station, user=head).import_data(data, dry_run=True)
    errors = {r.number: str(r.error_dict) for r in result.invalid_rows}
    assert set(errors) == {2, 3}
    assert "张桂兰 已登记为党员" in errors[2] and "技能" in errors[3]
    assert PartyMember.objects.count() == 1


# The services, called directly.


def test_member_register_many_refuses_a_person_already_a_member_and_writes_nothing(
    station, person_a, person_b, head
):
    make_member(person_a, head)
    events = AuditEvent.objects.count()
    batch = [PartyMember(person=person_b, link="retired"), PartyMember(person=person_a, link="retired")]
    with pytest.raises(ValidationError, match="张桂兰 已登记为党员"):
        services.member_register_many(members=batch, actor=head)
    assert PartyMember.objects.count() == 1 and AuditEvent.objects.count() == events


def test_member_register_many_refuses_a_person_twice_in_the_batch(station, person_a, head):
    batch = [PartyMember(person=person_a, link="retired"), PartyMember(person=person_a, link="on_duty")]
    with pytest.raises(ValidationError, match="张桂兰 在要登记的党员中出现了两次"):
        services.member_check_many(members=batch, actor=head)
    with pytest.raises(ValidationError):
        services.member_register_many(members=batch, actor=head)
    assert not PartyMember.objects.exists()


def test_member_register_many_refuses_another_stations_organisation_and_a_stranger(
    station, person_a, head, other_station, other_worker
):
    foreign = PartyOrgFactory(station=other_station)
    with pytest.raises(ValidationError, match="该党组织属于其他服务站"):
        services.member_register_many(
            members=[PartyMember(person=person_a, link="retired", org=foreign)], actor=head
        )
    with pytest.raises(PermissionDenied):
        services.member_register_many(
            members=[PartyMember(person=person_a, link="retired")], actor=other_worker
        )
    with pytest.raises(ValidationError) as refused:  # one member alone: member_register checks its fields
        services.member_register(person=person_a, link="nonsense", actor=head)
    assert "nonsense" in refused.value.message_dict["link"][0]
    with pytest.raises(ValidationError, match="“nonsense”不是有效的联系类型"):  # the batch, called directly
        services.member_register_many(members=[PartyMember(person=person_a, link="nonsense")], actor=head)
    assert not PartyMember.objects.exists()


def test_member_register_many_stores_members_in_their_stored_form_whoever_calls_it(person_a, head):
    member = PartyMember(person=person_a, link="retired", skills="义诊，义诊 , 护理", availability=" 周末 ")
    services.member_register_many(members=[member], actor=head)
    member.refresh_from_db()
    assert member.joined_on == timezone.localdate()
    assert member.availability == "周末"
    assert member.skills == services.normalise_skills("义诊，义诊 , 护理") != "义诊，义诊 , 护理"


def test_member_register_many_creates_new_people_with_their_members(station, community_a, head):
    person = Person(name="新党员", community=community_a, id_number=valid_id_number(date(1975, 5, 6)))
    person.full_clean()
    member = PartyMember(person=person, link="community", skills="义诊 义诊")
    services.member_prepare(member)
    member.full_clean(exclude=["person"])
    services.member_register_many(members=[member], actor=head)
    member.refresh_from_db()
    assert member.person.pk == person.pk and Person.objects.get(pk=person.pk).name == "新党员"
    assert member.skills == "义诊" and member.joined_on == timezone.localdate()
    assert AuditEvent.objects.filter(target_type="station.Person", target_id=str(person.pk)).exists()
