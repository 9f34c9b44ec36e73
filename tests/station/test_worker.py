"""A real Celery worker consuming from the real Redis broker (CI's PostgreSQL run sets CELERY_BROKER_URL)."""

import pytest
from django.core import mail

from station.models import Notification
from station.services import notification_create

from ..helpers import require_broker


@pytest.fixture
def real_worker(transactional_db):
    require_broker()
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        app.conf.task_always_eager = True


@pytest.mark.worker
def test_a_notification_is_emailed_once_by_the_real_worker(real_worker, django_user_model):
    import time

    user = django_user_model.objects.create_user("w", email="w@example.org", password="x-pass-123")
    notification_create(recipient=user, key="worker-test", title="真实队列的提醒")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if mail.outbox:
            break
        time.sleep(0.2)
    note = Notification.objects.get(key="worker-test")
    assert note.email_sent_at is not None
    assert [m.subject for m in mail.outbox] == ["真实队列的提醒"]
