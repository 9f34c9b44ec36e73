"""Every casework write that has rules. Views, admin, imports and tasks call these."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from station.models import Activity, Attendance, AuditEvent, Need, Person
from station.roles import Role, is_station_staff
from station.services import audit_record, need_raise

from . import permissions, selectors
from .models import (
    Case,
    CaseAccessLog,
    CaseApproval,
    CaseNote,
    CaseSession,
    Goal,
    Group,
    GroupSession,
    Visit,
    VisitRequest,
    WatchEntry,
)

Stage = Case.Stage
Gate = Case.Gate

# Moves a worker may make without anyone's approval.
FREE_MOVES = {
    (Stage.INTAKE, Stage.ASSESSMENT),
    (Stage.INTERVENTION, Stage.REVIEW),
    (Stage.REVIEW, Stage.INTERVENTION),
}
# Moves that only the supervisor's approval makes, and the step approved.
GATED_MOVES = {
    (Stage.ASSESSMENT, Stage.PLAN): Gate.ASSESSMENT,
    (Stage.PLAN, Stage.INTERVENTION): Gate.PLAN,
    (Stage.REVIEW, Stage.CLOSED): Gate.CLOSURE,
}
GATE_OF_STAGE = {Stage.ASSESSMENT: Gate.ASSESSMENT, Stage.PLAN: Gate.PLAN, Stage.REVIEW: Gate.CLOSURE}
NEXT_AFTER_GATE = {Gate.ASSESSMENT: Stage.PLAN, Gate.PLAN: Stage.INTERVENTION, Gate.CLOSURE: Stage.CLOSED}


# The same visit (person, kind, worker, day, findings) saved again this soon is a double submit.
DOUBLE_SUBMIT_SECONDS = 120


class DuplicateCaseWarning(ValidationError):
    """The person already has an open case; creating another needs an explicit confirmation."""


def _require_person_in_scope(person: Person, actor):
    if not Person.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise PermissionDenied(_("This person is not in your station."))


def lock_in_pk_order(queryset) -> list:
    """Lock the rows of ``queryset`` until the transaction ends, always in primary-key order (and only the
    rows of its own table), so two transactions locking overlapping rows queue instead of deadlocking.
    Every lock casework takes goes through here."""
    return list(queryset.select_for_update(of=("self",)).order_by("pk"))


def _lock_one(queryset):
    """The one row of ``queryset``, locked; DoesNotExist when there is none."""
    rows = lock_in_pk_order(queryset)
    if not rows:
        raise queryset.model.DoesNotExist
    return rows[0]


def _audit_value(value):
    """A value as the audit trail stores it (JSON): records by id, dates in ISO form."""
    if hasattr(value, "_meta"):
        return value.pk
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [_audit_value(v) for v in value]
    return value


def _apply(obj, fields: dict) -> dict:
    """Set on ``obj`` the fields whose value differs; return ``{name: [before, after]}`` for the audit."""
    changes = {}
    for name, value in fields.items():
        before = getattr(obj, name)
        if before != value:
            changes[name] = [_audit_value(before), _audit_value(value)]
            setattr(obj, name, value)
    return changes


def _refuse_unknown(fields: dict, allowed: set):
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )


# ---------------------------------------------------------------- visits and the visit plan


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


# ---------------------------------------------------------------- cases


@transaction.atomic
def case_open(
    *,
    person: Person,
    worker,
    supervisor,
    source: str,
    actor,
    problem_areas: list[str] | None = None,
    risk_level: str = "low",
    opened_on=None,
    source_visit: Visit | None = None,
    confirm_duplicate: bool = False,
) -> Case:
    """Open a case at intake. A second open case for the same person needs ``confirm_duplicate``."""
    _require_person_in_scope(person, actor)
    station_id = person.community.station_id
    if not is_station_staff(actor, station_id):
        raise PermissionDenied(_("Only the station's staff open cases."))
    if not is_station_staff(worker, station_id):
        raise ValidationError({"worker": _("The worker must belong to this person's station.")})
    if not is_station_staff(supervisor, station_id, roles={Role.SUPERVISOR, Role.STATION_HEAD}):
        raise ValidationError({"supervisor": _("Choose a supervisor or the station head of this station.")})
    # One opening per person at a time, so a double-submitted form meets the case the first one opened.
    lock_in_pk_order(Person.objects.filter(pk=person.pk))
    existing = list(selectors.person_open_cases(person).select_related("worker"))
    if existing and not confirm_duplicate:
        raise DuplicateCaseWarning(
            _(
                "%(person)s already has an open case (%(numbers)s, worker %(worker)s). Confirm to open another."
            )
            % {
                "person": person.name,
                "numbers": ", ".join(c.number for c in existing),
                "worker": existing[0].worker.get_full_name() or existing[0].worker.username,
            },
            code="duplicate",
        )
    case = Case(
        person=person,
        station_id=station_id,
        worker=worker,
        supervisor=supervisor,
        source=source,
        source_visit=source_visit,
        problem_areas=list(problem_areas or []),
        risk_level=risk_level,
        opened_on=opened_on or timezone.localdate(),
    )
    case.full_clean()
    case.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=case, changes={"stage": Stage.INTAKE})
    return case


def _lock(case: Case) -> Case:
    return _lock_one(Case.objects.filter(pk=case.pk))


def _require_case_staff(case: Case, actor):
    """The case's worker, its supervisor or the station head."""
    refusal = permissions.case_work_refusal(actor, case)
    if refusal:
        raise PermissionDenied(refusal)


