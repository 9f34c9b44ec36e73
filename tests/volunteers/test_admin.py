"""The social workers' admin: bulk approval, adjustments, fulfil/cancel, imports, scope."""

import io
from datetime import date

import openpyxl
import pytest
from tablib import Dataset

from station.models import Person
from tests.factories import valid_id_number
from volunteers import services
from volunteers.models import LedgerEntry, Redemption, ServiceRecord, Volunteer
from volunteers.resources import ServiceHoursResource, VolunteerResource


def backfill(volunteer, worker, minutes=60, day=date(2024, 5, 1)):
    return services.service_record_backfill(
        volunteer=volunteer, service_date=day, minutes=minutes, description="助老", actor=worker
    )


def test_workers_approve_hours_in_bulk_and_points_follow(volunteer_a, volunteer_b, worker, as_user):
    records = [backfill(volunteer_a, worker), backfill(volunteer_b, worker, minutes=120)]
    client = as_user(worker)
    data = {"action": "approve_selected", "_selected_action": [r.pk for r in records]}
    client.post("/admin/volunteers/servicerecord/", data)
    client.post("/admin/volunteers/servicerecord/", data)  # clicked twice
    assert set(ServiceRecord.objects.values_list("status", flat=True)) == {"approved"}
    assert LedgerEntry.objects.filter(kind="earn").count() == 2
    volunteer_b.refresh_from_db()
    assert volunteer_b.points_balance == 40


def test_declining_in_bulk_asks_for_a_reason_first(volunteer_a, worker, as_user):
    record = backfill(volunteer_a, worker)
    client = as_user(worker)
    url = "/admin/volunteers/servicerecord/"
    page = client.post(url, {"action": "decline_selected", "_selected_action": [record.pk]})
    assert "为什么不通过这些时长" in page.content.decode()
    client.post(
        url, {"action": "decline_selected", "_selected_action": [record.pk], "apply": "1", "reason": ""}
    )
    record.refresh_from_db()
    assert record.status == "entered"
    client.post(
        url, {"action": "decline_selected", "_selected_action": [record.pk], "apply": "1", "reason": "未到场"}
    )
    record.refresh_from_db()
    assert record.status == "declined" and record.decision_reason == "未到场"


def test_backfilled_hours_are_marked_and_bad_hours_get_a_message(volunteer_a, worker, as_user):
    client = as_user(worker)
    url = "/admin/volunteers/servicerecord/add/"
    base = {"volunteer": volunteer_a.pk, "service_date": "2024-05-01", "description": "助餐"}
    for hours in ("0", "-1", "25", "abc"):
        response = client.post(url, {**base, "hours": hours})
        assert response.status_code == 200
    assert not ServiceRecord.objects.exists()
    response = client.post(url, {**base, "hours": "1.5"})
    assert response.status_code == 302
    record = ServiceRecord.objects.get()
    assert record.minutes == 90 and record.source == "backfill" and record.entered_by == worker


def test_a_points_adjustment_needs_a_reason_and_is_recorded(volunteer_a, worker, as_user):
    client = as_user(worker)
    url = f"/admin/volunteers/volunteer/{volunteer_a.pk}/adjust/"
    assert client.post(url, {"points": "50", "reason": ""}).status_code == 200
    assert not LedgerEntry.objects.exists()
    assert client.post(url, {"points": "50", "reason": "优秀志愿者表彰"}).status_code == 302
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.points, entry.created_by) == ("adjustment", 50, worker)


def test_the_ledger_is_read_only_in_the_admin(volunteer_a, worker, head, as_user):
    entry = services.points_adjust(volunteer=volunteer_a, points=5, reason="x", actor=worker)
    client = as_user(head)
    assert client.get("/admin/volunteers/ledgerentry/").status_code == 200
    assert client.get(f"/admin/volunteers/ledgerentry/{entry.pk}/delete/").status_code == 403
    assert client.get("/admin/volunteers/ledgerentry/add/").status_code == 403
    client.post(f"/admin/volunteers/ledgerentry/{entry.pk}/change/", {"points": "500"})
    assert LedgerEntry.objects.get().points == 5


