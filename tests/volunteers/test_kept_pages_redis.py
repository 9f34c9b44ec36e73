"""The kept phone pages through a real Redis, with the project's cache client (station.cache)."""

import re
import uuid

from django.core.cache import caches
from django.test import Client

from tests.helpers import require_broker
from volunteers import services
from volunteers.views import VOLUNTEER_BACKEND


def test_a_kept_page_in_redis_is_served_again_and_replaced_when_points_move(volunteer_a, worker, settings):
    require_broker()
    settings.CACHES = {
        "default": {
            "BACKEND": "station.cache.RedisCache",
            "LOCATION": settings.CELERY_BROKER_URL,
            "KEY_PREFIX": f"test-kept-pages-{uuid.uuid4().hex}",  # a fresh space: clear() would empty the broker's db
        }
    }
    cache = caches["default"]
    assert cache._cache.get_client() is cache._cache.get_client()  # one client, not one per call
    client = Client()
    client.force_login(volunteer_a.user, backend=VOLUNTEER_BACKEND)
    assert client.get("/v/").templates
    again = client.get("/v/")
    assert not again.templates and 'data-testid="balance">0<' in again.content.decode()
    services.points_adjust(volunteer=volunteer_a, points=12, reason="表彰", actor=worker)
    page = client.get("/v/")
    assert page.templates and re.search(r'data-testid="balance">12<', page.content.decode())
