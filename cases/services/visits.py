"""Visits, the watch list and urgent visit requests."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from station.models import AuditEvent, Need, Person
from station.roles import is_station_staff
from station.services import audit_record, audit_record_many, need_raise
from station.signals import records_written

from ..models import Visit, VisitRequest, WatchEntry
from ._common import (
    _apply,
    _audit_value,
    _lock_one,
    _refuse_unknown,
    _require_person_in_scope,
    lock_in_pk_order,
)

# The same visit (person, kind, worker, day, findings) saved again this soon is a double submit.
DOUBLE_SUBMIT_SECONDS = 120


@transaction.atomic
def visit_record(
    *,
    person: Person,
    kind: str,
    actor,
    worker=None,
    visited_on=None,
    duration_minutes: int = 0,
    findings: str = "",
    risk: str = "none",
    follow_up_on=None,
    household: bool = False,
    needs: list[dict] | None = None,
) -> Visit:
    """Record a phone or home visit, answer any urgent request it meets, and raise the needs it found."""
    _require_person_in_scope(person, actor)
    worker = worker or actor
    if not is_station_staff(worker, person.community.station_id):
        raise ValidationError({"worker": _("The worker must belong to this person's station.")})
    # A save tapped twice on a slow phone network is one visit: lock the person, look for the twin.
    lock_in_pk_order(Person.objects.filter(pk=person.pk))
    twin = Visit.objects.filter(
        person=person,
        kind=kind,
        worker=worker,
        visited_on=visited_on or timezone.localdate(),
        findings=findings or "",
        created_at__gte=timezone.now() - timedelta(seconds=DOUBLE_SUBMIT_SECONDS),
    ).first()
    if twin is not None:
        return twin
    visit = Visit(
        person=person,
        kind=kind,
        worker=worker,
        visited_on=visited_on or timezone.localdate(),
        duration_minutes=duration_minutes or 0,
        findings=findings or "",
        risk=risk or "none",
        follow_up_on=follow_up_on,
        follow_up_needed=bool(follow_up_on),
        household=household,
    )
    visit.full_clean()
    visit.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=visit,
        changes={"kind": kind, "worker": worker.pk, "visited_on": _audit_value(visit.visited_on)},
    )
    # A home visit answers any urgent request; a phone call only a request for a phone call.
    answered = [Visit.Kind.HOME, Visit.Kind.PHONE] if kind == Visit.Kind.HOME else [kind]
    VisitRequest.objects.filter(
        person=person, visit__isnull=True, requested_at__date__lte=visit.visited_on, kind__in=answered
    ).update(visit=visit)
    for need in needs or []:
        need_raise(
            person=person,
            category=need["category"],
            description=need["description"],
            urgency=need.get("urgency") or Need.Urgency.NORMAL,
            source=Need.Source.VISIT,
            source_ref=f"visit:{visit.pk}",
            actor=actor,
        )
    return visit


def visit_check_many(*, visits: list[Visit], actor) -> None:
    """The rules ``visit_record_many`` applies to a batch beyond each visit's own ``full_clean`` (people in
    scope, a worker of their station), without writing: an import's check runs them on every batch."""
    person_ids = {visit.person_id for visit in visits}
    if Person.objects.visible_to(actor).filter(pk__in=person_ids).count() != len(person_ids):
        raise PermissionDenied(_("This person is not in your station."))
    staff_of = {}
    for visit in visits:
        visit.worker = visit.worker or actor
        station_id = visit.person.community.station_id
        key = (visit.worker.pk, station_id)
        if key not in staff_of:
            staff_of[key] = is_station_staff(visit.worker, station_id)
        if not staff_of[key]:
            raise ValidationError({"worker": _("The worker must belong to this person's station.")})


