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


def test_deploy_check_refuses_the_local_field_encryption_key(settings):
    from django.core.checks import run_checks

    settings.FIELD_ENCRYPTION_KEY = settings.LOCAL_FIELD_ENCRYPTION_KEY
    assert "station.E001" in [e.id for e in run_checks(include_deployment_checks=True)]
    settings.FIELD_ENCRYPTION_KEY = "a-real-key-from-the-environment"
    assert "station.E001" not in [e.id for e in run_checks(include_deployment_checks=True)]


def test_manage_py_works_in_a_bare_checkout_without_any_environment():
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FIELD_", "DATABASE_", "CELERY_"))
    }
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]


def test_every_dependency_is_pinned_with_hashes_in_the_lock_files():
    import re
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]

    def name(requirement):
        return re.split(r"[<>=\[;! ]", requirement, maxsplit=1)[0].lower().replace("_", "-")

    for lock, wanted in (
        ("base.txt", project["dependencies"]),
        ("dev.txt", project["dependencies"] + project["optional-dependencies"]["dev"]),
    ):
        text = (root / "requirements" / lock).read_text()
        pinned = {
            m.group(1).lower()
            for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==\S+ \\\n\s+--hash=sha256:", text, re.M)
        }
        missing = {name(r) for r in wanted} - pinned
        assert not missing, f"{lock} lacks {missing}: run `make lock`"
        assert "file://" not in text and "--find-links" not in text  # nothing of one machine's setup
