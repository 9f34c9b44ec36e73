"""Casework reminders. Each reminder has a unique key, so a task that runs twice sends nothing twice."""

from celery import shared_task

from . import reminders


@shared_task
def remind_follow_ups_due() -> int:
    return reminders.follow_ups_due()


@shared_task
def remind_visits_overdue() -> int:
    return reminders.visits_overdue()


@shared_task
def remind_approvals_waiting() -> int:
    return reminders.approvals_waiting()


@shared_task
def remind_reviews_due() -> int:
    return reminders.reviews_due()
