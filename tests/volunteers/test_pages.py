"""The volunteers' mobile web: each volunteer sees only their own; bad input gets a message, never a 500."""

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from volunteers import rules, selectors, services
from volunteers.models import Redemption, SignUp
from volunteers.views import VOLUNTEER_BACKEND

from .factories import ShiftFactory


@pytest.fixture
def signed_in():
    def make(volunteer):
        client = Client()
        client.force_login(volunteer.user, backend=VOLUNTEER_BACKEND)  # as the sign-in page does
        return client

    return make


def test_a_volunteer_signs_in_with_phone_and_password(volunteer_a):
    client = Client()
    response = client.post(
        "/v/login/", {"phone": volunteer_a.person.phone, "password": "Zhang-gui-lan-2024"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/v/"
    assert "张桂兰" in response.content.decode()


def test_a_wrong_password_is_refused_and_five_lock_the_account(volunteer_a):
    client = Client()
    for _ in range(5):
        response = client.post("/v/login/", {"phone": volunteer_a.person.phone, "password": "wrong"})
        assert response.status_code in (200, 429, 403)
    # (from another phone: this address is locked now too, after five failures)
    other = Client(REMOTE_ADDR="192.0.2.50")
    assert "手机号或密码不正确" in other.post("/v/login/", {"phone": "x", "password": "y"}).content.decode()
    locked = client.post("/v/login/", {"phone": volunteer_a.person.phone, "password": "Zhang-gui-lan-2024"})
    assert locked.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_a_staff_member_cannot_use_the_volunteer_pages(worker, as_user):
    response = as_user(worker).get("/v/")
    assert response.status_code == 302 and response["Location"].startswith("/v/login/")


def test_the_home_page_shows_balance_hours_and_stars(volunteer_a, worker, signed_in, settings):
    settings.VOLUNTEER_STAR_HOURS = (1, 3, 6, 10, 15)
    record = services.service_record_backfill(
        volunteer=volunteer_a, service_date=date(2024, 5, 1), minutes=90, description="助餐", actor=worker
    )
    services.service_record_approve(record=record, actor=worker)
    response = signed_in(volunteer_a).get("/v/")
    page = response.content.decode()
    assert '<div class="big-number" data-testid="balance">30</div>' in page
    assert '<div class="big-number" data-testid="hours">1.5</div>' in page
    assert "1星志愿者" in page


def test_the_home_pages_hours_follow_approvals_and_corrections_and_only_hers(
    volunteer_a, volunteer_b, worker, signed_in
):
    def hours(volunteer):
        page = signed_in(volunteer).get("/v/").content.decode()
        return re.search(r'data-testid="hours">([\d.]+)<', page)[1]

    record = services.service_record_backfill(
        volunteer=volunteer_a, service_date=date(2024, 5, 1), minutes=90, description="助餐", actor=worker
    )
    assert hours(volunteer_a) == "0.0"  # entered, not approved yet
    services.service_record_approve(record=record, actor=worker)
    services.service_record_approve(record=record, actor=worker)  # a retried approval counts once
    assert hours(volunteer_a) == "1.5"
    corrected = services.service_record_correct(record=record, minutes=30, reason="多记了", actor=worker)
    assert hours(volunteer_a) == "0.0"  # the correction waits for approval
    services.service_record_approve(record=corrected, actor=worker)
    assert hours(volunteer_a) == "0.5"
    assert hours(volunteer_b) == "0.0"
    volunteer_a.refresh_from_db()
    assert volunteer_a.approved_minutes == sum(
        r.minutes for r in volunteer_a.service_records.filter(status="approved")
    )


def test_the_ledger_page_gives_the_reason_for_every_entry(
    volunteer_a, worker, signed_in, django_assert_max_num_queries
):
    for i in range(5):
        services.points_adjust(volunteer=volunteer_a, points=10 + i, reason=f"表彰第{i}次", actor=worker)
    client = signed_in(volunteer_a)
    with django_assert_max_num_queries(12):
        page = client.get("/v/points/").content.decode()
    assert all(f"表彰第{i}次" in page for i in range(5))


def test_the_home_page_lists_her_coming_shifts_in_shanghai_time_and_not_those_over(
    volunteer_a, station, signed_in
):
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
    coming = ShiftFactory(starts_at=start, volunteer_activity__activity__station=station,
                          volunteer_activity__is_published=True)  # fmt: skip
    over = ShiftFactory(starts_at=start - timedelta(days=3), volunteer_activity__activity__station=station,
                        volunteer_activity__is_published=True)  # fmt: skip
    for shift in (coming, over):
        SignUp.objects.create(shift=shift, volunteer=volunteer_a)
    page = signed_in(volunteer_a).get("/v/").content.decode()
    title = coming.volunteer_activity.activity.title
    assert f'<a href="/v/shifts/{coming.pk}/">{title}</a>' in page
    local = timezone.localtime(start)
    assert f"{local:%m月%d日 %H:%M}–{timezone.localtime(coming.ends_at):%H:%M} 社区活动中心" in page
    assert over.volunteer_activity.activity.title not in page


def test_the_ledger_page_names_each_entrys_kind_and_its_day_in_shanghai(volunteer_a, worker, signed_in):
    moment = (timezone.now() - timedelta(days=1)).replace(
        hour=16, minute=30
    )  # 00:30 the next day in Shanghai
    services.points_adjust(volunteer=volunteer_a, points=5, reason="补记", actor=worker, at=moment)
    page = signed_in(volunteer_a).get("/v/points/").content.decode()
    item = page.split("补记", 1)[0].rsplit('<li class="list-group-item">', 1)[1]
    assert timezone.localdate(moment).isoformat() in item
    assert moment.date().isoformat() not in item  # the UTC date is the day before
    assert "调整：" in item


def test_the_ledger_pages_older_and_newer_show_every_entry_once_and_only_her_own(
    volunteer_a, volunteer_b, worker, signed_in
):
    """Sixty-five entries, thirty a page: older, older, then newer again; a made-up or another volunteer's
    position in the ledger shows her own newest page, never their entries."""

    def entries(page):
        return re.findall(r"表彰第(\d+)次", page)

    def link(page, which):
        found = re.search(rf'href="(\?[a-z]+=[^"]+)" data-testid="{which}"', page)
        return "/v/points/" + found.group(1) if found else None

    for i in range(65):
        services.points_adjust(volunteer=volunteer_a, points=1, reason=f"表彰第{i}次", actor=worker)
    services.points_adjust(volunteer=volunteer_b, points=7, reason="别人的表彰", actor=worker)
    client = signed_in(volunteer_a)
    first = client.get("/v/points/").content.decode()
    second = client.get(link(first, "older")).content.decode()
    third = client.get(link(second, "older")).content.decode()
    assert entries(first) == [str(i) for i in range(64, 34, -1)]
    assert entries(second) == [str(i) for i in range(34, 4, -1)]
    assert entries(third) == [str(i) for i in range(4, -1, -1)]
    assert link(first, "newer") is None and link(third, "older") is None
    assert entries(client.get(link(third, "newer")).content.decode()) == entries(second)
    assert entries(client.get(link(second, "newer")).content.decode()) == entries(first)
    theirs = selectors.ledger_cursor(volunteer_b.ledger.get())
    for query in (
        f"?before={theirs}",
        f"?after={theirs}",
        "?before=abc",
        "?after=1.2.3",
        "?before=" + "9" * 30 + ".1",
    ):
        page = client.get("/v/points/" + query)
        assert page.status_code == 200
        assert "别人的表彰" not in page.content.decode()
        assert entries(page.content.decode()) == entries(first)


def test_a_volunteer_cannot_open_another_volunteers_redemption_or_certificate(
    volunteer_a, volunteer_b, worker, reward, signed_in
):
    services.points_adjust(volunteer=volunteer_b, points=500, reason="迁入", actor=worker)
    volunteer_b.refresh_from_db()
    theirs = services.redemption_place(volunteer=volunteer_b, reward=reward, idempotency_key="k", actor=None)
    record = services.service_record_backfill(
        volunteer=volunteer_b, service_date=date(2024, 5, 1), minutes=60, description="x", actor=worker
    )
    services.service_record_approve(record=record, actor=worker)
    cert = services.certificate_issue(
        volunteer=volunteer_b, period_start=date(2024, 1, 1), period_end=date(2024, 12, 31), actor=None
    )
    client = signed_in(volunteer_a)
    assert client.get(f"/v/redemptions/{theirs.pk}/").status_code == 404
    assert client.get(f"/v/certificates/{cert.number}/").status_code == 404
    page = client.get("/v/redemptions/").content.decode()
    assert theirs.pickup_code not in page
    assert signed_in(volunteer_b).get(f"/v/redemptions/{theirs.pk}/").status_code == 200


def test_a_volunteer_cannot_see_shifts_or_rewards_of_another_station(volunteer_a, other_station, signed_in):
    from .factories import RewardFactory

    elsewhere = ShiftFactory(volunteer_activity__activity__station=other_station)
    reward = RewardFactory(station=other_station)
    client = signed_in(volunteer_a)
    assert client.get(f"/v/shifts/{elsewhere.pk}/").status_code == 404
    assert client.get(f"/v/rewards/{reward.pk}/").status_code == 404


def test_redeeming_a_reward_of_another_station_or_none_takes_nothing(
    volunteer_a, worker, other_station, signed_in
):
    from volunteers.models import Reward

    from .factories import RewardFactory

    services.points_adjust(volunteer=volunteer_a, points=250, reason="迁入", actor=worker)
    elsewhere = RewardFactory(station=other_station, points_price=10, stock=5)
    client = signed_in(volunteer_a)
    for pk in (elsewhere.pk, elsewhere.pk + 1000, 2**63 + 5):
        response = client.post(f"/v/rewards/{pk}/", {"key": f"k{pk}"}, follow=True)
        assert response.status_code == 404  # not hers to see
    volunteer_a.refresh_from_db()
    assert volunteer_a.points_balance == 250 and not Redemption.objects.exists()
    assert Reward.objects.get(pk=elsewhere.pk).stock == 5


def test_redeeming_from_the_phone_shows_the_pickup_code_and_a_retry_redeems_once(
    volunteer_a, worker, reward, signed_in
):
    services.points_adjust(volunteer=volunteer_a, points=250, reason="迁入", actor=worker)
    client = signed_in(volunteer_a)
    page = client.get(f"/v/rewards/{reward.pk}/").content.decode()
    assert "兑换" in page
    first = client.post(f"/v/rewards/{reward.pk}/", {"key": "abc"}, follow=True)
    second = client.post(f"/v/rewards/{reward.pk}/", {"key": "abc"}, follow=True)
    redemption = Redemption.objects.get()
    assert redemption.pickup_code in first.content.decode()
    assert second.redirect_chain[-1][0] == f"/v/redemptions/{redemption.pk}/"
    volunteer_a.refresh_from_db()
    assert volunteer_a.points_balance == 150


def test_redeeming_an_out_of_stock_reward_says_so_and_changes_nothing(volunteer_a, worker, reward, signed_in):
    from volunteers.models import Reward

    services.points_adjust(volunteer=volunteer_a, points=250, reason="迁入", actor=worker)
    Reward.objects.filter(pk=reward.pk).update(stock=0)
    response = signed_in(volunteer_a).post(f"/v/rewards/{reward.pk}/", {"key": "abc"}, follow=True)
    assert response.status_code == 200
    assert "已兑完" in response.content.decode()
    volunteer_a.refresh_from_db()
    assert volunteer_a.points_balance == 250 and not Redemption.objects.exists()


def test_signing_up_and_cancelling_from_the_phone(volunteer_a, shift, signed_in):
    client = signed_in(volunteer_a)
    assert shift.volunteer_activity.activity.title in client.get("/v/activities/").content.decode()
    page = client.get(f"/v/shifts/{shift.pk}/").content.decode()
    assert "剩余名额5个" in page and 'value="signup"' in page
    client.post(f"/v/shifts/{shift.pk}/", {"action": "signup"})
    assert SignUp.objects.get().status == "signed_up"
    assert "取消报名" in client.get(f"/v/shifts/{shift.pk}/").content.decode()
    client.post(f"/v/shifts/{shift.pk}/", {"action": "cancel"})
    assert SignUp.objects.get().status == "cancelled"


def test_scanning_an_old_code_on_the_phone_is_refused(volunteer_a, vol_activity, signed_in):
    start = timezone.now() - timedelta(minutes=10)
    shift = ShiftFactory(volunteer_activity=vol_activity, starts_at=start, ends_at=start + timedelta(hours=2))
    old = rules.qr_token(shift, rules.qr_window() - 60)
    client = signed_in(volunteer_a)
    assert "已过期" in client.get(f"/v/checkin/{shift.pk}/{old}/").content.decode()
    response = client.post(f"/v/checkin/{shift.pk}/{old}/", follow=True)
    assert "已过期" in response.content.decode()
    assert not SignUp.objects.exists()
    fresh = rules.qr_token_now(shift)
    assert "现在签到" in client.get(f"/v/checkin/{shift.pk}/{fresh}/").content.decode()
    client.post(f"/v/checkin/{shift.pk}/{fresh}/")
    assert SignUp.objects.get().checked_in_at is not None


def test_the_check_in_screen_is_for_the_station_staff_only(shift, worker, other_worker, as_user, volunteer_a):
    assert as_user(other_worker).get(f"/v/staff/shifts/{shift.pk}/").status_code == 404
    client = Client()
    client.force_login(volunteer_a.user)
    assert client.get(f"/v/staff/shifts/{shift.pk}/").status_code == 404
    page = as_user(worker).get(f"/v/staff/shifts/{shift.pk}/").content.decode()
    assert "<svg" in page and f"/v/checkin/{shift.pk}/" in page


def test_certificate_and_public_verification_show_only_name_masked_id_hours(volunteer_a, worker, signed_in):
    record = services.service_record_backfill(
        volunteer=volunteer_a, service_date=date(2024, 5, 1), minutes=120, description="助老", actor=worker
    )
    services.service_record_approve(record=record, actor=worker)
    client = signed_in(volunteer_a)
    response = client.post(
        "/v/certificate/", {"period_start": "2024-01-01", "period_end": "2024-12-31"}, follow=True
    )
    page = response.content.decode()
    cert = volunteer_a.certificates.get()
    assert cert.number in page and "助老" in page and volunteer_a.person.id_number not in page
    public = Client().get(f"/v/verify/{cert.number}/").content.decode()
    assert "张桂兰" in public and volunteer_a.person.masked_id_number in public and "2.0" in public
    assert volunteer_a.person.id_number not in public and volunteer_a.person.phone not in public
    assert Client().get("/v/verify/ZYFW2024FAKE/").status_code == 404


def test_a_certificate_for_a_reversed_period_is_refused_with_a_message(volunteer_a, signed_in):
    response = signed_in(volunteer_a).post(
        "/v/certificate/", {"period_start": "2024-12-31", "period_end": "2024-01-01"}
    )
    assert response.status_code == 200 and "结束日期早于开始日期" in response.content.decode()


def test_a_signed_in_volunteer_landing_on_the_root_goes_to_their_pages(volunteer_a, signed_in):
    response = signed_in(volunteer_a).get("/")
    assert response.status_code == 302 and response["Location"] == "/v/"


def test_the_balance_page_makes_a_fixed_number_of_queries(
    volunteer_a, worker, signed_in, django_assert_max_num_queries
):
    for i in range(20):
        services.points_adjust(volunteer=volunteer_a, points=1, reason=f"第{i}次", actor=worker)
    client = signed_in(volunteer_a)
    with django_assert_max_num_queries(12):
        assert client.get("/v/").status_code == 200


def test_a_worker_checks_in_an_elder_on_the_screen_and_checks_her_out(
    volunteer_a, vol_activity, worker, as_user
):
    start = timezone.now() - timedelta(minutes=30)
    shift = ShiftFactory(volunteer_activity=vol_activity, starts_at=start, ends_at=start + timedelta(hours=2))
    client = as_user(worker)
    client.post(f"/v/staff/shifts/{shift.pk}/", {"action": "checkin", "query": "查无此人"})
    assert not SignUp.objects.exists()
    response = client.post(
        f"/v/staff/shifts/{shift.pk}/", {"action": "checkin", "query": "张桂兰"}, follow=True
    )
    assert "张桂兰已签到" in response.content.decode()
    signup = SignUp.objects.get()
    assert signup.check_in_method == "worker"
    SignUp.objects.filter(pk=signup.pk).update(checked_in_at=start)
    client.post(f"/v/staff/shifts/{shift.pk}/", {"action": "checkout", "signup": signup.pk})
    assert 29 <= SignUp.objects.get().service_record.minutes <= 31


def test_the_person_page_shows_the_volunteer_journey(volunteer_a, worker, as_user):
    record = services.service_record_backfill(
        volunteer=volunteer_a, service_date=date(2024, 5, 1), minutes=120, description="助老", actor=worker
    )
    services.service_record_approve(record=record, actor=worker)
    page = as_user(worker).get(f"/people/{volunteer_a.person.pk}/").content.decode()
    section = page[page.index("已认定服务时长") :]
    assert "2.0" in section and "40" in section


def test_a_cadre_sees_only_volunteers_of_her_community(volunteer_a, volunteer_b, cadre_a, as_user):
    page = as_user(cadre_a).get("/admin/volunteers/volunteer/").content.decode()
    assert "张桂兰" in page and "李建国" not in page
    assert as_user(cadre_a).get(f"/admin/volunteers/volunteer/{volunteer_b.pk}/change/").status_code == 404


def test_a_volunteer_sees_her_own_hours_with_their_state_and_why(volunteer_a, volunteer_b, worker, signed_in):
    mine = services.service_record_backfill(
        volunteer=volunteer_a, service_date=date(2024, 5, 1), minutes=90, description="助餐送餐", actor=worker
    )
    services.service_record_decline(record=mine, reason="当天活动取消", actor=worker)
    services.service_record_backfill(
        volunteer=volunteer_b,
        service_date=date(2024, 5, 2),
        minutes=60,
        description="李建国的清扫",
        actor=worker,
    )
    page = signed_in(volunteer_a).get("/v/hours/").content.decode()
    assert "助餐送餐" in page and "未通过" in page and "当天活动取消" in page and "社工补录" in page
    assert "李建国的清扫" not in page


def test_the_certificate_form_shows_its_suggested_period_in_the_phones_date_picker(volunteer_a, signed_in):
    """A date input only takes YYYY-MM-DD: the Chinese format 2026/01/01 left both fields blank."""
    today = timezone.localdate()
    page = signed_in(volunteer_a).get("/v/certificate/").content.decode()
    assert f'value="{today.year}-01-01"' in page
    assert f'value="{today.isoformat()}"' in page


def test_a_double_tap_on_check_in_does_not_check_the_volunteer_out(volunteer_a, vol_activity, signed_in):
    """The second tap of "check in now" used to check out at once: no hours, and no way to check out later."""
    start = timezone.now() - timedelta(minutes=10)
    shift = ShiftFactory(volunteer_activity=vol_activity, starts_at=start, ends_at=start + timedelta(hours=2))
    fresh = rules.qr_token_now(shift)
    client = signed_in(volunteer_a)
    page = client.get(f"/v/checkin/{shift.pk}/{fresh}/").content.decode()
    assert 'name="step" value="in"' in page
    client.post(f"/v/checkin/{shift.pk}/{fresh}/", {"step": "in"})
    again = client.post(f"/v/checkin/{shift.pk}/{fresh}/", {"step": "in"}, follow=True)
    assert "签到成功" in again.content.decode()
    signup = SignUp.objects.get()
    assert signup.checked_in_at is not None and signup.checked_out_at is None
    page = client.get(f"/v/checkin/{shift.pk}/{fresh}/").content.decode()
    assert "现在签退" in page and 'name="step" value="out"' in page
    client.post(f"/v/checkin/{shift.pk}/{fresh}/", {"step": "out"})
    again = client.post(f"/v/checkin/{shift.pk}/{fresh}/", {"step": "out"}, follow=True)
    assert "签退成功" in again.content.decode()
    signup.refresh_from_db()
    assert signup.checked_out_at is not None


def test_a_volunteer_signs_in_with_the_phone_number_typed_in_groups(volunteer_a):
    phone = volunteer_a.person.phone
    typed = "".join(chr(ord(c) + 0xFEE0) for c in phone[:3]) + "-" + phone[3:7] + " " + phone[7:]
    client = Client()
    response = client.post("/v/login/", {"phone": typed, "password": "Zhang-gui-lan-2024"})
    assert response.status_code == 302 and response["Location"] == "/v/"
