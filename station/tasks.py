from celery import shared_task

from .models import Notification
from .services import notification_send_email

BATCH = 200


@shared_task
def send_notification_email(notification_id: int) -> bool:
    return notification_send_email(notification_id=notification_id)


@shared_task
def send_pending_notifications() -> int:
    """Catch up on emails whose immediate send was lost (worker down, broker restart)."""
    ids = list(
        Notification.objects.filter(email_sent_at__isnull=True, recipient__email__gt="")
        .order_by("pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    return sum(1 for pk in ids if notification_send_email(notification_id=pk))


# Excel imports too big for a web request (station.import_jobs): a task delivered twice does nothing twice.


@shared_task(acks_late=True)
def import_job_check(job_id: int) -> bool:
    from .import_jobs import job_check

    return job_check(job_id=job_id)


@shared_task(acks_late=True)
def import_job_import(job_id: int) -> bool:
    from .import_jobs import job_import

    return job_import(job_id=job_id)


@shared_task
def import_jobs_sweep() -> int:
    from .import_jobs import jobs_sweep

    return jobs_sweep()
