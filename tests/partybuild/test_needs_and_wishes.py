"""A party member takes a need like any other taker; the resident's page shows it met. The 微心愿 wall shows
open needs without the resident's full name, ID number or address."""

import pytest
from django.core.exceptions import ValidationError

from partybuild import selectors, services
from station.models import Need
from station.services import need_raise
from tests.factories import PersonFactory

from .factories import make_active_member


@pytest.fixture
def need(person_a, worker):
    return need_raise(
        person=person_a,
        category=Need.Category.HOUSING,
        description="厨房水管漏水",
        source="visit",
        actor=worker,
    )


@pytest.fixture
def member(community_a, worker):
    return make_active_member(PersonFactory(community=community_a, name="刘党员"), worker, skills="水电维修")


def test_a_need_taken_by_a_member_closes_on_the_residents_page(need, member, person_a, worker, as_user):
    services.need_take_by_member(need=need, member=member, actor=worker)
    need.refresh_from_db()
    assert (need.status, need.taker_name, need.taker_id) == ("taken", "刘党员", member.pk)
    services.need_meet_by_member(need=need, outcome="更换了水管", actor=worker)

    page = as_user(worker).get(f"/people/{person_a.pk}/").content.decode()

    assert "厨房水管漏水" in page and "更换了水管" in page
    assert "<strong>已解决</strong>" in page
    assert list(selectors.needs_of_member(member)) == [Need.objects.get(pk=need.pk)]


def test_a_taken_need_cannot_be_taken_again(need, member, community_a, worker):
    services.need_take_by_member(need=need, member=member, actor=worker)
    other = make_active_member(PersonFactory(community=community_a), worker)
    with pytest.raises(ValidationError):
        services.need_take_by_member(need=need, member=other, actor=worker)


def test_the_wish_wall_hides_the_residents_name_id_and_address(need, member, person_a, worker, as_user):
    person_a.address = "3号楼2单元501"
    person_a.save()
    page = as_user(worker).get("/admin/partybuild/partymember/wishes/").content.decode()
    assert "厨房水管漏水" in page
    assert "张**" in page
    assert "张桂兰" not in page and "501" not in page and person_a.id_number not in page
    assert person_a.id_number[-4:] not in page


def test_a_member_takes_a_wish_from_the_wall(need, member, worker, as_user):
    as_user(worker).post("/admin/partybuild/partymember/wishes/", {"need": need.pk, "member": member.pk})
    need.refresh_from_db()
    assert need.status == "taken" and need.taker_name == "刘党员"


def test_a_cadre_reads_the_wall_but_cannot_take_a_wish(need, member, cadre_a, as_user):
    client = as_user(cadre_a)
    assert "厨房水管漏水" in client.get("/admin/partybuild/partymember/wishes/").content.decode()
    assert (
        client.post(
            "/admin/partybuild/partymember/wishes/", {"need": need.pk, "member": member.pk}
        ).status_code
        == 403
    )
    need.refresh_from_db()
    assert need.status == "open"


def test_a_bad_wish_number_is_a_message_not_a_500(member, worker, as_user):
    response = as_user(worker).post(
        "/admin/partybuild/partymember/wishes/", {"need": "x\x00", "member": member.pk}, follow=True
    )
    assert response.status_code == 200
    assert "请选择一个微心愿和一名党员。" in response.content.decode()


def test_follow_up_items_of_a_party_day_become_needs(community_a, person_a, worker):
    from partybuild.models import PartyActivity
    from station.models import Activity
    from tests.factories import ActivityFactory

    from .factories import PartyOrgFactory

    org = PartyOrgFactory(station=community_a.station)
    activity = ActivityFactory.build(station=community_a.station, community=community_a, title="七一主题党日")
    party_day = services.party_activity_save(
        party_activity=PartyActivity(kind="party_day"), activity=activity, orgs=[org], actor=worker
    )
    assert Activity.objects.get().platform == "partybuild"
    need = services.party_activity_follow_up(
        party_activity=party_day,
        person=person_a,
        category="daily_care",
        description="需要每周送餐",
        actor=worker,
    )
    assert need.status == "open" and need.source_ref == f"partybuild-activity-{party_day.pk}"
