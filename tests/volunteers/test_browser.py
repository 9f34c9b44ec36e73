"""A volunteer on a 360×740 phone: sign in, read the balance, redeem a reward through the confirmation step,
see the pickup code and the new balance."""

import os

import pytest

from ..helpers import chromium_context

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture
def browser_page():
    for context in chromium_context({"width": 360, "height": 740}):
        yield context.new_page()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_volunteer_redeems_a_reward_on_a_small_phone(
    live_server, browser_page, community_a, station, worker
):
    from tests.factories import PersonFactory
    from volunteers.models import Redemption

    from .factories import RewardFactory, make_volunteer

    person = PersonFactory(community=community_a, name="王秀英", phone="13712345678")
    make_volunteer(person, password="Wang-xiu-ying-88", balance=260, actor=worker)
    RewardFactory(station=station, name="洗衣液一瓶", points_price=120, stock=3)

    page = browser_page
    page.goto(f"{live_server.url}/v/")
    page.fill("#id_phone", "13712345678")
    page.fill("#id_password", "Wang-xiu-ying-88")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/v/")

    assert page.locator("[data-testid=balance]").inner_text() == "260"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing spills sideways

    # 提醒 and 退出 are apart and at least 44 px high
    reminders, sign_out = page.locator("[data-testid=reminders-link]"), page.locator("[data-testid=sign-out]")
    assert reminders.bounding_box()["height"] >= 44 and sign_out.bounding_box()["height"] >= 44
    assert sign_out.bounding_box()["y"] - reminders.bounding_box()["y"] > 200

    page.click("text=积分超市")
    page.click("text=洗衣液一瓶")
    page.click("a:has-text('兑换')")
    page.wait_for_url(f"{live_server.url}/v/rewards/*/confirm/")
    assert page.locator("[data-testid=points-before]").inner_text() == "260"
    assert page.locator("[data-testid=points-after]").inner_text() == "140"
    assert not Redemption.objects.exists()  # nothing placed before the confirmation
    page.click("[data-testid=confirm]")
    page.wait_for_url(f"{live_server.url}/v/redemptions/*/")

    code = page.locator("[data-testid=pickup-code]").inner_text()
    assert code == Redemption.objects.get().pickup_code
    qr = page.locator("svg.segno")
    assert qr.is_visible() and 100 <= qr.bounding_box()["width"] <= 360
    assert "兑换成功" in page.content()
    page.click("text=我的")
    assert page.locator("[data-testid=balance]").inner_text() == "140"
