"""A member's political status is sensitive: station staff see members, a cadre only their own community's,
district viewers figures only, and nothing of it reaches a volunteer's phone pages."""

import pytest
from django.test import Client

from partybuild import selectors, services
from partybuild.models import PartyMember
from tests.factories import PersonFactory
from tests.volunteers.factories import make_volunteer

from .factories import PartyOrgFactory, ServicePostFactory, make_active_member, make_member


@pytest.fixture
def member_a(person_a, worker, station):
    org = PartyOrgFactory(station=station, name="丰京苑社区第一党支部")
    return make_active_member(person_a, worker, skills="法律咨询", org=org, link=PartyMember.Link.RETIRED)


@pytest.fixture
def member_b(person_b, worker):
    return make_member(person_b, worker, skills="摄影")


def test_a_cadre_of_another_community_gets_404_on_another_communitys_members(
    member_a, member_b, cadre_a, as_user
):
    client = as_user(cadre_a)
    assert client.get(f"/admin/partybuild/partymember/{member_a.pk}/change/").status_code == 200
    assert client.get(f"/admin/partybuild/partymember/{member_b.pk}/change/").status_code == 404
    listing = client.get("/admin/partybuild/partymember/").content.decode()
    assert "张桂兰" in listing and "李建国" not in listing


def test_a_cadre_reads_but_cannot_change_members(member_a, cadre_a, as_user):
    client = as_user(cadre_a)
    assert client.get("/admin/partybuild/partymember/add/").status_code == 403
    response = client.post(f"/admin/partybuild/partymember/{member_a.pk}/change/", {"skills": "改"})
    assert response.status_code == 403
    member_a.refresh_from_db()
    assert member_a.skills == "法律咨询"


def test_a_worker_of_another_station_sees_no_member(member_a, other_worker, as_user):
    client = as_user(other_worker)
    assert client.get(f"/admin/partybuild/partymember/{member_a.pk}/change/").status_code == 404
    assert list(selectors.member_list_visible_to(other_worker)) == []


def test_a_district_viewer_sees_figures_only(member_a, district_viewer, as_user):
    assert list(selectors.member_list_visible_to(district_viewer)) == []
    assert as_user(district_viewer).get("/admin/partybuild/partymember/").status_code in (302, 403)


def test_a_members_party_details_are_never_shown_on_v(member_a, person_a, station):
    volunteer = make_volunteer(person_a, password="Zhang-gui-lan-2024")
    client = Client()
    client.force_login(volunteer.user)
    for url in ("/v/", "/v/points/", "/v/hours/", "/v/activities/", "/v/rewards/", "/v/redemptions/"):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        for word in ("党", "退休党员", "丰京苑社区第一党支部", "报到"):
            assert word not in page, (url, word)
    assert client.get(f"/admin/partybuild/partymember/{member_a.pk}/change/").status_code == 302
    assert client.get(f"/people/{person_a.pk}/").status_code in (302, 404)
    assert list(selectors.member_list_visible_to(volunteer.user)) == []


def test_the_person_page_shows_the_party_section_to_staff_and_the_communitys_cadre(
    member_a, person_a, person_b, worker, cadre_a, as_user, settings
):
    settings.PARTYBUILD_MEMBER_HOURS_PER_YEAR = 20
    post = ServicePostFactory(community=person_a.community, title="法律咨询岗")
    services.post_assign(post=post, member=member_a, actor=worker)
    page = as_user(worker).get(f"/people/{person_a.pk}/").content.decode()
    assert 'data-section="partybuild"' in page and "退休党员" in page and "法律咨询岗" in page
    assert 'data-testid="party-hours">0.0 / 20' in page
    assert "退休党员" in as_user(cadre_a).get(f"/people/{person_a.pk}/").content.decode()
    assert "退休党员" not in as_user(worker).get(f"/people/{person_b.pk}/").content.decode()


def test_the_person_page_reads_the_party_section_in_a_few_queries(member_a, person_a, worker, as_user,
                                                                  django_assert_max_num_queries):  # fmt: skip
    client = as_user(worker)
    client.get(f"/people/{person_a.pk}/")
    with django_assert_max_num_queries(45):
        assert client.get(f"/people/{person_a.pk}/").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/admin/partybuild/",
        "/admin/partybuild/partyorg/",
        "/admin/partybuild/partyorg/add/",
        "/admin/partybuild/partymember/",
        "/admin/partybuild/partymember/add/",
        "/admin/partybuild/partymember/import/",
        "/admin/partybuild/partymember/export/",
        "/admin/partybuild/partymember/wishes/",
        "/admin/partybuild/memberreport/",
        "/admin/partybuild/memberreport/add/",
        "/admin/partybuild/unitreport/",
        "/admin/partybuild/unitreport/add/",
        "/admin/partybuild/servicepost/",
        "/admin/partybuild/servicepost/add/",
        "/admin/partybuild/postholder/",
        "/admin/partybuild/postholder/add/",
        "/admin/partybuild/posthours/",
        "/admin/partybuild/posthours/add/",
        "/admin/partybuild/practicebase/",
        "/admin/partybuild/practicebase/add/",
        "/admin/partybuild/partyactivity/",
        "/admin/partybuild/partyactivity/add/",
        "/admin/partybuild/course/",
        "/admin/partybuild/course/add/",
        "/admin/partybuild/courseattendance/",
        "/admin/partybuild/courseattendance/add/",
        "/admin/partybuild/quarterlysheet/",
    ],
)
def test_every_admin_page_opens_for_a_worker_in_chinese(member_a, worker, as_user, url):
    response = as_user(worker).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "党" in page
        or "报到" in page
        or "岗位" in page
        or "课程" in page
        or "实践基地" in page
        or "反馈" in page
    )


def test_the_member_list_reads_in_a_bounded_number_of_queries(community_a, worker, as_user,
                                                             django_assert_max_num_queries):  # fmt: skip
    for _ in range(15):
        make_active_member(PersonFactory(community=community_a), worker)
    client = as_user(worker)
    with django_assert_max_num_queries(30):
        assert client.get("/admin/partybuild/partymember/").status_code == 200
