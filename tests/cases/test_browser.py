"""A worker between home visits enters a phone visit on a 360×740 phone."""

import os
import shutil

import pytest
from django.test import Client
from django.utils import timezone

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def phone_page():
    if not shutil.which(CHROMIUM):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but /usr/bin/chromium is missing")
        pytest.skip("needs /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"],
        )  # fmt: skip
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
        try:
            yield context
        finally:
            context.close()
            browser.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_worker_records_a_phone_visit_in_a_few_taps(live_server, phone_page, person_a, worker):
    from cases.models import Visit

    client = Client()
    client.force_login(worker)
    phone_page.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                             "url": live_server.url}])  # fmt: skip
    page = phone_page.new_page()
    page.goto(f"{live_server.url}/cases/visit/new/")
    page.fill("#q", "张桂")
    page.press("#q", "Enter")
    page.click(f"text={person_a.name}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    save = page.locator("button", has_text="保存探访")
    assert save.bounding_box()["y"] < 740 * 1.5, "the save button is more than a screen and a half down"
    page.check("text=电话探访")
    page.fill("textarea[name=findings]", "精神不错，腿脚不便")
    save.click()
    page.wait_for_selector("text=已保存")
    visit = Visit.objects.get()
    assert (visit.person, visit.kind, visit.visited_on) == (person_a, "phone", timezone.localdate())
