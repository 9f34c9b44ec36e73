"""May this user do this? Each function returns None when allowed, or the reason (in Chinese) when not.

The pages and the services ask the same functions, so a rule cannot be skipped by going round a page."""

from django.utils.translation import gettext as _

from station.roles import Role, is_station_staff

DECIDERS = {Role.STATION_HEAD, Role.SUPERVISOR}


def can_score(user, assignment) -> str | None:
    """Whether ``user`` may score this assignment now."""
    judge = assignment.judge
    if not getattr(user, "is_authenticated", False) or judge.user_id != user.pk or not user.is_active:
        return _("This scorecard is not yours.")
    if assignment.declared_at is None or not assignment.conflict:
        return _("Declare any conflict of interest with this applicant before scoring.")
    if assignment.conflict == assignment.Conflict.HARD:
        return _("You declared a hard conflict with this applicant: your score is not taken.")
    if assignment.submitted_at is not None:
        return _("Your scores for this application are already submitted.")
    if assignment.entry.result != assignment.entry.Result.PENDING:
        return _("This round's decision on the application is already made.")
    return None


def can_declare_conflict(user, assignment) -> str | None:
    if assignment.judge.user_id != getattr(user, "pk", None):
        return _("This scorecard is not yours.")
    if assignment.submitted_at is not None:
        return _("Your scores are submitted; the declaration can no longer change.")
    return None


def can_see_other_scores(user, assignment) -> bool:
    """A judge sees the other judges' scores only once they have submitted (or recused themselves)."""
    return assignment.submitted_at is not None or assignment.conflict == assignment.Conflict.HARD


def can_decide(user, entry) -> str | None:
    """Decisions on entries (advance, award, out) are the station head's or a supervisor's."""
    station = entry.round.contest.station_id
    if not is_station_staff(user, station, roles=DECIDERS):
        return _("Only the station head or a supervisor decides on contest entries.")
    return None


def can_release_tranche(user, tranche) -> str | None:
    """Whether ``user`` may approve the release of this tranche now."""
    from .models import Evaluation, Project, Tranche

    project = tranche.project
    if not is_station_staff(user, project.station_id, roles=DECIDERS):
        return _("Only the station head or a supervisor approves a release.")
    if tranche.status == Tranche.Status.RELEASED:
        return _("This tranche is already released.")
    if tranche.status != Tranche.Status.REQUESTED:
        return _("Nobody has asked for this tranche to be released yet.")
    if tranche.requested_by_id == user.pk:
        return _("A release cannot be approved by the person who asked for it.")
    if project.status in (Project.Status.TERMINATED, Project.Status.CLOSED, Project.Status.DRAFT):
        return _("No tranche is released for a project that is %(s)s.") % {"s": project.get_status_display()}
    latest = (
        Evaluation.objects.filter(project_id=project.pk, stage=tranche.after_stage)
        .order_by("-evaluated_on", "-pk")
        .first()
    )
    stage = Evaluation.Stage(tranche.after_stage).label
    if latest is None:
        return _("The %(stage)s has not been held yet; the tranche waits for it.") % {"stage": stage}
    if not latest.passed:
        return _("The %(stage)s did not pass (%(total)s); the tranche is held.") % {
            "stage": stage,
            "total": latest.total,
        }
    return None


def can_manage_projects(user, station_id) -> str | None:
    if not is_station_staff(user, station_id):
        return _("Only the station's staff record projects.")
    return None


def can_approve_project(user, project) -> str | None:
    if not is_station_staff(user, project.station_id, roles=DECIDERS):
        return _("Only the station head or a supervisor approves a project.")
    return None
