"""The volunteer's home and ledger pages are kept whole in the cache (station.pagecache) and are never out
of date: every write they show changes the key they are kept under."""

import re
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from volunteers import rules, services
from volunteers.views import VOLUNTEER_BACKEND

from .factories import ShiftFactory


def phone(volunteer, **kwargs):
    client = Client(**kwargs)
    client.force_login(volunteer.user, backend=VOLUNTEER_BACKEND)
    return client


def without_tokens(page) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.content.decode())


def balance(page) -> str:
    return re.search(r'data-testid="balance">(\d+)<', page.content.decode()).group(1)


def test_a_kept_page_is_sent_again_without_rendering_in_two_queries(
    volunteer_a, django_assert_max_num_queries
):
    client = phone(volunteer_a)
    first = client.get("/v/")
    assert first.templates  # rendered and kept
    with django_assert_max_num_queries(2):  # the session (without a shared cache) and the restored volunteer
        again = client.get("/v/")
    assert again.status_code == 200 and not again.templates
    assert "Cookie" in again["Vary"]  # never shared by a cache between the phone and the server
    assert without_tokens(again) == without_tokens(first)  # the same page, the browser's token apart


def test_every_movement_of_points_shows_at_once_on_the_kept_pages(volunteer_a, worker):
    client = phone(volunteer_a)
    assert balance(client.get("/v/")) == "0"
    client.get("/v/points/")
    services.points_adjust(volunteer=volunteer_a, points=30, reason="表彰", actor=worker)
    assert balance(client.get("/v/")) == "30"
    assert "表彰" in client.get("/v/points/").content.decode()
    # Two entries that leave the balance as it was still change the ledger page.
    services.points_adjust(volunteer=volunteer_a, points=5, reason="补录活动", actor=worker)
    services.points_adjust(volunteer=volunteer_a, points=-5, reason="补录有误", actor=worker)
    assert balance(client.get("/v/")) == "30"
    ledger = client.get("/v/points/").content.decode()
    assert "补录活动" in ledger and "补录有误" in ledger


def test_a_sign_up_an_edited_shift_and_a_cancellation_show_on_the_next_visit(
    volunteer_a, vol_activity, worker
):
    start = timezone.now() + timedelta(days=3)
    shift = ShiftFactory(
        volunteer_activity=vol_activity, starts_at=start, ends_at=start + timedelta(hours=2), place="活动室"
    )
    client = phone(volunteer_a)
    assert "活动室" not in client.get("/v/").content.decode()
    signup, _warnings = services.signup_create(
        volunteer=volunteer_a, shift=shift, actor=worker, by_worker=True
    )
    assert "活动室" in client.get("/v/").content.decode()
    shift.place = "社区广场"
    services.shift_save(shift=shift, actor=worker)
    page = client.get("/v/").content.decode()
    assert "社区广场" in page and "活动室" not in page
    services.signup_cancel(signup=signup, actor=worker)
    assert "社区广场" not in client.get("/v/").content.decode()


def test_a_listed_shift_leaves_the_kept_home_page_when_it_ends(
    volunteer_a, vol_activity, worker, time_machine
):
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    shift = ShiftFactory(
        volunteer_activity=vol_activity,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(minutes=2),
        place="活动室",
    )
    services.signup_create(volunteer=volunteer_a, shift=shift, actor=worker, by_worker=True)
    client = phone(volunteer_a)
    assert "活动室" in client.get("/v/").content.decode()
    assert not client.get("/v/").templates  # kept while the shift lasts
    time_machine.move_to(now + timedelta(minutes=3), tick=False)
    page = client.get("/v/")
    assert page.templates and "活动室" not in page.content.decode()


def test_each_phone_of_one_volunteer_posts_with_its_own_token(volunteer_a):
    first, second = phone(volunteer_a, enforce_csrf_checks=True), phone(volunteer_a, enforce_csrf_checks=True)
    first.get("/v/")
    page = second.get("/v/")
    assert not page.templates  # the page the first phone had kept
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    assert token != "csrf-token-of-the-browser"
    assert second.post("/v/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert second.get("/v/").status_code == 302  # signed out; the first phone is still in
    assert first.get("/v/").status_code == 200


def test_the_message_after_a_check_in_is_shown_with_the_badge_not_a_kept_page(volunteer_a, vol_activity):
    start = timezone.now() + timedelta(minutes=30)
    shift = ShiftFactory(volunteer_activity=vol_activity, starts_at=start, ends_at=start + timedelta(hours=2))
    client = phone(volunteer_a)
    client.get(f"/v/shifts/{shift.pk}/")
    client.post(f"/v/shifts/{shift.pk}/", {"action": "signup"})
    client.get("/v/")  # kept
    page = client.post(f"/v/checkin/{shift.pk}/{rules.qr_token_now(shift)}/", follow=True).content.decode()
    assert "签到成功" in page
    assert "已签到" in page
    assert "感谢" not in client.get("/v/").content.decode()  # the message is shown once
