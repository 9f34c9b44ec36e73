"""Service records (hours given), their approval, decline and correction, and the certificates of them."""

import secrets
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from station.models import Attendance
from station.services import audit_record_many
from station.signals import records_written

from .. import selectors
from ..models import Certificate, LedgerEntry, ServiceRecord, ServiceRecordEvent, Shift, Volunteer
from .base import CREATE, UPDATE, audit, lock_row, words
from .ledger import earn, ledger_reverse


def record_event(record: ServiceRecord, from_status: str, actor, reason: str = "") -> None:
    """A state of a service record: into its own history and into the audit trail."""
    ServiceRecordEvent.objects.create(
        record=record,
        from_status=from_status,
        to_status=record.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason[:300],
    )
    audit(
        actor=actor,
        target=record,
        action=UPDATE if from_status else CREATE,
        reason=reason,
        status=[from_status, record.status],
        minutes=record.minutes,
        service_date=record.service_date,
    )


def _count_approved(record: ServiceRecord, sign: int) -> None:
    """Move the volunteer's approved minutes (the row the phone pages read) as a record enters (+1) or leaves
    (-1) the approved state, in the caller's transaction."""
    Volunteer.objects.filter(pk=record.volunteer_id).update(
        approved_minutes=F("approved_minutes") + sign * record.minutes
    )


