"""Sessions read through the shared cache (station.sessions with SESSION_CACHED): a page does not read the
session from the database, and every rule of a session still holds."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone


@pytest.fixture
def cached_sessions(settings):
    settings.SESSION_CACHED = True


def signed_in(username="worker"):
    client = Client()
    response = client.post("/admin/login/", {"username": username, "password": "pass-word-123"})
    assert response.status_code == 302
    return client


def session_reads(client, path="/admin/") -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return sum('"django_session"' in q["sql"] for q in queries.captured_queries)


def test_a_page_reads_the_session_from_the_cache_not_the_database(worker, cached_sessions, settings):
    client = signed_in()
    assert session_reads(client) == 0
    settings.SESSION_CACHED = False
    assert session_reads(client) == 1


def test_signing_out_ends_the_session_its_cache_held(worker, cached_sessions):
    client = signed_in()
    stolen = Client()
    stolen.cookies = client.cookies.__class__(client.cookies)  # the same cookie on another phone
    assert stolen.get("/admin/").status_code == 200
    client.post("/admin/logout/")
    response = stolen.get("/admin/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Session.objects.exists()


def test_a_cached_session_slides_its_idle_half_hour_and_ends_after_it(worker, cached_sessions, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    client = signed_in()
    key = client.session.session_key
    time_machine.shift(timedelta(minutes=20))
    assert client.get("/admin/").status_code == 200  # active: the half hour starts again, in the database too
    left = Session.objects.get(pk=key).expire_date - timezone.now()
    assert timedelta(minutes=29) < left <= timedelta(minutes=30)
    time_machine.shift(timedelta(minutes=31))  # then idle for the half hour
    response = client.get("/admin/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_cache_that_does_not_answer_leaves_sessions_to_the_database(worker, cached_sessions, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "station.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    client = signed_in()
    assert session_reads(client) == 1
    client.post("/admin/logout/")
    assert not Session.objects.exists()
    assert client.get("/admin/").status_code == 302
