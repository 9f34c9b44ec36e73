"""A web request never fails because of the broker once its data is saved: the work waits for its sweep."""

import socket
import time

import pytest
from django.test import Client

from config.celery import app
from station.models import Notification
from stats.models import RollupRun, StatReport


@pytest.fixture
def silent_broker(settings):
    """A Redis address that accepts connections and never answers, as a hung broker does."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    url = f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=url, task_always_eager=False)
    settings.CELERY_BROKER_URL = url
    _forget_connections()
    try:
        yield url
    finally:
        app.conf.update(**saved)
        _forget_connections()
        listener.close()


def _forget_connections():
    """Celery keeps its broker connections in pools made from the first URL: look them up anew (kombu keeps
    one pool per URL, so the real broker's pool is left open for the tests that follow)."""
    app._pool = None
    app.amqp._producer_pool = None


def test_a_report_asked_for_while_the_broker_hangs_is_saved_and_built_by_the_sweep(
    head, station, silent_broker, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(head)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(
            f"/dashboard/station/{station.pk}/report.xlsx?from=2025-07&to=2025-08&background=1"
        )
    assert response.status_code == 302  # "being prepared", not a 500
    assert time.monotonic() - started < 20  # well inside gunicorn's 30 s
    report = StatReport.objects.get()
    assert report.finished_at is None

    from stats.tasks import build_pending_reports

    StatReport.objects.filter(pk=report.pk).update(requested_at=report.requested_at.replace(year=2020))
    app.conf.task_always_eager = True
    assert build_pending_reports() == 1
    report.refresh_from_db()
    assert report.finished_at is not None and report.file
    assert Notification.objects.filter(recipient=head, key=f"stat-report-{report.pk}").exists()


def test_recomputing_months_while_the_broker_hangs_leaves_them_for_the_catch_up(
    head, station, silent_broker, django_capture_on_commit_callbacks
):
    from datetime import date

    run = RollupRun.objects.create(station=station, month=date(2025, 7, 1), status="done", final=True)
    client = Client()
    client.force_login(head)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/stats/rolluprun/", {"action": "recompute", "_selected_action": [run.pk]}, follow=True
        )
    assert response.status_code == 200
    run.refresh_from_db()
    assert run.status == "started"  # the catch-up redoes a month left STARTED


def test_an_email_not_sent_while_the_broker_hangs_is_sent_by_the_sweep(
    worker, silent_broker, django_capture_on_commit_callbacks, mailoutbox
):
    from station.services import notification_create
    from station.tasks import send_pending_notifications

    with django_capture_on_commit_callbacks(execute=True):
        notification_create(recipient=worker, key="urgent-1", title="紧急探访", url="/cases/visit/new/")
    assert len(mailoutbox) == 0
    app.conf.task_always_eager = True
    assert send_pending_notifications() == 1
    assert len(mailoutbox) == 1
