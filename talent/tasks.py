"""Background work, thin: each task calls talent.reminders, whose notification keys make reruns harmless."""

from celery import shared_task

from . import reminders


@shared_task
def exam_reminders() -> int:
    return reminders.exam_reminders()


@shared_task
def ce_reminders() -> int:
    return reminders.ce_reminders()
