"""Scores and certificate status only for station staff and the person's tutor; a cadre sees members and
how many passed, never scores."""

from station.models import StaffProfile
from talent import permissions, selectors
from tests.factories import make_staff

from .factories import make_group, make_session, sit


def _passed_member(station, person_a, worker):
    group = make_group(station, worker, [person_a])
    sit(person_a, 2024, {"assistant_general": "87.5", "assistant_practice": "73.5"}, worker)
    return group


def test_a_cadre_sees_members_and_passes_but_no_scores(station, person_a, worker, cadre_a, as_user):
    group = _passed_member(station, person_a, worker)
    response = as_user(cadre_a).get(f"/talent/groups/{group.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert person_a.name in page
    assert 'data-testid="group-counts"' in page and "通过考试" in page
    assert "87.5" not in page and "73.5" not in page
    assert "掉队" not in page  # no falling-behind list (mock scores) for a cadre


def test_a_cadre_is_refused_the_attempts_certificates_and_mock_scores(
    station, person_a, worker, cadre_a, as_user
):
    _passed_member(station, person_a, worker)
    client = as_user(cadre_a)
    for url in ["/admin/talent/examattempt/", "/admin/talent/certificate/", "/admin/talent/mockscore/"]:
        assert client.get(url).status_code == 403
    assert not selectors.attempt_list_visible_to(cadre_a).exists()
    assert not selectors.certificate_list_visible_to(cadre_a).exists()
    assert permissions.scores_visible_for(cadre_a, person_a) is not None


def test_a_cadre_of_another_community_gets_404_on_the_group(station, person_b, worker, cadre_a, as_user):
    group = make_group(station, worker, [person_b])
    assert as_user(cadre_a).get(f"/talent/groups/{group.pk}/").status_code == 404


def test_station_staff_see_the_scores(station, person_a, worker, supervisor, as_user):
    _passed_member(station, person_a, worker)
    page = as_user(supervisor).get("/admin/talent/examattempt/").content.decode()
    assert "87.5" in page
    assert permissions.scores_visible_for(supervisor, person_a) is None


def test_the_tutor_sees_the_scores_of_their_members(station, person_a, worker):
    _passed_member(station, person_a, worker)
    assert selectors.attempt_list_visible_to(worker).filter(person=person_a).exists()


def test_a_worker_of_another_station_sees_nothing_and_gets_404(
    station, person_a, worker, other_worker, as_user
):
    group = _passed_member(station, person_a, worker)
    session = make_session(group, worker)
    client = as_user(other_worker)
    assert client.get(f"/talent/groups/{group.pk}/").status_code == 404
    assert client.get(f"/talent/sessions/{session.pk}/").status_code == 404
    assert not selectors.attempt_list_visible_to(other_worker).exists()
    attempt = selectors.attempt_list_visible_to(worker).get()
    assert client.get(f"/admin/talent/examattempt/{attempt.pk}/change/").status_code == 404


def test_the_person_page_shows_scores_to_staff_only(station, person_a, worker, cadre_a, as_user):
    _passed_member(station, person_a, worker)
    staff_page = as_user(worker).get(f"/people/{person_a.pk}/").content.decode()
    cadre_page = as_user(cadre_a).get(f"/people/{person_a.pk}/").content.decode()
    assert "87.5" in staff_page and "助理社会工作师" in staff_page
    assert "87.5" not in cadre_page


def test_a_district_viewer_sees_no_people(station, person_a, worker):
    _passed_member(station, person_a, worker)
    viewer = make_staff(StaffProfile.Role.DISTRICT_VIEWER, district=station.district)
    assert not selectors.member_list_visible_to(viewer).exists()
    assert not selectors.talent_profile_list_visible_to(viewer).exists()
