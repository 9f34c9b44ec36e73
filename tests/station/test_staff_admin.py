"""A station head manages the station's staff profiles, and only within the station."""

from station.models import StaffProfile


def profile_form(user, **overrides):
    data = {
        "user": user.pk,
        "role": "social_worker",
        "employment": "",
        "station": user.staff_profile.station_id,
        "district": "",
        "person": "",
        "communities": [],
    }
    return {**data, **overrides}


def test_head_cannot_make_a_worker_a_viewer_of_another_district(head, worker, other_station, as_user):
    url = f"/admin/station/staffprofile/{worker.staff_profile.pk}/change/"
    response = as_user(head).post(
        url, profile_form(worker, role="district_viewer", district=other_station.district)
    )
    assert response.status_code == 200  # the form comes back with an error
    profile = StaffProfile.objects.get(user=worker)
    assert (profile.role, profile.district) == ("social_worker", "")


def test_head_does_not_see_other_stations_users_in_the_user_list(head, other_worker, worker, as_user):
    page = as_user(head).get("/admin/station/staffprofile/add/").content.decode()
    assert ">worker<" in page
    assert "other_worker" not in page


def test_superuser_still_appoints_district_viewers(django_user_model, worker, station, as_user):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "x-pass-123")
    url = f"/admin/station/staffprofile/{worker.staff_profile.pk}/change/"
    response = as_user(root).post(
        url, profile_form(worker, role="district_viewer", district=station.district, station="")
    )
    assert response.status_code == 302
    assert StaffProfile.objects.get(user=worker).role == "district_viewer"


def test_the_refusal_is_in_chinese(head, worker, other_station, as_user):
    url = f"/admin/station/staffprofile/{worker.staff_profile.pk}/change/"
    page = as_user(head).post(url, profile_form(worker, role="district_viewer")).content.decode()
    assert "只有系统管理员可以任命区级查看人员" in page


def test_head_still_saves_a_profile_an_administrator_gave_a_district(head, worker, station, as_user):
    worker.staff_profile.district = station.district
    worker.staff_profile.save()
    url = f"/admin/station/staffprofile/{worker.staff_profile.pk}/change/"
    response = as_user(head).post(url, profile_form(worker, role="supervisor", district=station.district))
    assert response.status_code == 302
    assert StaffProfile.objects.get(user=worker).role == "supervisor"
