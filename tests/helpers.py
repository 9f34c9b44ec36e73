"""Shared test helpers."""

import os

import pytest
from django.conf import settings
from django.db import connection


def require_postgresql():
    """Skip off PostgreSQL, but fail when CI says the services must be there."""
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but the database is not PostgreSQL")
        pytest.skip("needs PostgreSQL")


def require_broker():
    if not settings.CELERY_BROKER_URL:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("REQUIRE_SERVICES=1 but CELERY_BROKER_URL is not set")
        pytest.skip("needs a real Celery broker (CELERY_BROKER_URL)")


class OneStation:
    """An app's ``stats`` module as one station sees it: each metric function called with that station's
    period returns ``{community_id: value}`` (the functions themselves answer for several stations at once,
    keyed ``(station_id, community_id)``)."""

    def __init__(self, module):
        self.module = module

    def __getattr__(self, name):
        found = getattr(self.module, name)
        if isinstance(found, dict):  # a table of metric functions
            return {key: self._one(func) for key, func in found.items()}
        return self._one(found)

    @staticmethod
    def _one(func):
        from station.aggregates import for_station

        return lambda period: for_station(func(period), period.station.pk)


CHROMIUM = "/usr/bin/chromium"


def chromium_browser():
    """Debian's headless Chromium through Playwright, for a fixture to ``yield from``: skipped when it is
    missing, a failure instead under REQUIRE_SERVICES=1."""
    import os
    import shutil

    import pytest

    if not shutil.which(CHROMIUM):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but {CHROMIUM} is missing")
        pytest.skip(f"needs {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"],
        )  # fmt: skip
        try:
            yield browser
        finally:
            browser.close()


def chromium_context(viewport: dict):
    """A browser context of the given size in Chinese, for a fixture to ``yield from``."""
    for browser in chromium_browser():
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        try:
            yield context
        finally:
            context.close()


def sign_in_at_once(activity_person_pairs, hold=0.2):
    """Each attendance written in its own transaction on its own connection, all open at the same time (each
    holds ``hold`` seconds before it commits), as workers saving sign-in sheets together: the errors raised."""
    import threading
    import time

    from django.db import transaction

    from station.models import Attendance

    barrier = threading.Barrier(len(activity_person_pairs))
    errors = []

    def sign_in(activity, person):
        try:
            barrier.wait()
            with transaction.atomic():
                Attendance.objects.create(activity=activity, person=person)
                time.sleep(hold)
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_in, args=pair) for pair in activity_person_pairs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors
