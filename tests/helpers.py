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
