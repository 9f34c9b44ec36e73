"""A crawler walks the demo station as each demo login and follows every link it is shown.

A link shown to a user should work for that user: no 500 anywhere, no 403/404 and no bounce to a
sign-in page for a link followed from a page, and no stray English UI words on the non-admin pages.
"""

import re
import time
from collections import deque
from datetime import timedelta
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from cases import reminders
from station.models import Notification
from volunteers import tasks as volunteer_tasks
from volunteers.models import Redemption


def _send_reminders():
    """The reminders beat would send over the next two months, so the crawl follows notification links."""
    later = timezone.localdate() + timedelta(days=60)
    reminders.follow_ups_due(today=later)
    reminders.visits_overdue(today=later, now=timezone.now() + timedelta(days=60))
    reminders.approvals_waiting(now=timezone.now() + timedelta(days=60))
    reminders.reviews_due(today=later)
    Redemption.objects.filter(status=Redemption.Status.PLACED).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    volunteer_tasks.redemptions_waiting()
    volunteer_tasks.shift_reminders()


# Each demo login, with a page deep in their daily work the crawl must reach (so it cannot pass by seeing nothing).
PERSONAS = {
    "admin": "/admin/volunteers/volunteer/N/change/",
    "zhanzhang": "/people/N/",
    "shegong": "/cases/N/",
    "jianzhi": "/cases/visit/new/",
    "dudao": "/cases/groups/N/",
    "ganbu": "/dashboard/community/N/",
    "quji": "/dashboard/station/N/",
    "13800138000": "/v/rewards/N/",
    "pingwei1": "/projects/judge/round/N/application/N/",
}
MAX_PAGES = 400
PER_SHAPE = 3  # pages per URL shape (digits as N, query or not): a few of each, not every row and filter
ADMIN_PER_SHAPE = 1  # the admin's pages are all built alike: one of each shape, so every app's are reached
SKIP = re.compile(
    r"^/(static|media)/|/logout/|^/i18n/|/evidence/\d+/|/download|\.(pdf|xlsx|csv|svg|png)$"
    r"|/certificate/$|/certificates/|/checkin/"
)
SIGN_IN = re.compile(r"^/(admin|v)/login/")
ENGLISH = re.compile(r"\b(Save|Delete|Cancel|Submit|Back|None|Home|Edit)\b")
# Leftovers once found on the pages staff use, the admin included: column headers and units in English, an
# hour figure as "2.5h", and (below) any raw choice code of any model shown as text instead of its label.
LEFTOVERS = re.compile(r"\b(hours|recorded by|created by|points|kind|platform)\b|\b\d+(\.\d+)?h\b", re.I)
SNAKE_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
# The superuser's technical tables show the data's own keys (permission codenames, a metric's key, an exam
# level's code): not leftovers.
KEYED_PAGES = re.compile(r"^/admin/(auth|stats/statvalue|talent/examlevel)/")


def _choice_codes() -> set[str]:
    """Every stored code of a choice field, long enough not to be a chance word (en, zh-hans...)."""
    from django.apps import apps

    codes = set()
    for model in apps.get_models():
        for f in model._meta.get_fields():
            for code, _label in getattr(f, "flatchoices", None) or []:
                if isinstance(code, str) and re.fullmatch(r"[a-z][a-z_]{3,}", code):
                    codes.add(code)
    return codes


def leftovers_in(text: str, codes: set[str], login: str = "") -> list[str]:
    text = text.replace(login, " ") if login else text  # the signed-in login (e.g. "admin") is not a code
    found = {m.group(0) for m in LEFTOVERS.finditer(text)} | set(SNAKE_CODE.findall(text))
    found |= {word for word in re.findall(r"\b[a-z]{4,}\b", text) if word in codes}
    return sorted(found)


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.text, self._hidden = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        elif tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo station, seeded once for the module and rolled back after it."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            call_command("seed_demo", people=80, stdout=StringIO())
            _send_reminders()
            yield
            transaction.set_rollback(True)


def _crawl(client, login=""):
    codes = _choice_codes()
    queue = deque([("/", None)])
    seen, shapes = set(), {}
    problems, visited, reached = [], 0, set()
    while queue and visited < MAX_PAGES:
        url, referrer = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        path, query = urlsplit(url).path, urlsplit(url).query
        shape = (re.sub(r"\d+", "N", path), bool(query))
        shapes[shape] = shapes.get(shape, 0) + 1
        if shapes[shape] > (ADMIN_PER_SHAPE if path.startswith("/admin/") else PER_SHAPE):
            continue
        response = client.get(url)
        visited += 1
        status = response.status_code
        where = f"{url} (linked from {referrer})"
        if status >= 500:
            problems.append(f"{status} {where}")
            continue
        if status in (301, 302):
            target = urljoin(url, response["Location"])
            if referrer and SIGN_IN.match(urlsplit(target).path):
                problems.append(f"sign-in bounce {where}")
            elif urlsplit(target).netloc in ("", "testserver"):
                queue.appendleft((urlsplit(target)._replace(scheme="", netloc="").geturl(), referrer))
            continue
        if status in (403, 404) and referrer:
            problems.append(f"{status} {where}")
            continue
        if status != 200 or "html" not in response.get("Content-Type", ""):
            continue
        reached.add(shape[0])
        page = _Page()
        page.feed(response.content.decode())
        text = " ".join(page.text)
        if not path.startswith("/admin/"):
            english = sorted(set(ENGLISH.findall(text)))
            if english:
                problems.append(f"English {english} on {url}")
        left = [] if KEYED_PAGES.match(path) else leftovers_in(text, codes, login)
        if left:
            problems.append(f"English or raw codes {left} on {url}")
        for href in page.links:
            parts = urlsplit(urljoin(url, href))
            if parts.scheme not in ("http", "") or parts.netloc not in ("", "testserver"):
                continue
            target = parts._replace(scheme="", netloc="", fragment="").geturl()
            if target and not SKIP.search(parts.path) and target not in seen:
                # the platform's own pages first: the admin alone would fill the page budget
                (queue.append if parts.path.startswith("/admin/") else queue.appendleft)((target, url))
    return visited, reached, problems


@pytest.mark.django_db
@pytest.mark.parametrize("username,deep_page", PERSONAS.items())
def test_every_link_a_demo_login_is_shown_works_for_them(demo, username, deep_page):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    started = time.monotonic()
    visited, reached, problems = _crawl(client, username)
    print(f"{username}: {visited} pages in {time.monotonic() - started:.1f}s")
    assert deep_page in reached, f"{username} never reached {deep_page}: {sorted(reached)}"
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db
def test_every_demo_notification_opens_for_its_recipient(demo):
    notifications = list(Notification.objects.select_related("recipient"))
    assert {n.recipient.username for n in notifications} >= {"zhanzhang", "shegong"}
    refused = []
    for notification in notifications:
        client = Client()
        client.force_login(notification.recipient)
        status = client.get(notification.url).status_code
        if status != 200:
            refused.append(f"{status} {notification.url} for {notification.recipient.username}")
    assert refused == []