def test_a_worker_fulfils_by_pickup_code_and_cancels_with_a_refund(volunteer_a, worker, reward, as_user):
    services.points_adjust(volunteer=volunteer_a, points=300, reason="迁入", actor=worker)
    first = services.redemption_place(volunteer=volunteer_a, reward=reward, idempotency_key="1", actor=None)
    second = services.redemption_place(volunteer=volunteer_a, reward=reward, idempotency_key="2", actor=None)
    client = as_user(worker)
    wrong = client.post("/admin/volunteers/redemption/pickup/", {"code": "11111111"})
    assert "没有这个取货码" in wrong.content.decode()
    client.post("/admin/volunteers/redemption/pickup/", {"code": first.pickup_code})
    client.post(
        "/admin/volunteers/redemption/",
        {"action": "cancel_selected", "_selected_action": [second.pk], "apply": "1", "reason": "商家缺货"},
    )
    assert dict(Redemption.objects.values_list("pk", "status")) == {
        first.pk: "fulfilled",
        second.pk: "cancelled",
    }
    volunteer_a.refresh_from_db()
    assert volunteer_a.points_balance == 200


def test_another_stations_worker_gets_404_on_our_records(volunteer_a, worker, other_worker, reward, as_user):
    record = backfill(volunteer_a, worker)
    client = as_user(other_worker)
    assert client.get(f"/admin/volunteers/volunteer/{volunteer_a.pk}/change/").status_code == 404
    assert client.get(f"/admin/volunteers/servicerecord/{record.pk}/change/").status_code == 404
    assert client.get(f"/admin/volunteers/reward/{reward.pk}/change/").status_code == 404
    assert client.get(f"/admin/volunteers/volunteer/{volunteer_a.pk}/adjust/").status_code == 404
    assert volunteer_a.person.name not in client.get("/admin/volunteers/volunteer/").content.decode()


def test_the_donor_report_counts_donations_redemptions_and_people(
    station, volunteer_a, volunteer_b, worker, head, as_user
):
    from volunteers.models import Donation

    from .factories import RewardFactory, SponsorFactory

    sponsor = SponsorFactory(station=station, name="惠民超市")
    reward = RewardFactory(station=station, sponsor=sponsor, points_price=10, stock=0)
    services.donation_record(
        donation=Donation(sponsor=sponsor, reward=reward, description="食用油", quantity=12), actor=worker
    )
    for volunteer, key in ((volunteer_a, "1"), (volunteer_a, "2"), (volunteer_b, "3")):
        services.points_adjust(volunteer=volunteer, points=10, reason="x", actor=worker)
        services.redemption_place(volunteer=volunteer, reward=reward, idempotency_key=key, actor=None)
    page = as_user(head).get("/admin/volunteers/donation/report/").content.decode()
    row = page[page.index("惠民超市") :].split("</tr>")[0]
    cells = [c.split("</td>")[0] for c in row.split("<td>")[1:]]
    assert cells[:1] == ["12"] and cells[2:5] == ["3", "0", "2"]


