"""A worker between home visits enters a phone visit on a 360×740 phone."""

import os

import pytest
from django.test import Client
from django.utils import timezone

from ..helpers import chromium_context

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture
def phone_page():
    yield from chromium_context({"width": 360, "height": 740})


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