def _require_not_waiting(case: Case):
    if case.pending_gate:
        raise ValidationError(
            _("The case is waiting for the supervisor's approval of the %(gate)s.")
            % {"gate": case.get_pending_gate_display()}
        )


def _set_stage(case: Case, stage: str, actor, reason: str = ""):
    before = case.stage
    case.stage = stage
    if stage == Stage.CLOSED:
        case.closed_on = timezone.localdate()
    if stage == Stage.INTERVENTION and not case.review_due_on:
        case.review_due_on = timezone.localdate() + timedelta(days=settings.CASES_REVIEW_AFTER_DAYS)
    case.full_clean()
    case.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=case,
        reason=reason,
        changes={"stage": [before, stage]},
    )


@transaction.atomic
def case_advance(*, case: Case, to_stage: str, actor) -> Case:
    """Move a case one step that needs no approval. Skips and gated steps are refused with a reason."""
    case = _lock(case)
    _require_case_staff(case, actor)
    _require_not_waiting(case)
    move = (case.stage, to_stage)
    labels = dict(Stage.choices)
    if move in GATED_MOVES:
        raise ValidationError(
            _(
                "Moving from %(from)s to %(to)s needs the supervisor's approval of the %(gate)s: submit it first."
            )
            % {"from": labels[case.stage], "to": labels[to_stage], "gate": Gate(GATED_MOVES[move]).label}
        )
    if move not in FREE_MOVES:
        raise ValidationError(
            _("A case cannot go from %(from)s to %(to)s: steps are taken in order.")
            % {"from": labels.get(case.stage, case.stage), "to": labels.get(to_stage, to_stage)}
        )
    _set_stage(case, to_stage, actor)
    return case


