"""A community cadre with five minutes and a 360 px phone reads the dashboard."""

import os
from datetime import date

import pytest

from stats.rollup import rollup_month

from ..helpers import chromium_context
from .stats_helpers import local, make_activity

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SCREENSHOT = os.environ.get("DASHBOARD_SCREENSHOT")  # set it to keep a picture of the page


def _chromium(viewport):
    yield from chromium_context(viewport)


@pytest.fixture
def phone():
    yield from _chromium({"width": 360, "height": 740})


@pytest.fixture
def laptop():
    yield from _chromium({"width": 1366, "height": 768})


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_cadre_reads_the_dashboard_on_a_small_phone(
    live_server, phone, station, community_a, person_a, cadre_a
):
    make_activity(station, at=local(2025, 7, 3), community=community_a, headcount=12, people=[person_a])
    rollup_month(station=station, month=date(2025, 7, 1))
    session = __import__("django.test", fromlist=["Client"]).Client()
    session.force_login(cadre_a)
    phone.add_cookies(
        [{"name": "sessionid", "value": session.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = phone.new_page()
    page.goto(f"{live_server.url}/dashboard/community/{community_a.pk}/?month=2025-07")

    assert page.locator("h1").inner_text() == community_a.name
    card = page.locator("[data-metric='station.person_times'] [data-testid=card-month]")
    assert card.inner_text() == "13"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing spills sideways
    assert page.locator("canvas").count() >= 3  # the charts are drawn
    # Beneath every chart its numbers, each row named on one line, not one character per line.
    row_heads = page.locator(".chart-table tbody th")
    assert row_heads.count() > 0
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.chart-table td')).lineHeight)")
    heights = [
        row_heads.nth(i).evaluate("e => e.getBoundingClientRect().height") for i in range(row_heads.count())
    ]
    assert max(heights) < 2.5 * line, heights
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT, full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_district_viewer_reads_the_station_list_on_a_small_phone(
    live_server, phone, station, district_viewer
):
    from django.test import Client

    session = Client()
    session.force_login(district_viewer)
    phone.add_cookies(
        [{"name": "sessionid", "value": session.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = phone.new_page()
    page.goto(f"{live_server.url}/dashboard/")
    name = page.locator("[data-testid=stations] tbody th").first
    assert name.inner_text() == station.name
    line = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('[data-testid=stations] td')).lineHeight)"
    )
    assert (
        name.evaluate("e => e.getBoundingClientRect().height") < 3.5 * line
    )  # a name, not a column of characters


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_cadre_signs_in_and_lands_on_the_month_just_closed_beside_the_month_to_date(
    live_server, laptop, station, community_a, person_a, cadre_a
):
    from django.utils import timezone

    from stats.registry import add_months, month_start

    this_month = month_start(timezone.localdate())
    last_month = add_months(this_month, -1)
    make_activity(
        station, at=local(last_month.year, last_month.month, 15), community=community_a, headcount=40
    )
    make_activity(station, at=timezone.now(), community=community_a, headcount=6, people=[person_a])
    for month in (last_month, this_month):
        rollup_month(station=station, month=month)

    page = laptop.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", cadre_a.username)
    page.fill("#id_password", "pass-word-123")
    page.click("[type=submit]")
    page.wait_for_url(f"**/dashboard/community/{community_a.pk}/")

    periods = page.locator("[data-testid=periods]").inner_text()
    assert f"{last_month.year}年{last_month.month}月" in periods and f"{this_month.month}月至今" in periods
    assert "数据截至" in periods
    card = page.locator("[data-metric='station.person_times']")
    assert card.locator("[data-testid=card-month]").inner_text() == "40"  # the closed month, not 0
    assert card.locator("[data-testid=card-to-date]").inner_text().endswith("7")  # 6 + one named
    assert "比上月" in card.locator("[data-testid=card-change]").inner_text()
    # The first screen holds the headline, who takes part and the watch list; the full table is below.
    for heading in ("#headline-title", "#participation-title", "#watch-title"):
        assert page.locator(heading).bounding_box()["y"] < 768, heading
    assert page.locator("#all-title").bounding_box()["y"] > 768
    if SCREENSHOT:
        page.screenshot(path=SCREENSHOT.replace(".png", "-1366.png"))
