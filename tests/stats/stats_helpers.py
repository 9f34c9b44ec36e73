"""Helpers for the statistics tests: cheap records, and skipping or failing when a service is missing."""

import os
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from station.models import Activity, Attendance, Person

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(year, month, day, hour=10, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def need_postgresql():
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("PostgreSQL is required (REQUIRE_SERVICES=1)")
        pytest.skip("needs PostgreSQL")


def need_broker():
    url = os.environ.get("CELERY_BROKER_URL")
    if not url:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("CELERY_BROKER_URL is required (REQUIRE_SERVICES=1)")
        pytest.skip("needs a Celery broker")
    return url


def with_a_real_worker(act, done, seconds=30):
    """Run ``act()`` while a real Celery worker (solo pool) takes tasks from the broker, then wait until
    ``done()`` holds or ``seconds`` pass. Skips without a broker."""
    import time

    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    need_broker()
    app.conf.task_always_eager = False
    try:
        with start_worker(app, perform_ping_check=False, pool="solo"):
            act()
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline and not done():
                time.sleep(0.2)
    finally:
        app.conf.task_always_eager = True


def make_activity(station, *, at, community=None, platform=Activity.Platform.STATION, headcount=0, people=()):
    activity = Activity.objects.create(
        station=station,
        community=community,
        platform=platform,
        kind="",
        title="活动",
        starts_at=at,
        ends_at=at + timedelta(hours=1),
        headcount=headcount,
    )
    Attendance.objects.bulk_create([Attendance(activity=activity, person=p) for p in people])
    return activity


def bulk_records(station, community, n, *, at):
    """n people, n attendance rows over n // 10 + 1 activities: the cheap way, with bulk_create."""
    people = Person.objects.bulk_create(
        [
            Person(name=f"批量{i}", community=community, residency=Person.Residency.TENANT, id_number=f"T{i}")
            for i in range(n)
        ]
    )
    activities = Activity.objects.bulk_create(
        [
            Activity(
                station=station,
                community=community,
                platform=Activity.Platform.VOLUNTEERS,
                title=f"批量活动{i}",
                starts_at=at,
                ends_at=at + timedelta(hours=1),
                headcount=1,
            )
            for i in range(n // 10 + 1)
        ]
    )
    Attendance.objects.bulk_create(
        [Attendance(activity=activities[i // 10], person=p) for i, p in enumerate(people)], batch_size=2000
    )
    return people