@transaction.atomic
def visit_record_many(*, visits: list[Visit], actor) -> list[Visit]:
    """Record many visits at once (an imported visit log), each already checked with ``full_clean``: the
    same rules as ``visit_record`` (people in scope, a worker of their station, urgent requests answered),
    in a few queries for the whole batch. No double-submit twin is looked for: a file's repeated rows are
    refused by the import itself."""
    visit_check_many(visits=visits, actor=actor)
    person_ids = {visit.person_id for visit in visits}
    for visit in visits:
        visit.visited_on = visit.visited_on or timezone.localdate()
        visit.follow_up_needed = bool(visit.follow_up_on)
    Visit.objects.bulk_create(visits)
    records_written.send(sender=Visit, instances=visits)
    audit_record_many(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        targets=visits,
        changes=lambda v: {"kind": v.kind, "worker": v.worker.pk, "visited_on": _audit_value(v.visited_on)},
    )
    # Each open urgent request is answered by the first visit of this batch that answers it.
    open_requests = VisitRequest.objects.filter(person_id__in=person_ids, visit__isnull=True)
    by_person = {}
    for visit in sorted(visits, key=lambda v: (v.visited_on, v.pk)):
        by_person.setdefault(visit.person_id, []).append(visit)
    for request in open_requests.order_by("pk"):
        requested_on = timezone.localdate(request.requested_at)
        for visit in by_person.get(request.person_id, []):
            answers = [Visit.Kind.HOME, Visit.Kind.PHONE] if visit.kind == Visit.Kind.HOME else [visit.kind]
            if request.kind in answers and requested_on <= visit.visited_on:
                VisitRequest.objects.filter(pk=request.pk, visit__isnull=True).update(visit=visit)
                break
    return visits


VISIT_EDITABLE = {"person", "household", "kind", "worker", "visited_on", "duration_minutes", "findings", "risk",
                  "follow_up_on"}  # fmt: skip


@transaction.atomic
def visit_update(*, visit: Visit, actor, **fields) -> Visit:
    """Correct a recorded visit; the follow-up flag follows the follow-up date."""
    _refuse_unknown(fields, VISIT_EDITABLE)
    visit = _lock_one(Visit.objects.select_related("person__community").filter(pk=visit.pk))
    _require_person_in_scope(visit.person, actor)
    if "person" in fields:
        _require_person_in_scope(fields["person"], actor)
    changes = _apply(visit, fields)
    if not changes:
        return visit
    if not is_station_staff(visit.worker, visit.person.community.station_id):
        raise ValidationError({"worker": _("The worker must belong to this person's station.")})
    visit.follow_up_needed = bool(visit.follow_up_on)
    visit.full_clean()
    visit.save()
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=visit, changes=changes)
    return visit


@transaction.atomic
def watch_entry_set(
    *, person: Person, tier: str, worker, actor, reason: str = "", started_on=None
) -> WatchEntry:
    """Put a person under watch, or change their tier (the old entry ends, a new one starts)."""
    _require_person_in_scope(person, actor)
    if not is_station_staff(actor, person.community.station_id):
        raise PermissionDenied(_("Only the station's staff keep the watch list."))
    if not is_station_staff(worker, person.community.station_id):
        raise ValidationError({"worker": _("The worker must belong to this person's station.")})
    today = started_on or timezone.localdate()
    open_entries = lock_in_pk_order(WatchEntry.objects.filter(person=person, ended_on__isnull=True))
    current = open_entries[0] if open_entries else None
    if current and current.tier == tier and current.worker_id == worker.pk:
        return current
    if current and current.started_on >= today:
        # Corrected on the day it was set: change the entry itself, so no two entries are open on one day.
        changes = _apply(
            current, {"tier": tier, "worker": worker, "reason": reason or current.reason, "started_on": today}
        )
        current.full_clean(validate_constraints=False)
        current.save(update_fields=["tier", "worker", "reason", "started_on"])
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=current, changes=changes)
        return current
    if current:
        changes = _apply(current, {"ended_on": today - timedelta(days=1)})
        current.save(update_fields=["ended_on"])
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=current, changes=changes)
    entry = WatchEntry(person=person, tier=tier, worker=worker, reason=reason, started_on=today)
    entry.full_clean(validate_constraints=False)
    entry.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=entry,
        changes={"tier": tier, "worker": worker.pk, "started_on": today.isoformat()},
    )
    return entry


