"""A cadre reads volunteers and shifts in the admin, but is not shown links to pages only workers may open."""

import pytest

pytestmark = pytest.mark.django_db


def test_cadre_sees_no_points_adjust_link_they_could_not_use(as_user, cadre_a, worker, volunteer_a):
    adjust = f"/admin/volunteers/volunteer/{volunteer_a.pk}/adjust/"
    assert adjust not in as_user(cadre_a).get("/admin/volunteers/volunteer/").content.decode()
    assert as_user(cadre_a).get(adjust).status_code == 403
    assert adjust in as_user(worker).get("/admin/volunteers/volunteer/").content.decode()


def test_cadre_sees_no_checkin_screen_link_they_could_not_open(as_user, cadre_a, worker, shift):
    screen = f"/v/staff/shifts/{shift.pk}/"
    activity = f"/admin/volunteers/volunteeractivity/{shift.volunteer_activity_id}/change/"
    for page in ("/admin/volunteers/shift/", activity):
        assert screen not in as_user(cadre_a).get(page).content.decode()
        assert screen in as_user(worker).get(page).content.decode()
    assert as_user(cadre_a).get(screen).status_code == 404