@transaction.atomic
def case_submit(*, case: Case, actor) -> CaseApproval:
    """Ask the supervisor to approve the current step: the assessment, the plan or the closure."""
    case = _lock(case)
    _require_case_staff(case, actor)
    _require_not_waiting(case)
    gate = GATE_OF_STAGE.get(case.stage)
    if gate is None:
        raise ValidationError(_("Nothing at this stage needs the supervisor's approval."))
    if gate == Gate.ASSESSMENT and not case.assessment.strip():
        raise ValidationError(_("Write the assessment before submitting it."))
    if gate == Gate.PLAN:
        if not case.plan_summary.strip():
            raise ValidationError(_("Write the service plan before submitting it."))
        if not case.goals.exists():
            raise ValidationError(_("A plan needs at least one goal."))
    if gate == Gate.CLOSURE and not (case.closing_summary.strip() and case.outcome):
        raise ValidationError(_("Write the closing summary and choose an outcome before asking to close."))
    approval = CaseApproval(case=case, gate=gate, submitted_by=actor)
    approval.full_clean(validate_constraints=False)
    approval.save()
    case.pending_gate = gate
    case.save(update_fields=["pending_gate"])
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, target=case, changes={"pending_gate": ["", gate]}
    )
    return approval


def _pending_approval(case: Case, actor) -> CaseApproval:
    refusal = permissions.case_decide_refusal(actor, case)
    if refusal:
        raise PermissionDenied(refusal)
    pending = lock_in_pk_order(CaseApproval.objects.filter(case=case, decision=CaseApproval.Decision.PENDING))
    approval = pending[0] if pending else None
    if approval is None:
        raise ValidationError(_("Nothing is waiting for approval on this case."))
    return approval


@transaction.atomic
def case_approve(*, case: Case, actor, comment: str = "") -> Case:
    """The supervisor approves the waiting step; the case moves on."""
    case = _lock(case)
    approval = _pending_approval(case, actor)
    if approval.submitted_by_id == actor.pk:  # they may still send it back to withdraw it
        raise PermissionDenied(_("A step cannot be approved by the person who submitted it."))
    approval.decision = CaseApproval.Decision.APPROVED
    approval.decided_by = actor
    approval.decided_at = timezone.now()
    approval.comment = comment.strip()
    approval.save()
    case.pending_gate = ""
    _set_stage(case, NEXT_AFTER_GATE[approval.gate], actor, reason=approval.comment)
    return case


@transaction.atomic
def case_send_back(*, case: Case, actor, comment: str) -> Case:
    """The supervisor sends the step back with a comment; the case stays where it was."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Say what needs changing when sending back."))
    case = _lock(case)
    approval = _pending_approval(case, actor)
    approval.decision = CaseApproval.Decision.SENT_BACK
    approval.decided_by = actor
    approval.decided_at = timezone.now()
    approval.comment = comment
    approval.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=case,
        reason=comment,
        changes={"pending_gate": [case.pending_gate, ""], "sent_back": approval.gate},
    )
    case.pending_gate = ""
    case.save(update_fields=["pending_gate"])
    from station.services import notification_create

    notification_create(
        recipient=case.worker,
        key=f"cases:sent-back:{approval.pk}",
        title=_("%(case)s: %(gate)s sent back") % {"case": case.number, "gate": approval.get_gate_display()},
        body=comment,
        url=f"/cases/{case.pk}/",
    )
    return case


@transaction.atomic
def case_reopen(*, case: Case, actor, reason: str) -> Case:
    """Reopen a closed case; it goes back to assessment."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the case is reopened."))
    case = _lock(case)
    _require_case_staff(case, actor)
    if case.stage != Stage.CLOSED:
        raise ValidationError(_("Only a closed case can be reopened."))
    case.closed_on = None
    case.reopened_count += 1
    case.outcome = ""
    _set_stage(case, Stage.ASSESSMENT, actor, reason=reason)
    CaseNote.objects.create(case=case, author=actor, text=_("Reopened: %(reason)s") % {"reason": reason})
    return case


