"""Named personas every test can ask for.

Station 高桥 has communities A (丰京苑社区) and B (韩南村); another station has its own community.
"""

import pytest
from django.test import Client

from station.models import StaffProfile

from .factories import CommunityFactory, PersonFactory, StationFactory, make_staff

Role = StaffProfile.Role


@pytest.fixture
def station(db):
    return StationFactory(name="高桥街道社会工作服务站", street="高桥街道", district="鄠邑区")


@pytest.fixture
def community_a(station):
    return CommunityFactory(station=station, name="丰京苑社区", population=6400, households=2537)


@pytest.fixture
def community_b(station):
    return CommunityFactory(station=station, name="韩南村")


@pytest.fixture
def other_station(db):
    return StationFactory(name="另一个街道社会工作服务站", district="长安区")


@pytest.fixture
def other_community(other_station):
    return CommunityFactory(station=other_station, name="别处社区")


@pytest.fixture
def person_a(community_a):
    return PersonFactory(community=community_a, name="张桂兰")


@pytest.fixture
def person_b(community_b):
    return PersonFactory(community=community_b, name="李建国")


@pytest.fixture
def other_person(other_community):
    return PersonFactory(community=other_community, name="王外站")


@pytest.fixture
def head(station):
    return make_staff(Role.STATION_HEAD, station=station, username="head")


@pytest.fixture
def worker(station):
    return make_staff(Role.SOCIAL_WORKER, station=station, username="worker")


@pytest.fixture
def supervisor(station):
    return make_staff(Role.SUPERVISOR, station=station, username="supervisor")


@pytest.fixture
def other_worker(other_station):
    return make_staff(Role.SOCIAL_WORKER, station=other_station, username="other_worker")


@pytest.fixture
def cadre_a(station, community_a):
    return make_staff(Role.CADRE, station=station, communities=[community_a], username="cadre_a")


@pytest.fixture
def district_viewer(station):
    return make_staff(Role.DISTRICT_VIEWER, district=station.district, username="district")


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_user():
    """as_user(user) -> a test client signed in as that user."""
    return client_for


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: the database is rolled back between tests and ids come round
    again, so a page cached by one test must not answer another."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _close_connections_opened_inside_playwright(request):
    """Playwright's sync API runs an event loop, so Django keeps the ORM connections a browser test opens in
    that loop's context, apart from the thread's own. Nobody closes them, and PostgreSQL then refuses to drop
    the test database ("being accessed by other users"). Close them when a browser test ends."""
    if request.node.get_closest_marker("browser") is None:
        yield
        return
    import threading

    from django.db import connections
    from django.db.backends.signals import connection_created

    opened, here = [], threading.get_ident()

    def remember(sender, connection, **kwargs):
        if threading.get_ident() == here:  # not the live server's own threads: they close theirs
            opened.append(connection)

    connection_created.connect(remember, weak=False)
    try:
        yield
    finally:
        connection_created.disconnect(remember)
        current = connections["default"]
        for conn in opened:
            if conn is not current:
                conn.close()


def pytest_configure(config):
    """``SWS_FROZEN_CLOCK=2026-01-31T16:30:00+00:00`` runs the whole suite with the clock set to that moment
    (it keeps ticking), so CI can prove that no test or factory depends on the hour it runs at: 00:30 in
    Shanghai is still the previous day in UTC, and 23:30 on a month's last day is an hour from the next month."""
    import os

    moment = os.environ.get("SWS_FROZEN_CLOCK")
    if moment:
        import time_machine

        traveller = time_machine.travel(moment, tick=True)
        traveller.start()
        config._sws_clock = traveller
