"""Case files: opening, the stages and their approvals, working fields, goals, service records, notes."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from station.models import AuditEvent, Person
from station.roles import Role, is_station_staff
from station.services import audit_record

from .. import permissions, selectors
from ..models import Case, CaseAccessLog, CaseApproval, CaseNote, CaseSession, Goal, Visit
from ._common import (
    _apply,
    _audit_value,
    _lock_one,
    _refuse_unknown,
    _require_person_in_scope,
    lock_in_pk_order,
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


class DuplicateCaseWarning(ValidationError):
    """The person already has an open case; creating another needs an explicit confirmation."""


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
