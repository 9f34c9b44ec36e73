"""The volunteer's phone forgives a slip: a redemption is confirmed with the points before and after, the
reminders are read inside the volunteer pages, and signing out is a separate, large button."""

import re

import pytest
from django.test import Client

from station.services import notification_create
from volunteers import services
from volunteers.models import Redemption


@pytest.fixture
def phone(volunteer_a):
    client = Client()
    client.force_login(volunteer_a.user)
    return client


def test_the_reward_page_leads_to_a_confirmation_that_places_nothing_by_itself(
    volunteer_a, worker, reward, phone
):
    services.points_adjust(volunteer=volunteer_a, points=250, reason="迁入", actor=worker)
    page = phone.get(f"/v/rewards/{reward.pk}/").content.decode()
    assert f'href="/v/rewards/{reward.pk}/confirm/"' in page
    assert 'name="key"' not in page  # the reward page itself cannot place a redemption

    confirm = phone.get(f"/v/rewards/{reward.pk}/confirm/").content.decode()
    before = re.search(r'data-testid="points-before">(\d+)<', confirm).group(1)
    after = re.search(r'data-testid="points-after">(-?\d+)<', confirm).group(1)
    assert (int(before), int(after)) == (250, 250 - reward.points_price)
    assert not Redemption.objects.exists()

    key = re.search(r'name="key" value="(\w+)"', confirm).group(1)
    placed = phone.post(f"/v/rewards/{reward.pk}/", {"key": key}, follow=True)
    again = phone.post(f"/v/rewards/{reward.pk}/", {"key": key}, follow=True)  # a double tap
    redemption = Redemption.objects.get()
    assert placed.redirect_chain[-1][0] == again.redirect_chain[-1][0] == f"/v/redemptions/{redemption.pk}/"
    volunteer_a.refresh_from_db()
    assert volunteer_a.points_balance == int(after)


def test_each_confirmation_carries_a_fresh_key_so_a_second_redemption_is_a_new_one(
    volunteer_a, worker, reward, phone
):
    services.points_adjust(volunteer=volunteer_a, points=500, reason="迁入", actor=worker)
    keys = {
        re.search(
            r'name="key" value="(\w+)"', phone.get(f"/v/rewards/{reward.pk}/confirm/").content.decode()
        ).group(1)
        for _ in range(2)
    }
    assert len(keys) == 2


def test_a_confirmation_without_enough_points_says_so_and_offers_no_button(volunteer_a, reward, phone):
    confirm = phone.get(f"/v/rewards/{reward.pk}/confirm/").content.decode()
    assert 'data-testid="confirm"' not in confirm
    assert 'data-testid="points-after">-' in confirm


def test_another_volunteers_confirmation_is_a_404(volunteer_a, other_station, phone):
    from .factories import RewardFactory

    elsewhere = RewardFactory(station=other_station)
    assert phone.get(f"/v/rewards/{elsewhere.pk}/confirm/").status_code == 404


def test_reminders_open_inside_the_volunteer_pages_and_are_marked_read(volunteer_a, phone):
    notification_create(recipient=volunteer_a.user, key="k1", title="明天上午有服务", url="/v/")
    home = phone.get("/v/").content.decode()
    assert 'href="/v/reminders/"' in home and 'data-testid="unread-count">1<' in home
    assert 'href="/notifications/"' not in home
    page = phone.get("/v/reminders/").content.decode()
    assert "明天上午有服务" in page and "志愿服务" in page  # inside the volunteer pages
    phone.post("/v/reminders/")
    assert volunteer_a.user.notifications.filter(read_at__isnull=True).count() == 0
    assert "unread-count" not in phone.get("/v/").content.decode()


def test_sign_out_is_apart_from_the_reminders_and_the_current_tab_looks_chosen(phone):
    page = phone.get("/v/rewards/").content.decode()
    nav_end = page.index("</nav>")
    assert page.index('data-testid="reminders-link"') < nav_end < page.index('data-testid="sign-out"')
    assert re.search(r'class="btn btn-success" aria-current="page" href="/v/rewards/"', page)
