"""Background work of the project platform: thin tasks over projects.reminders."""

from celery import shared_task

from . import reminders


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def flag_overdue_reports() -> int:
    return reminders.flag_overdue_reports()
