"""What docker-compose relies on: the web container's health probe passes with production settings."""

from pathlib import Path
from urllib.request import urlopen

import pytest
from django.test import override_settings

from station.healthcheck import probe

COMPOSE = (Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text()

PRODUCTION = {"ALLOWED_HOSTS": ["sws.example.org"], "SECURE_SSL_REDIRECT": True, "DEBUG": False}


@pytest.mark.django_db(transaction=True)
def test_the_health_probe_passes_behind_allowed_hosts_and_the_https_redirect(live_server, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "sws.example.org,www.sws.example.org")
    with override_settings(**PRODUCTION):
        with pytest.raises(OSError):  # what a bare request to 127.0.0.1 meets
            urlopen(f"{live_server.url}/healthz", timeout=5)
        assert probe(f"{live_server.url}/healthz")


def test_compose_uses_the_probe_and_starts_the_app_after_migrations():
    web = COMPOSE.split("\n  web:", 1)[1].split("\n  worker:", 1)[0]
    assert "station.healthcheck" in web
    anchor = COMPOSE.split("&after-migrate", 1)[1].split("\n\n", 1)[0]
    assert "migrate:\n    condition: service_completed_successfully" in anchor
    for service in ("web", "worker", "beat"):
        block = COMPOSE.split(f"\n  {service}:\n", 1)[1].split("\n\n", 1)[0]
        assert "depends_on: *after-migrate" in block, service
