"""A report more than 14 days late is flagged to the station head once, even when the task is retried."""

from datetime import timedelta
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.utils import timezone

from projects import reminders, tasks
from station.models import Notification

from .factories import MilestoneFactory

pytestmark = pytest.mark.django_db


def test_an_overdue_report_is_flagged_to_the_station_head_once_under_a_retried_task(station, head, worker):
    today = timezone.localdate()
    late = MilestoneFactory(project__station=station, due_on=today - timedelta(days=15))
    MilestoneFactory(project__station=station, due_on=today - timedelta(days=14))  # 14 days: not yet
    real = reminders.notification_create
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            real(**kwargs)
            raise ConnectionError("the broker went away after the notification was written")
        return real(**kwargs)

    with mock.patch.object(reminders, "notification_create", side_effect=flaky):
        with pytest.raises(Retry):  # the first attempt dies half-way and asks to be retried
            tasks.flag_overdue_reports.apply()
        tasks.flag_overdue_reports.apply()  # the retry
    tasks.flag_overdue_reports.apply()  # and the beat runs it again tomorrow
    notes = Notification.objects.filter(recipient=head)
    assert notes.count() == 1
    assert str(late.project.pk) in notes.get().url
    assert not Notification.objects.filter(recipient=worker).exists()
    late.refresh_from_db()
    assert late.flagged_at is not None


def test_a_report_that_came_in_is_not_flagged(station, head):
    today = timezone.localdate()
    MilestoneFactory(project__station=station, due_on=today - timedelta(days=30), reported_on=today)
    assert reminders.flag_overdue_reports() == 0
