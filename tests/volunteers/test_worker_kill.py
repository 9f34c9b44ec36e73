"""A real `celery worker` process killed with SIGKILL in the middle of the shift reminders, then a second
worker: every sign-up ends with exactly one reminder (PostgreSQL + Redis, marker ``worker``).

The workers run with a 5-second visibility timeout (``CELERY_VISIBILITY_TIMEOUT``) so that Redis hands the
killed worker's unacknowledged task to the second worker within the test instead of after 30 minutes.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from station.models import Notification
from tests.helpers import require_broker, require_postgresql
from volunteers.models import SignUp

from .test_tasks import _signups_for_tomorrow

ROOT = Path(__file__).resolve().parents[2]
SIGNUPS = 400


def _database_url():
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start_worker(name, log):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_VISIBILITY_TIMEOUT": "5",
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "-n", f"{name}@%h",
               "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "INFO"]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def _wait(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.mark.worker
@pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")
def test_a_worker_killed_mid_reminders_loses_and_repeats_no_reminder(
    transactional_db, vol_activity, community_a, tmp_path
):
    require_postgresql()
    require_broker()
    import redis

    from config.celery import app

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()  # this run's own Redis database
    volunteers = _signups_for_tomorrow(vol_activity, community_a, SIGNUPS)
    reminders = Notification.objects.filter(key__startswith="volunteers:shift-reminder:")
    workers = []
    with open(tmp_path / "workers.log", "wb") as log:
        try:
            workers.append(_start_worker("first", log))
            app.send_task("volunteers.tasks.shift_reminders")
            assert _wait(lambda: reminders.count() >= 20, 60), "the first worker never started reminding"
            os.kill(workers[0].pid, signal.SIGKILL)
            workers[0].wait(10)
            at_kill = reminders.count()
            assert at_kill < SIGNUPS, "the worker finished before it was killed; the test proved nothing"

            workers.append(_start_worker("second", log))
            assert _wait(lambda: reminders.count() >= SIGNUPS, 120), (
                f"{reminders.count()} of {SIGNUPS} reminders after the restart (log: {tmp_path / 'workers.log'})"
            )
            time.sleep(1)  # anything repeated would show now
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.send_signal(signal.SIGTERM)
                    try:
                        worker.wait(15)
                    except subprocess.TimeoutExpired:
                        worker.kill()
    counts = {v.user_id: 0 for v in volunteers}
    for recipient_id in reminders.values_list("recipient_id", flat=True):
        counts[recipient_id] += 1
    assert sorted(set(counts.values())) == [1]
    assert not SignUp.objects.filter(reminded_at__isnull=True).exists()
    assert SignUp.objects.filter(reminded_at__lte=timezone.now()).count() == SIGNUPS
