"""Background work of the incubation platform: thin, and safe to run twice (notification keys)."""

from celery import shared_task

from . import services


@shared_task
def remind_stuck_in_stage() -> int:
    return services.stuck_in_stage_remind()


@shared_task
def remind_annual_reviews_due() -> int:
    return services.annual_review_due_remind()
