"""Reminders: the exam's registration window and days to each member once; CE at risk 90 and 30 days before."""

from datetime import date, timedelta

from station.models import Notification
from talent import reminders, tasks

from .factories import CEHoursFactory, ExamYearFactory, certificate_with_registration, make_group


def test_exam_reminders_are_sent_once_per_member_under_a_retried_task(station, person_a, person_b, worker):
    make_group(station, worker, [person_a, person_b])
    ExamYearFactory(year=2026)
    assert reminders.exam_reminders(today=date(2026, 3, 2)) == 2
    assert reminders.exam_reminders(today=date(2026, 3, 2)) == 0  # the retry
    assert reminders.exam_reminders(today=date(2026, 3, 10)) == 0  # the next day
    assert Notification.objects.count() == 2
    assert reminders.exam_reminders(today=date(2026, 6, 10)) == 2  # the exam days: a new event
    titles = sorted(Notification.objects.values_list("title", flat=True))
    assert any("报名" in t for t in titles) and any(person_a.name in t for t in titles)


def test_the_task_runs_eagerly_and_twice_does_nothing_twice(station, person_a, worker, time_machine):
    make_group(station, worker, [person_a])
    ExamYearFactory(year=2026)
    time_machine.move_to("2026-03-05T10:00:00+08:00")
    tasks.exam_reminders.delay()
    tasks.exam_reminders.delay()
    assert Notification.objects.count() == 1


def test_nothing_is_reminded_outside_the_windows(station, person_a, worker):
    make_group(station, worker, [person_a])
    ExamYearFactory(year=2026)
    assert reminders.exam_reminders(today=date(2026, 1, 10)) == 0


def test_ce_reminders_at_90_and_30_days_each_once(station, person_a, worker):
    _cert, registration = certificate_with_registration(person_a, worker, valid_from=date(2024, 3, 1))
    CEHoursFactory(person=person_a, completed_on=date(2025, 1, 1), hours=10)
    expiry = registration.valid_until
    assert reminders.ce_reminders(today=expiry - timedelta(days=120)) == 0
    first = reminders.ce_reminders(today=expiry - timedelta(days=90))
    assert first == 1  # the worker (the head is not a persona here)
    assert reminders.ce_reminders(today=expiry - timedelta(days=60)) == 0
    assert reminders.ce_reminders(today=expiry - timedelta(days=30)) == 1
    assert reminders.ce_reminders(today=expiry - timedelta(days=29)) == 0
    assert Notification.objects.filter(recipient=worker).count() == 2
