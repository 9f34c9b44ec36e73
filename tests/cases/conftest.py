import os

import pytest
from django.db import connection

from station.models import StaffProfile
from tests.factories import make_staff

from .factories import CaseFactory


def need_service(available: bool, what: str):
    """Skip when a service is absent, but fail instead when CI says services are required."""
    if available:
        return
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{what} is required (REQUIRE_SERVICES=1) but not available")
    pytest.skip(f"{what} not available")


@pytest.fixture
def require_postgres():
    need_service(connection.vendor == "postgresql", "PostgreSQL")


@pytest.fixture
def require_broker():
    need_service(bool(os.environ.get("CELERY_BROKER_URL")), "a Celery broker (CELERY_BROKER_URL)")


@pytest.fixture
def colleague(station):
    """Another social worker of the same station, not assigned to the case."""
    return make_staff(StaffProfile.Role.SOCIAL_WORKER, station=station, username="colleague")


@pytest.fixture
def case(person_a, worker, supervisor):
    return CaseFactory(person=person_a, worker=worker, supervisor=supervisor)
