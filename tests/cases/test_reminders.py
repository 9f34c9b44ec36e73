"""Reminders are made once and emailed once, however often the tasks run."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cases import tasks
from cases.models import Case, CaseApproval
from station.models import Notification

from .factories import VisitFactory, WatchEntryFactory


def run_twice(task):
    first = task.delay().get()
    second = task.delay().get()
    return first, second


def test_follow_up_due_reminds_the_worker_once(case, worker, django_capture_on_commit_callbacks):
    Case.objects.filter(pk=case.pk).update(next_follow_up_on=timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):
        first, second = run_twice(tasks.remind_follow_ups_due)
    assert (first, second) == (1, 0)
    assert worker.notifications.filter(key__startswith="cases:follow-up:").count() == 1
    assert [m.to for m in mail.outbox] == [[worker.email]]


def test_a_visit_follow_up_is_forgotten_once_the_person_is_visited_again(person_a, worker):
    today = timezone.localdate()
    VisitFactory(person=person_a, worker=worker, visited_on=today - timedelta(days=5),
                 follow_up_needed=True, follow_up_on=today - timedelta(days=1))  # fmt: skip
    VisitFactory(person=person_a, worker=worker, visited_on=today)
    assert tasks.remind_follow_ups_due.delay().get() == 0


def test_overdue_visits_remind_the_responsible_worker_once(
    person_a, person_b, worker, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    WatchEntryFactory(person=person_a, worker=worker, tier="high", started_on=today - timedelta(days=20))
    WatchEntryFactory(person=person_b, worker=worker, tier="high", started_on=today - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert run_twice(tasks.remind_visits_overdue) == (1, 0)
    note = worker.notifications.get()
    assert person_a.name in note.title
    assert len(mail.outbox) == 1


def test_waiting_approvals_remind_the_supervisor_once(
    case, worker, supervisor, django_capture_on_commit_callbacks
):
    from cases import services

    Case.objects.filter(pk=case.pk).update(stage="assessment", assessment="评估")
    services.case_submit(case=Case.objects.get(pk=case.pk), actor=worker)
    assert tasks.remind_approvals_waiting.delay().get() == 0  # not waiting long yet
    CaseApproval.objects.update(submitted_at=timezone.now() - timedelta(hours=30))
    with django_capture_on_commit_callbacks(execute=True):
        assert run_twice(tasks.remind_approvals_waiting) == (1, 0)
    assert supervisor.notifications.filter(key__startswith="cases:approval-waiting:").count() == 1
    assert [m.to for m in mail.outbox] == [[supervisor.email]]


def test_reviews_due_remind_once_per_review_date(case, worker):
    today = timezone.localdate()
    Case.objects.filter(pk=case.pk).update(stage="intervention", review_due_on=today)
    assert run_twice(tasks.remind_reviews_due) == (1, 0)
    # A new review date is a new reminder.
    Case.objects.filter(pk=case.pk).update(review_due_on=today - timedelta(days=1))
    assert tasks.remind_reviews_due.delay().get() == 1
    Case.objects.filter(pk=case.pk).update(stage="closed", closed_on=today)
    assert tasks.remind_reviews_due.delay().get() == 0


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_an_approval_reminder_through_redis(require_broker, station, settings):
    """End to end: Redis broker, a real Celery worker thread, the notification and its email."""
    from celery.contrib.testing.worker import start_worker

    from config.celery import app
    from tests.factories import CommunityFactory, PersonFactory, make_staff

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    community = CommunityFactory(station=station)
    worker = make_staff("social_worker", station=station, username="w_real")
    boss = make_staff("supervisor", station=station, username="s_real")
    case = Case.objects.create(
        station=station, person=PersonFactory(community=community), worker=worker, supervisor=boss,
        source="walk_in", stage="assessment", assessment="评估", pending_gate="assessment",
    )  # fmt: skip
    CaseApproval.objects.create(
        case=case, gate="assessment", submitted_by=worker, submitted_at=timezone.now() - timedelta(days=2)
    )
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
            tasks.remind_approvals_waiting.delay()
            tasks.remind_approvals_waiting.delay()
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                note = Notification.objects.filter(recipient=boss).first()
                if note and note.email_sent_at:
                    break
                time.sleep(0.2)
            time.sleep(1)  # let the second run finish too
    finally:
        app.conf.task_always_eager = was_eager
    notes = list(Notification.objects.filter(recipient=boss))
    assert len(notes) == 1 and notes[0].email_sent_at is not None


def test_reminders_already_made_do_not_crowd_out_new_ones(community_a, worker, monkeypatch):
    """Each run handles a bounded batch; people reminded yesterday must not fill it for ever."""
    from cases import reminders
    from tests.factories import PersonFactory

    monkeypatch.setattr(reminders, "BATCH", 2)
    today = timezone.localdate()
    for days_late in (30, 20, 10):
        person = PersonFactory(community=community_a)
        VisitFactory(person=person, worker=worker, visited_on=today - timedelta(days=days_late + 5),
                     follow_up_needed=True, follow_up_on=today - timedelta(days=days_late))  # fmt: skip
        WatchEntryFactory(person=person, worker=worker, tier="high",
                          started_on=today - timedelta(days=days_late + 60))  # fmt: skip
    assert [reminders.follow_ups_due(), reminders.follow_ups_due(), reminders.follow_ups_due()] == [2, 1, 0]
    assert [reminders.visits_overdue(), reminders.visits_overdue(), reminders.visits_overdue()] == [2, 1, 0]
