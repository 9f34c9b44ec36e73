"""Every write in the station core that has rules. Views, admin, imports and tasks call these."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AuditEvent, Notification, Person

# Fields never written into the audit trail in clear.
SECRET_FIELDS = {"id_number"}


def audit_record(*, actor, action: str, target, reason: str = "", changes: dict | None = None) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label if hasattr(target, "_meta") else str(target),
        target_id=str(getattr(target, "pk", "") or ""),
        target_repr=str(target)[:200],
        reason=reason[:300],
        changes=changes or {},
    )


def _person_snapshot(person: Person) -> dict:
    data = model_to_dict(person, exclude=["id"])
    return {
        k: ("***" if k in SECRET_FIELDS and v else str(v) if v is not None else "") for k, v in data.items()
    }


def person_diff(before: dict, after: dict) -> dict:
    return {k: [before.get(k, ""), v] for k, v in after.items() if before.get(k, "") != v}


@transaction.atomic
def person_save(*, person: Person, actor, before: dict | None = None) -> Person:
    """Create or update a person after validation, writing the change into the audit trail."""
    creating = person.pk is None
    if before is None and not creating:
        before = _person_snapshot(Person.objects.get(pk=person.pk))
    person.full_clean()
    person.save()
    after = _person_snapshot(person)
    if creating:
        audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=person, changes=after)
    else:
        changes = person_diff(before or {}, after)
        if changes:
            audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=person, changes=changes)
    return person


def person_snapshot(person: Person) -> dict:
    return _person_snapshot(person)


@transaction.atomic
def person_reveal_id_number(*, person: Person, actor, reason: str) -> str:
    """The full ID number, for someone allowed to see it who says why; logged every time."""
    if not actor.has_perm("station.reveal_id_number"):
        raise PermissionDenied(_("You are not allowed to see full ID numbers."))
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError(_("Say why you need the full ID number (at least 4 characters)."))
    audit_record(actor=actor, action=AuditEvent.Action.REVEAL, target=person, reason=reason)
    return person.id_number


def notification_create(
    *, recipient, key: str, title: str, body: str = "", url: str = ""
) -> Notification | None:
    """Make a reminder once. Returns the new notification, or None when the key already exists."""
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            key=key[:200], defaults={"recipient": recipient, "title": title[:200], "body": body, "url": url}
        )
    if not created:
        return None
    if recipient.email:
        from .tasks import send_notification_email

        transaction.on_commit(lambda: send_notification_email.delay(notification.pk))
    return notification


def notification_send_email(*, notification_id: int) -> bool:
    """Email one notification at most once: claim the row first, act only if the claim won."""
    claimed = Notification.objects.filter(pk=notification_id, email_sent_at__isnull=True).update(
        email_sent_at=timezone.now()
    )
    if claimed != 1:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    if not notification.recipient.email:
        return False
    try:
        send_mail(
            subject=notification.title,
            message=notification.body or notification.title,
            from_email=None,
            recipient_list=[notification.recipient.email],
        )
    except Exception:
        Notification.objects.filter(pk=notification_id).update(email_sent_at=None)
        raise
    return True


def notification_mark_read(*, user, notification_ids=None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())