WATCH_EDITABLE = {"person", "tier", "reason", "worker", "started_on", "ended_on"}


@transaction.atomic
def watch_entry_update(*, entry: WatchEntry, actor, **fields) -> WatchEntry:
    """Correct a watch entry in place (a change of tier from today on is ``watch_entry_set``)."""
    _refuse_unknown(fields, WATCH_EDITABLE)
    entry = _lock_one(WatchEntry.objects.select_related("person__community").filter(pk=entry.pk))
    _require_person_in_scope(entry.person, actor)
    if "person" in fields:
        _require_person_in_scope(fields["person"], actor)
    if not is_station_staff(actor, entry.person.community.station_id):
        raise PermissionDenied(_("Only the station's staff keep the watch list."))
    changes = _apply(entry, fields)
    if not changes:
        return entry
    if not is_station_staff(entry.worker, entry.person.community.station_id):
        raise ValidationError({"worker": _("The worker must belong to this person's station.")})
    entry.full_clean()
    entry.save()
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=entry, changes=changes)
    return entry


@transaction.atomic
def watch_entry_end(*, entry: WatchEntry, actor, ended_on=None) -> WatchEntry:
    _require_person_in_scope(entry.person, actor)
    changes = _apply(entry, {"ended_on": ended_on or timezone.localdate()})
    entry.full_clean()
    entry.save(update_fields=["ended_on"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=entry, changes=changes)
    return entry


@transaction.atomic
def visit_request_create(
    *, person: Person, event: str, assigned_to, actor, kind: str = "home"
) -> VisitRequest:
    """Ask for a visit within 24 hours after an event; the assigned worker is told at once."""
    from station.services import notification_create

    _require_person_in_scope(person, actor)
    if not is_station_staff(assigned_to, person.community.station_id):
        raise ValidationError({"assigned_to": _("The worker must belong to this person's station.")})
    request = VisitRequest(person=person, event=event, kind=kind, assigned_to=assigned_to, requested_by=actor)
    request.requested_at = timezone.now()
    request.due_at = request.requested_at + timedelta(hours=settings.CASES_URGENT_VISIT_HOURS)
    request.full_clean()
    request.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=request,
        changes={"event": event, "kind": kind, "assigned_to": assigned_to.pk},
    )
    notification_create(
        recipient=assigned_to,
        key=f"cases:visit-request:{request.pk}",
        title=_("Urgent visit: %(person)s") % {"person": person.name},
        body=_("%(event)s. Please visit before %(due)s.")
        % {"event": event, "due": timezone.localtime(request.due_at).strftime("%Y-%m-%d %H:%M")},
        url="/cases/overdue/",
    )
    return request


VISIT_REQUEST_EDITABLE = {"person", "event", "kind", "assigned_to"}


@transaction.atomic
def visit_request_update(*, visit_request: VisitRequest, actor, **fields) -> VisitRequest:
    """Correct a visit request (who, what happened, which kind, who goes); its deadline stays."""
    _refuse_unknown(fields, VISIT_REQUEST_EDITABLE)
    visit_request = _lock_one(
        VisitRequest.objects.select_related("person__community").filter(pk=visit_request.pk)
    )
    _require_person_in_scope(visit_request.person, actor)
    if "person" in fields:
        _require_person_in_scope(fields["person"], actor)
    changes = _apply(visit_request, fields)
    if not changes:
        return visit_request
    if not is_station_staff(visit_request.assigned_to, visit_request.person.community.station_id):
        raise ValidationError({"assigned_to": _("The worker must belong to this person's station.")})
    visit_request.full_clean()
    visit_request.save()
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=visit_request, changes=changes)
    return visit_request