@transaction.atomic
def service_record_backfill(
    *,
    volunteer: Volunteer,
    service_date: date,
    minutes: int,
    description: str,
    actor,
    shift: Shift | None = None,
    source: str = ServiceRecord.Source.BACKFILL,
) -> ServiceRecord:
    """Hours added afterwards by a worker (补录), marked as such; they wait for approval like any others."""
    record = ServiceRecord(
        volunteer=volunteer,
        shift=shift,
        service_date=service_date,
        minutes=minutes,
        description=description,
        status=ServiceRecord.Status.ENTERED,
        source=source,
        entered_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if (
        shift is not None
        and ServiceRecord.objects.filter(ServiceRecord.CURRENT, volunteer=volunteer, shift=shift).exists()
    ):
        raise ValidationError(
            _("%(name)s already has hours for this shift; correct that record instead.")
            % {"name": volunteer.person.name}
        )
    record.full_clean()
    if service_date > timezone.localdate():
        raise ValidationError({"service_date": _("Hours cannot be entered for a day still to come.")})
    if (
        shift is not None
        and shift.volunteer_activity.activity.station_id != volunteer.person.community.station_id
    ):
        raise ValidationError(_("This shift belongs to another station."))
    record.save()
    record_event(record, "", actor, words(record.get_source_display()))
    return record


@transaction.atomic
def service_record_backfill_many(*, records: list[ServiceRecord], actor, source=ServiceRecord.Source.IMPORT):
    """Many back-filled records at once (an import), each already checked; the same marks and history as
    ``service_record_backfill`` (entered, waiting for approval), in a few queries for the batch."""
    today = timezone.localdate()
    entered_by = actor if getattr(actor, "is_authenticated", False) else None
    for record in records:
        if record.service_date > today:
            raise ValidationError({"service_date": _("Hours cannot be entered for a day still to come.")})
        record.status, record.source, record.entered_by = ServiceRecord.Status.ENTERED, source, entered_by
    ServiceRecord.objects.bulk_create(records)
    records_written.send(sender=ServiceRecord, instances=records)
    reason = words(ServiceRecord.Source(source).label)
    ServiceRecordEvent.objects.bulk_create(
        [ServiceRecordEvent(record=r, from_status="", to_status=r.status, actor=entered_by, reason=reason[:300])
         for r in records]
    )  # fmt: skip
    audit_record_many(
        actor=actor,
        action=CREATE,
        targets=records,
        changes=lambda r: {
            "status": ["", r.status],
            "minutes": r.minutes,
            "service_date": r.service_date.isoformat(),
        },
    )
    return records


@transaction.atomic
def service_record_submit(*, record: ServiceRecord, actor) -> ServiceRecord:
    record = lock_row(ServiceRecord, record.pk)
    if record.status != ServiceRecord.Status.ENTERED:
        return record
    record.status = ServiceRecord.Status.PENDING
    record.save(update_fields=["status"])
    record_event(record, ServiceRecord.Status.ENTERED, actor)
    return record


@transaction.atomic
def service_record_approve(*, record: ServiceRecord, actor) -> ServiceRecord:
    """Approve hours: the volunteer earns once, and counts in the activity's attendance."""
    record = lock_row(ServiceRecord.objects.select_related("shift__volunteer_activity__activity"), record.pk)
    if record.status == ServiceRecord.Status.APPROVED:
        earn(record, actor)  # a retried approval still earns exactly once
        return record
    if record.status not in (ServiceRecord.Status.ENTERED, ServiceRecord.Status.PENDING):
        raise ValidationError(
            _("A %(status)s record cannot be approved.") % {"status": record.get_status_display()}
        )
    before = record.status
    record.status = ServiceRecord.Status.APPROVED
    record.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    record.decided_at = timezone.now()
    record.save(update_fields=["status", "decided_by", "decided_at"])
    record_event(record, before, actor)
    earn(record, actor)
    _count_approved(record, +1)
    if record.shift_id:
        Attendance.objects.get_or_create(
            activity_id=record.shift.volunteer_activity.activity_id,
            person_id=Volunteer.objects.values_list("person_id", flat=True).get(pk=record.volunteer_id),
        )
    return record


@transaction.atomic
def service_record_decline(*, record: ServiceRecord, reason: str, actor) -> ServiceRecord:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the hours are declined."))
    record = lock_row(ServiceRecord, record.pk)
    if record.status not in (ServiceRecord.Status.ENTERED, ServiceRecord.Status.PENDING):
        raise ValidationError(
            _("A %(status)s record cannot be declined.") % {"status": record.get_status_display()}
        )
    before = record.status
    record.status = ServiceRecord.Status.DECLINED
    record.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    record.decided_at = timezone.now()
    record.decision_reason = reason[:300]
    record.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    record_event(record, before, actor, reason)
    return record


@transaction.atomic
def service_record_correct(*, record: ServiceRecord, minutes: int, reason: str, actor) -> ServiceRecord:
    """Correct hours: the old record is kept (marked corrected), a new one waits for approval.

    If the old record had earned points, they are reversed by a new ledger entry.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the hours are corrected."))
    record = lock_row(ServiceRecord, record.pk)
    if record.status in (ServiceRecord.Status.CORRECTED, ServiceRecord.Status.DECLINED):
        raise ValidationError(_("Only a current record can be corrected."))
    new = ServiceRecord(
        volunteer_id=record.volunteer_id,
        shift_id=record.shift_id,
        service_date=record.service_date,
        minutes=minutes,
        description=record.description,
        status=ServiceRecord.Status.PENDING,
        source=record.source,
        corrects=record,
        entered_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    new.full_clean(validate_constraints=False)  # the old record stops being current below
    if record.status == ServiceRecord.Status.APPROVED:
        earned = LedgerEntry.objects.filter(service_record=record, kind=LedgerEntry.Kind.EARN).first()
        if earned and not earned.reversals.exists():
            ledger_reverse(entry=earned, reason=reason, actor=actor)
        _count_approved(record, -1)
    before = record.status
    record.status = ServiceRecord.Status.CORRECTED
    record.save(update_fields=["status"])
    record_event(record, before, actor, reason)
    new.save()
    record_event(new, "", actor, reason)
    return new


@transaction.atomic
def certificate_issue(*, volunteer: Volunteer, period_start: date, period_end: date, actor) -> Certificate:
    if period_end < period_start:
        raise ValidationError(_("The period ends before it starts."))
    if period_end > timezone.localdate():
        period_end = timezone.localdate()
    records = selectors.approved_records(volunteer, period_start, period_end)
    minutes = records.aggregate(m=Sum("minutes"))["m"] or 0
    if minutes <= 0:
        raise ValidationError(_("There are no approved hours in this period."))
    summary: dict[str, int] = {}
    for description, mins in records.values_list("description", "minutes"):
        label = description or words(_("volunteer service"))
        summary[label] = summary.get(label, 0) + mins
    station_id = volunteer.person.community.station_id
    number = f"ZYFW{timezone.localdate():%Y}{secrets.token_hex(5).upper()}"
    certificate = Certificate(
        number=number,
        volunteer=volunteer,
        station_id=station_id,
        period_start=period_start,
        period_end=period_end,
        minutes=minutes,
        activities=[{"what": k, "hours": round(v / 60, 1)} for k, v in sorted(summary.items())],
    )
    certificate.full_clean()
    certificate.save()
    audit(
        actor=actor,
        target=certificate,
        action=CREATE,
        period=[period_start, period_end],
        minutes=minutes,
        volunteer=volunteer.pk,
    )
    return certificate
