"""Garbage posted to the admin's actions and forms gets a message or a 404, never a 500, and changes nothing."""

from datetime import date

import pytest

from volunteers import services
from volunteers.models import Donation, LedgerEntry, Redemption, ServiceRecord, Volunteer


@pytest.fixture
def signed_in_client():
    from django.test import Client

    def make(volunteer):
        client = Client(raise_request_exception=False)
        client.force_login(volunteer.user)
        return client

    return make


@pytest.fixture
def worker_client(worker, as_user):
    client = as_user(worker)
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize(
    "model,action",
    [
        ("servicerecord", "approve_selected"),
        ("servicerecord", "decline_selected"),
        ("servicerecord", "submit_selected"),
        ("ledgerentry", "reverse_selected"),
        ("redemption", "fulfil_selected"),
        ("redemption", "cancel_selected"),
    ],
)
@pytest.mark.parametrize("bad_id", ["abc", "-1", "99999999999999999999999", "1.5"])
def test_an_admin_action_on_a_garbage_id_changes_nothing_and_says_so(
    worker_client, volunteer_a, worker, model, action, bad_id
):
    record = services.service_record_backfill(
        volunteer=volunteer_a, service_date=date(2024, 5, 1), minutes=60, description="助老", actor=worker
    )
    response = worker_client.post(
        f"/admin/volunteers/{model}/",
        {"action": action, "_selected_action": [bad_id], "apply": "1", "reason": "测试"},
        follow=True,
    )
    assert response.status_code == 200
    assert "所选记录编号无效" in response.content.decode()
    record.refresh_from_db()
    assert record.status == "entered"
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(
    "url,data",
    [
        ("/admin/volunteers/donation/add/", {"sponsor": "abc", "reward": "x", "description": "大米"}),
        ("/admin/volunteers/volunteer/add/", {"person": "abc", "status": "active"}),
        ("/admin/volunteers/servicerecord/add/", {"volunteer": "9" * 30, "hours": "1"}),
    ],
)
def test_an_autocomplete_field_with_garbage_is_a_form_error(worker_client, url, data):
    response = worker_client.post(url, data)
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert not Donation.objects.exists() and not Volunteer.objects.exists()
    assert not ServiceRecord.objects.exists()
    assert not Redemption.objects.exists()


@pytest.mark.parametrize("points", ["99999999999", "-99999999999", "2147483647", "1000001"])
def test_an_absurd_adjustment_is_refused_with_a_message(worker_client, volunteer_a, points):
    url = f"/admin/volunteers/volunteer/{volunteer_a.pk}/adjust/"
    response = worker_client.post(url, {"points": points, "reason": "手滑"})
    assert response.status_code == 200
    assert "errornote" in response.content.decode() or "errorlist" in response.content.decode()
    volunteer_a.refresh_from_db()
    assert volunteer_a.points_balance == 0 and not LedgerEntry.objects.exists()


def test_the_adjustment_service_refuses_absurd_points_too(volunteer_a, worker):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.points_adjust(volunteer=volunteer_a, points=10**10, reason="批量迁移", actor=worker)
    assert not LedgerEntry.objects.exists()


def test_fewer_places_than_sign_ups_is_a_message_on_the_shift_page(
    worker_client, shift, volunteer_a, volunteer_b
):
    from django.utils import timezone

    from volunteers.models import Shift

    for volunteer in (volunteer_a, volunteer_b):
        services.signup_create(volunteer=volunteer, shift=shift, actor=None)
    local = timezone.localtime
    data = {
        "starts_at_0": f"{local(shift.starts_at):%Y-%m-%d}",
        "starts_at_1": f"{local(shift.starts_at):%H:%M:%S}",
        "ends_at_0": f"{local(shift.ends_at):%Y-%m-%d}",
        "ends_at_1": f"{local(shift.ends_at):%H:%M:%S}",
        "place": "活动室",
        "places": "1",
        "signups-TOTAL_FORMS": "2",
        "signups-INITIAL_FORMS": "2",
        "signups-MIN_NUM_FORMS": "0",
        "signups-MAX_NUM_FORMS": "1000",
    }
    response = worker_client.post(f"/admin/volunteers/shift/{shift.pk}/change/", data)
    assert response.status_code == 200
    assert "已有2人报名，名额不能少于此数" in response.content.decode()
    assert Shift.objects.get(pk=shift.pk).places == 5


@pytest.mark.parametrize("hours", ["NaN", "sNaN", "0.001", "1e400"])
def test_nonsense_hours_in_an_excel_import_are_a_row_error(station, volunteer_a, head, hours):
    from tablib import Dataset

    from volunteers.resources import ServiceHoursResource

    data = Dataset(headers=["手机号", "服务日期", "时长（小时）", "服务内容"])
    data.append([volunteer_a.person.phone, "2023-03-06", "2", "x"])
    data.append([volunteer_a.person.phone, "2023-03-07", hours, "x"])
    result = ServiceHoursResource(station=station, user=head).import_data(data, dry_run=False)
    assert [row.number for row in result.invalid_rows] == [3]
    assert not ServiceRecord.objects.exists()


# A NUL character cannot go into a PostgreSQL query: each of these was a 500 there.


def test_a_nul_in_the_volunteers_urls_and_forms_is_a_404_or_a_message(volunteer_a, reward, signed_in_client):
    client = signed_in_client(volunteer_a)
    assert client.get("/v/certificates/%00/").status_code == 404
    assert client.get("/v/verify/%00/").status_code == 404
    response = client.post(f"/v/rewards/{reward.pk}/", {"key": "\x00"}, follow=True)
    assert response.status_code == 200 and "请重新打开" in response.content.decode()
    assert not Redemption.objects.exists()


def test_a_nul_in_the_admin_search_or_filters_is_not_a_500(worker_client):
    assert worker_client.get("/admin/volunteers/servicerecord/?status=%00").status_code in (200, 302, 400)
    assert worker_client.get("/admin/volunteers/volunteer/?q=%00").status_code == 200
    response = worker_client.get(
        "/admin/autocomplete/?app_label=volunteers&model_name=servicerecord&field_name=volunteer&term=%00"
    )
    assert response.status_code == 200


def test_a_nul_in_an_action_reason_is_refused_with_a_message(worker_client, volunteer_a, worker):
    record = services.service_record_backfill(
        volunteer=volunteer_a, service_date=date(2024, 5, 1), minutes=60, description="助老", actor=worker
    )
    response = worker_client.post(
        "/admin/volunteers/servicerecord/",
        {"action": "decline_selected", "_selected_action": [record.pk], "apply": "1", "reason": "未到\x00场"},
        follow=True,
    )
    assert response.status_code == 200
    record.refresh_from_db()
    assert record.status == "entered"


def test_a_donation_of_negative_value_or_quantity_is_refused(worker_client, station):
    from .factories import SponsorFactory

    sponsor = SponsorFactory(station=station)
    url = "/admin/volunteers/donation/add/"
    base = {"sponsor": sponsor.pk, "donated_on": "2024-05-01", "description": "大米"}
    for bad in ({"value": "-100"}, {"quantity": "-3"}):
        response = worker_client.post(url, {**base, "quantity": "0", **bad})
        assert response.status_code == 200 and "errornote" in response.content.decode()
    assert not Donation.objects.exists()