@transaction.atomic
def case_reassign(*, case: Case, actor, worker=None, supervisor=None) -> Case:
    """Give the case another worker or supervisor: the station head's call, never the worker's own."""
    case = _lock(case)
    refusal = permissions.case_reassign_refusal(actor, case)
    if refusal:
        raise PermissionDenied(refusal)
    worker = worker or case.worker
    supervisor = supervisor or case.supervisor
    if not is_station_staff(worker, case.station_id):
        raise ValidationError({"worker": _("The worker must belong to this person's station.")})
    if not is_station_staff(supervisor, case.station_id, roles={Role.SUPERVISOR, Role.STATION_HEAD}):
        raise ValidationError({"supervisor": _("Choose a supervisor or the station head of this station.")})
    before = [case.worker_id, case.supervisor_id]
    case.worker, case.supervisor = worker, supervisor
    case.full_clean()
    case.save(update_fields=["worker", "supervisor"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=case,
        changes={"worker, supervisor": [before, [worker.pk, supervisor.pk]]},
    )
    return case


CASE_EDITABLE = {"assessment", "plan_summary", "next_follow_up_on", "review_due_on", "closing_summary", "outcome",
                 "risk_level", "problem_areas"}  # fmt: skip
# What was recorded at intake; corrected in the admin.
CASE_INTAKE = {"person", "source", "source_visit", "opened_on"}
# What a waiting step freezes until the supervisor answers.
FROZEN_BY_GATE = {
    Gate.ASSESSMENT: {"assessment"},
    Gate.PLAN: {"plan_summary"},
    Gate.CLOSURE: {"closing_summary", "outcome"},
}


@transaction.atomic
def case_update(*, case: Case, actor, **fields) -> Case:
    """Change a case's working fields (assessment, plan, follow-up date...) or correct its intake."""
    _refuse_unknown(fields, CASE_EDITABLE | CASE_INTAKE)
    case = _lock(case)
    _require_case_staff(case, actor)
    changed = {k: v for k, v in fields.items() if getattr(case, k) != v}
    if case.stage == Stage.CLOSED and set(changed) - {"next_follow_up_on"}:
        raise ValidationError(_("A closed case cannot be changed; reopen it first."))
    if set(changed) & FROZEN_BY_GATE.get(case.pending_gate, set()):
        _require_not_waiting(case)
    if "person" in changed:
        _require_person_in_scope(changed["person"], actor)
        if changed["person"].community.station_id != case.station_id:
            raise ValidationError({"person": _("This person is not in your station.")})
    changes = _apply(case, changed)
    if not changes:
        return case
    case.full_clean()
    case.save()
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=case, changes=changes)
    return case


@transaction.atomic
def case_request_closure(*, case: Case, actor, closing_summary: str, outcome: str) -> CaseApproval:
    """Write the closing summary and the outcome and ask the supervisor to approve the closure, at once."""
    case = _lock(case)
    _require_case_staff(case, actor)
    _require_not_waiting(case)
    if case.stage != Stage.REVIEW:
        raise ValidationError(_("A case is closed from its review: move it to review first."))
    case = case_update(case=case, actor=actor, closing_summary=closing_summary, outcome=outcome)
    return case_submit(case=case, actor=actor)


def _require_plan_open(case: Case, actor):
    _require_case_staff(case, actor)
    if case.pending_gate == Gate.PLAN or case.stage == Stage.CLOSED:
        raise ValidationError(_("The plan cannot change while it waits for approval or after closing."))


@transaction.atomic
def case_change_goal(*, goal: Goal, actor) -> Goal:
    """Save an edited goal (words, target date, status), unless the plan waits or the case is closed."""
    _require_plan_open(_lock(goal.case), actor)
    stored = Goal.objects.get(pk=goal.pk)
    changes = {
        name: [_audit_value(getattr(stored, name)), _audit_value(getattr(goal, name))]
        for name in ("description", "target_date", "status")
        if getattr(stored, name) != getattr(goal, name)
    }
    goal.full_clean()
    goal.save()
    if changes:
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=goal, changes=changes)
    return goal


@transaction.atomic
def case_delete_goal(*, goal: Goal, actor) -> None:
    _require_plan_open(_lock(goal.case), actor)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        target=goal,
        changes={"case": goal.case_id, "description": goal.description},
    )
    goal.delete()