def test_a_worker_adds_a_volunteer_with_a_sign_in_password(person_b, worker, as_user):
    response = as_user(worker).post(
        "/admin/volunteers/volunteer/add/",
        {
            "person": person_b.pk,
            "password": "Li-jian-guo-2024",
            "joined_on": "2024-03-01",
            "status": "active",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    volunteer = Volunteer.objects.get(person=person_b)
    assert volunteer.user.username == person_b.phone and volunteer.user.check_password("Li-jian-guo-2024")


def _volunteer_rows(*rows):
    data = Dataset(
        headers=["姓名", "手机号", "村/社区", "身份证号", "加入日期", "技能", "已完成培训", "可服务时间"]
    )
    for row in rows:
        data.append(row)
    return data


def test_importing_volunteers_creates_people_and_accounts(station, community_a, head):
    data = _volunteer_rows(
        [
            "赵大爷",
            "13911112222",
            community_a.name,
            valid_id_number(date(1958, 3, 1)),
            "2023-05-01",
            "理发",
            "",
            "",
        ],
        [
            "钱阿姨",
            "13911113333",
            community_a.name,
            valid_id_number(date(1962, 7, 9)),
            "2023-06-01",
            "",
            "",
            "",
        ],
    )
    result = VolunteerResource(station=station, user=head).import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Volunteer.objects.filter(person__name="赵大爷", skills="理发").exists()
    assert Volunteer.objects.get(person__name="钱阿姨").user.username == "13911113333"


def test_a_volunteer_file_with_a_bad_row_saves_nothing_and_names_the_rows(
    station, community_a, head, person_a
):
    from .factories import make_volunteer

    make_volunteer(person_a)
    zhao = valid_id_number(date(1958, 3, 1))
    data = _volunteer_rows(
        ["赵大爷", "13911112222", community_a.name, zhao, "2023-05-01", "", "", ""],
        ["孙叔", "13911114444", "不存在的村", valid_id_number(date(1960, 1, 1)), "2023-05-01", "", "", ""],
        ["赵大爷", "13911112222", community_a.name, zhao, "2023-05-01", "", "", ""],
        [person_a.name, person_a.phone, community_a.name, "", "2023-05-01", "", "", ""],
    )
    result = VolunteerResource(station=station, user=head).import_data(data, dry_run=False)
    assert [row.number for row in result.invalid_rows] == [3, 4, 5]
    messages = str([row.error_dict for row in result.invalid_rows])
    assert "不存在的村" in messages and "出现了两次" in messages and "已经是志愿者" in messages
    assert Volunteer.objects.count() == 1 and not Person.objects.filter(name="赵大爷").exists()


def test_importing_historical_hours_waits_for_approval_and_bad_rows_stop_the_file(station, volunteer_a, head):
    good = Dataset(headers=["手机号", "服务日期", "时长（小时）", "服务内容"])
    good.append([volunteer_a.person.phone, "2023-03-05", "2.5", "春节慰问"])
    result = ServiceHoursResource(station=station, user=head).import_data(good, dry_run=False)
    assert not result.has_validation_errors() and not result.has_errors()
    record = ServiceRecord.objects.get()
    assert record.minutes == 150 and record.source == "import" and record.status == "entered"

    bad = Dataset(headers=["手机号", "服务日期", "时长（小时）", "服务内容"])
    bad.append([volunteer_a.person.phone, "2023-03-06", "2", "x"])
    bad.append([volunteer_a.person.phone, "2023-03-07", "0", "x"])
    bad.append(["13000000000", "2023-03-08", "1", "x"])
    result = ServiceHoursResource(station=station, user=head).import_data(bad, dry_run=False)
    assert [row.number for row in result.invalid_rows] == [3, 4]
    assert ServiceRecord.objects.count() == 1


def test_the_volunteer_import_page_dry_runs(head, community_a, as_user):
    from django.contrib import admin

    from volunteers.admin import VolunteerAdmin

    formats = [f().get_title() for f in VolunteerAdmin(Volunteer, admin.site).get_import_formats()]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "手机号", "村/社区", "身份证号", "加入日期", "技能", "已完成培训", "可服务时间"])
    sheet.append(["赵大爷", "13911112222", community_a.name, valid_id_number(date(1958, 3, 1)), "2023-05-01"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "volunteers.xlsx"
    response = as_user(head).post(
        "/admin/volunteers/volunteer/import/",
        {"import_file": buffer, "format": str(formats.index("xlsx")), "resource": "0"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "赵大爷" in body
    assert not Volunteer.objects.exists()


def _activity_form(community, **shift):
    data = {
        "title": "重阳节敬老",
        "community": community.pk,
        "starts_at_0": "2030-10-10",
        "starts_at_1": "08:00",
        "ends_at_0": "2030-10-10",
        "ends_at_1": "17:00",
        "place": "敬老院",
        "description": "陪老人过节",
        "is_published": "on",
        "shifts-TOTAL_FORMS": "1",
        "shifts-INITIAL_FORMS": "0",
        "shifts-MIN_NUM_FORMS": "0",
        "shifts-MAX_NUM_FORMS": "1000",
        "shifts-0-starts_at_0": "2030-10-10",
        "shifts-0-starts_at_1": "09:00",
        "shifts-0-ends_at_0": "2030-10-10",
        "shifts-0-ends_at_1": "11:00",
        "shifts-0-places": "8",
    }
    data.update(shift)
    return data


def test_a_worker_creates_a_volunteer_activity_with_a_shift(worker, community_a, as_user):
    from station.models import Activity
    from volunteers.models import Shift

    response = as_user(worker).post("/admin/volunteers/volunteeractivity/add/", _activity_form(community_a))
    assert response.status_code == 302, response.content.decode()[-3000:]
    activity = Activity.objects.get()
    assert activity.platform == "volunteers" and activity.organiser == worker
    shift = Shift.objects.get()
    assert shift.places == 8 and shift.volunteer_activity.activity == activity


def test_a_shift_of_more_than_a_day_is_refused_in_the_admin(worker, community_a, as_user):
    from station.models import Activity

    data = _activity_form(community_a, **{"shifts-0-ends_at_0": "2030-10-11", "shifts-0-ends_at_1": "10:00"})
    response = as_user(worker).post("/admin/volunteers/volunteeractivity/add/", data)
    assert response.status_code == 200 and "班次不能超过24小时" in response.content.decode()
    assert not Activity.objects.exists()


def test_the_volunteer_export_masks_ids_and_is_logged(volunteer_a, head, as_user):
    from django.contrib import admin

    from station.models import AuditEvent
    from volunteers.admin import VolunteerAdmin

    formats = [f().get_title() for f in VolunteerAdmin(Volunteer, admin.site).get_export_formats()]
    fields = ["name", "phone", "id_number", "points_balance"]
    response = as_user(head).post(
        "/admin/volunteers/volunteer/export/",
        {
            "format": str(formats.index("xlsx")),
            "resource": "0",
            **{f"volunteerresource_{f}": "on" for f in fields},
        },
    )
    assert response.status_code == 200
    values = [
        c
        for row in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
        for c in row
    ]
    assert volunteer_a.person.masked_id_number in values and volunteer_a.person.id_number not in values
    assert "张桂兰" in values
    assert AuditEvent.objects.filter(action="export", actor=head).count() == 1


def test_a_worker_corrects_approved_hours_and_the_points_follow(volunteer_a, worker, as_user):
    record = backfill(volunteer_a, worker, minutes=180)
    services.service_record_approve(record=record, actor=worker)
    client = as_user(worker)
    url = f"/admin/volunteers/servicerecord/{record.pk}/correct/"
    assert client.post(url, {"hours": "1", "reason": ""}).status_code == 200
    assert client.post(url, {"hours": "0", "reason": "录多了"}).status_code == 200
    assert ServiceRecord.objects.count() == 1
    assert client.post(url, {"hours": "1", "reason": "实际服务1小时"}).status_code == 302
    record.refresh_from_db()
    new = record.correction
    assert record.status == "corrected" and new.minutes == 60 and new.status == "pending"
    volunteer_a.refresh_from_db()
    assert (
        volunteer_a.points_balance == 0
    )  # the 60 points earned were reversed; the new record awaits approval


@pytest.mark.parametrize("persona", ["head", "worker"])
def test_every_volunteer_admin_page_opens_for_station_staff(
    volunteer_a, worker, head, reward, shift, as_user, persona
):
    from volunteers.models import Certificate, Donation, Shift, VolunteerActivity

    from .factories import SponsorFactory

    sponsor = SponsorFactory(station=reward.station)
    services.donation_record(
        donation=Donation(sponsor=sponsor, reward=reward, description="油", quantity=2), actor=worker
    )
    services.points_adjust(volunteer=volunteer_a, points=200, reason="迁入", actor=worker)
    redemption = services.redemption_place(
        volunteer=volunteer_a, reward=reward, idempotency_key="k", actor=None
    )
    record = backfill(volunteer_a, worker)
    services.service_record_approve(record=record, actor=worker)
    cert = services.certificate_issue(
        volunteer=volunteer_a, period_start=date(2024, 1, 1), period_end=date(2024, 12, 31), actor=None
    )
    objects = {
        "volunteer": volunteer_a,
        "volunteeractivity": VolunteerActivity.objects.get(),
        "shift": Shift.objects.get(),
        "servicerecord": record,
        "ledgerentry": LedgerEntry.objects.first(),
        "donation": Donation.objects.get(),
        "reward": reward,
        "redemption": redemption,
        "certificate": Certificate.objects.get(pk=cert.pk),
    }
    client = as_user({"head": head, "worker": worker}[persona])
    for name, obj in objects.items():
        for url in (f"/admin/volunteers/{name}/", f"/admin/volunteers/{name}/{obj.pk}/change/"):
            assert client.get(url).status_code == 200, url
    for url in (
        "/admin/volunteers/volunteer/add/",
        "/admin/volunteers/volunteeractivity/add/",
        "/admin/volunteers/servicerecord/add/",
        "/admin/station/partnerunit/add/",
        "/admin/volunteers/donation/add/",
        "/admin/volunteers/reward/add/",
        "/admin/volunteers/donation/report/",
        "/admin/volunteers/redemption/pickup/",
        f"/admin/volunteers/servicerecord/{record.pk}/correct/",
        f"/admin/volunteers/volunteer/{volunteer_a.pk}/adjust/",
        "/admin/volunteers/volunteer/import/",
        "/admin/volunteers/servicerecord/import/",
        "/admin/",
    ):
        assert client.get(url).status_code == 200, url


def test_a_pickup_code_already_used_is_refused_so_the_reward_is_not_handed_out_twice(
    volunteer_a, worker, reward, as_user
):
    services.points_adjust(volunteer=volunteer_a, points=300, reason="迁入", actor=worker)
    redemption = services.redemption_place(
        volunteer=volunteer_a, reward=reward, idempotency_key="1", actor=None
    )
    client = as_user(worker)
    first = client.post("/admin/volunteers/redemption/pickup/", {"code": redemption.pickup_code}, follow=True)
    assert "大米5斤" in first.content.decode()
    again = client.post("/admin/volunteers/redemption/pickup/", {"code": redemption.pickup_code})
    page = again.content.decode()
    assert again.status_code == 200 and "已经领取过" in page
    assert "errorlist" in page
    redemption.refresh_from_db()
    assert redemption.status == "fulfilled"


@pytest.mark.parametrize("page", ["redemption", "reward"])
def test_the_sponsor_filter_lists_only_our_stations_sponsors(worker, station, other_station, as_user, page):
    from .factories import RewardFactory, SponsorFactory

    ours = SponsorFactory(station=station, name="本站爱心超市")
    theirs = SponsorFactory(station=other_station, name="外站秘密商家")
    RewardFactory(station=station, sponsor=ours)
    RewardFactory(station=other_station, sponsor=theirs)
    html = as_user(worker).get(f"/admin/volunteers/{page}/").content.decode()
    assert "外站秘密商家" not in html


def test_a_double_clicked_adjustment_adds_the_points_once(volunteer_a, worker, as_user):
    import re

    client = as_user(worker)
    url = f"/admin/volunteers/volunteer/{volunteer_a.pk}/adjust/"
    key = re.search(r'name="key" value="([0-9a-f]+)"', client.get(url).content.decode()).group(1)
    for _ in range(2):
        assert client.post(url, {"points": "50", "reason": "表彰", "key": key}).status_code == 302
    volunteer_a.refresh_from_db()
    assert volunteer_a.points_balance == 50 and LedgerEntry.objects.count() == 1
    fresh = re.search(r'name="key" value="([0-9a-f]+)"', client.get(url).content.decode()).group(1)
    assert fresh != key
    client.post(url, {"points": "50", "reason": "再次表彰", "key": fresh})
    assert LedgerEntry.objects.count() == 2
