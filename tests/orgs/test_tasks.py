"""Reminders: an organisation stuck in a stage is flagged to its worker once; annual reviews fall due."""

from datetime import date, timedelta

from django.utils import timezone

from orgs import services, tasks
from orgs.models import AnnualReview, CommunityOrg
from station.models import Notification


def _stuck_for(org, days):
    CommunityOrg.objects.filter(pk=org.pk).update(stage_since=timezone.now() - timedelta(days=days))


def test_the_stuck_in_stage_reminder_is_sent_once(org_a, worker):
    CommunityOrg.objects.filter(pk=org_a.pk).update(worker=worker)
    services.incubation_start(org=org_a, actor=worker)
    _stuck_for(org_a, 89)
    assert tasks.remind_stuck_in_stage.delay().get() == 0
    _stuck_for(org_a, 91)
    assert tasks.remind_stuck_in_stage.delay().get() == 1
    assert tasks.remind_stuck_in_stage.delay().get() == 0
    note = Notification.objects.get()
    assert note.recipient == worker and "需求调研" in note.title and "91" in note.title


def test_the_stuck_threshold_is_a_setting(org_a, worker, head, settings):
    settings.ORGS_STUCK_AFTER_DAYS = 30
    services.incubation_start(org=org_a, actor=worker)
    _stuck_for(org_a, 31)
    assert tasks.remind_stuck_in_stage.delay().get() == 1  # no worker named: the station head
    assert Notification.objects.get(title__contains=org_a.name).recipient == head


def test_an_org_that_left_incubation_is_not_flagged(org_a, worker, head):
    services.incubation_start(org=org_a, actor=worker)
    services.incubation_exit(org=org_a, reason="解散", actor=worker)
    _stuck_for(org_a, 200)
    assert tasks.remind_stuck_in_stage.delay().get() == 0


def test_the_annual_review_due_reminder_once_and_not_after_the_review(org_a, worker, head):
    december = date(timezone.localdate().year, 12, 2)
    assert services.annual_review_due_remind(today=december.replace(month=11)) == 0
    assert services.annual_review_due_remind(today=december) == 1  # no worker: the station head
    assert services.annual_review_due_remind(today=december) == 0
    assert Notification.objects.get().recipient == head
    services.annual_review_record(
        review=AnnualReview(org=org_a, year=december.year + 1, committees_satisfaction=90,
                            residents_satisfaction=90, result="passed"),
        actor=worker,
    )  # fmt: skip
    assert services.annual_review_due_remind(today=december.replace(year=december.year + 1)) == 0