@transaction.atomic
def case_add_goal(*, case: Case, actor, description: str, target_date=None) -> Goal:
    _require_plan_open(case, actor)
    goal = Goal(case=case, description=description, target_date=target_date)
    goal.full_clean()
    goal.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=goal,
        changes={"case": case.pk, "description": description},
    )
    return goal


@transaction.atomic
def case_add_session(
    *, case: Case, actor, content: str, held_on=None, duration_minutes: int = 60
) -> CaseSession:
    _require_case_staff(case, actor)
    if case.stage == Stage.CLOSED:
        raise ValidationError(_("A closed case takes no new sessions; reopen it first."))
    session = CaseSession(
        case=case,
        worker=actor,
        content=content,
        held_on=held_on or timezone.localdate(),
        duration_minutes=duration_minutes,
    )
    session.full_clean()
    session.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=session,
        changes={"case": case.pk, "held_on": _audit_value(session.held_on), "minutes": duration_minutes},
    )
    return session


@transaction.atomic
def case_delete_session(*, session: CaseSession, actor) -> None:
    """Remove a service record entered by mistake, while the case is open."""
    case = _lock(session.case)
    _require_case_staff(case, actor)
    if case.stage == Stage.CLOSED:
        raise ValidationError(_("A closed case cannot be changed; reopen it first."))
    audit_record(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        target=session,
        changes={"case": case.pk, "held_on": _audit_value(session.held_on), "content": session.content[:200]},
    )
    session.delete()


@transaction.atomic
def case_add_note(*, case: Case, actor, text: str) -> CaseNote:
    _require_case_staff(case, actor)
    note = CaseNote(case=case, author=actor, text=text)
    note.full_clean()
    note.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=note, changes={"case": case.pk})
    return note


def case_record_view(*, case: Case, user, where: str = "") -> CaseAccessLog:
    """Log one opening of a case file (who, when)."""
    return CaseAccessLog.objects.create(case=case, user=user, where=where[:20])


# ---------------------------------------------------------------- group work


@transaction.atomic
def group_save(*, group: Group, actor, members=None) -> Group:
    if not is_station_staff(actor, group.station_id):
        raise PermissionDenied(_("You do not belong to this group's station."))
    created = group.pk is None
    group.full_clean()
    group.save()
    changes = {"title": group.title}
    if members is not None:
        outside = [p for p in members if p.community.station_id != group.station_id]
        if outside:
            raise ValidationError(_("Members must live in the station's communities."))
        group.members.set(members)
        changes["members"] = sorted(p.pk for p in members)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        target=group,
        changes=changes,
    )
    return group


@transaction.atomic
def group_session_record(
    *,
    group: Group,
    actor,
    starts_at,
    ends_at,
    attendees=(),
    headcount: int = 0,
    place: str = "",
    title: str = "",
) -> GroupSession:
    """Record a group session as a casework activity in the service ledger, with named attendance."""
    if not is_station_staff(actor, group.station_id):
        raise PermissionDenied(_("You do not belong to this group's station."))
    group = _lock_one(Group.objects.filter(pk=group.pk))
    number = group.sessions.count() + 1
    activity = Activity(
        station_id=group.station_id,
        platform=Activity.Platform.CASEWORK,
        kind="group_session",
        title=title or _("%(group)s, session %(n)d") % {"group": group.title, "n": number},
        community=group.community,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        organiser=actor,
        headcount=headcount,
    )
    activity.full_clean()
    activity.save()
    people = list(attendees)
    if any(p.community.station_id != group.station_id for p in people):
        raise ValidationError(_("Attendees must live in the station's communities."))
    Attendance.objects.bulk_create([Attendance(activity=activity, person=p) for p in people])
    session = GroupSession(group=group, activity=activity, number=number)
    session.full_clean()
    session.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        target=session,
        changes={"group": group.pk, "activity": activity.pk, "named": len(people), "headcount": headcount},
    )
    return session
