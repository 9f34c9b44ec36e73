"""What each user may read of the project platform. Every page, admin list and export loads through these."""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from station.models import Attendance, PartnerUnit
from station.roles import STATION_STAFF_ROLES, Role, profile_of

from .models import (
    Application,
    Assignment,
    Beneficiary,
    Contest,
    Entry,
    Judge,
    Milestone,
    Outcome,
    Project,
    ProjectActivity,
    Resource,
)


def _superuser(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active)


def _station_q(user, field: str) -> Q | None:
    """Station staff: their station's rows; others nothing (None = everything, for a superuser)."""
    if _superuser(user):
        return None
    profile = profile_of(user)
    if profile is None or profile.role not in STATION_STAFF_ROLES or not profile.station_id:
        return Q(pk__in=[])
    return Q(**{field: profile.station_id})


def project_list_visible_to(user, queryset: QuerySet[Project] | None = None) -> QuerySet[Project]:
    """Station staff see their station's projects; a cadre their communities' projects (read-only)."""
    qs = Project.objects.all() if queryset is None else queryset
    if _superuser(user):
        return qs
    profile = profile_of(user)
    if profile is not None and profile.role == Role.CADRE:
        return qs.filter(
            pk__in=Project.objects.filter(communities__in=profile.communities.all()).values("pk")
        )
    return qs.filter(_station_q(user, "station_id"))


def project_get_for_user(user, pk) -> Project:
    qs = (
        project_list_visible_to(user)
        .select_related("station", "lead_worker", "runner_partner", "introduced_from")
        .prefetch_related("communities")
    )
    return get_object_or_404(qs, pk=pk)


def _by_project(model, user, queryset=None):
    qs = model.objects.all() if queryset is None else queryset
    return qs.filter(project__in=project_list_visible_to(user))


def milestone_list_visible_to(user, queryset=None) -> QuerySet[Milestone]:
    return _by_project(Milestone, user, queryset)


def outcome_list_visible_to(user, queryset=None) -> QuerySet[Outcome]:
    return _by_project(Outcome, user, queryset)


def project_activity_list_visible_to(user, queryset=None) -> QuerySet[ProjectActivity]:
    return _by_project(ProjectActivity, user, queryset)


def beneficiary_list_visible_to(user, queryset=None) -> QuerySet[Beneficiary]:
    """Named people at the projects' activities, for whoever sees the project."""
    qs = Beneficiary.objects.all() if queryset is None else queryset
    return qs.filter(activity__project_link__project__in=project_list_visible_to(user))


def resource_list_visible_to(user, queryset=None) -> QuerySet[Resource]:
    """Resources are the station staff's (a cadre sees the platform's figures, not the ledger)."""
    qs = Resource.objects.all() if queryset is None else queryset
    q = _station_q(user, "station_id")
    return qs if q is None else qs.filter(q)


def station_scoped(model, user, field: str, queryset=None):
    """Rows of ``model`` whose station (through ``field``) is the user's, for station staff only."""
    qs = model.objects.all() if queryset is None else queryset
    q = _station_q(user, field)
    return qs if q is None else qs.filter(q)


def contest_list_visible_to(user, queryset=None) -> QuerySet[Contest]:
    return station_scoped(Contest, user, "station_id", queryset)


def project_list_for_runner(obj) -> QuerySet[Project]:
    """The projects a partner unit or a community organisation (any model) runs: for their own pages."""
    if isinstance(obj, PartnerUnit):
        return Project.objects.filter(runner_partner=obj)
    return Project.objects.filter(runner_type=ContentType.objects.get_for_model(obj), runner_id=obj.pk)


def overdue_milestones(queryset=None, today=None) -> QuerySet[Milestone]:
    """Milestones whose report is not in by its date (computed from the dates, never stored)."""
    today = today or timezone.localdate()
    qs = Milestone.objects.all() if queryset is None else queryset
    return qs.filter(reported_on__isnull=True, due_on__lt=today)


# ---------------------------------------------------------------- what a project achieved


def _project_attendance(project_ids):
    return Attendance.objects.filter(
        activity__project_link__project_id__in=project_ids,
        activity__project_link__kind=ProjectActivity.Kind.SERVICE,
        activity__platform="projects",
    )


def beneficiaries(project: Project) -> dict:
    """People (人, each named person once however many activities) and services (人次, named attendance
    plus anonymous head-counts), with the people by residency."""
    service = project.activities.filter(kind=ProjectActivity.Kind.SERVICE, activity__platform="projects")
    attendance = _project_attendance([project.pk])
    headcount = service.aggregate(h=Sum("activity__headcount"))["h"] or 0
    by_residency = dict(
        attendance.order_by()
        .values("person__residency")
        .annotate(n=Count("person", distinct=True))
        .values_list("person__residency", "n")
    )
    return {
        "activities": service.count(),
        "people": attendance.values("person_id").distinct().count(),
        "person_times": attendance.count() + headcount,
        "anonymous": headcount,
        "by_residency": by_residency,
    }


def outcome_rows(project: Project) -> list[dict]:
    """Each outcome with its target, what was achieved (counted from the activities where the measure says
    so) and the share of the target reached."""
    figures = None
    rows = []
    for outcome in project.outcomes.all():
        if outcome.measure == Outcome.Measure.TYPED:
            achieved = outcome.achieved_typed
        else:
            figures = figures or beneficiaries(project)
            achieved = Decimal(
                {
                    Outcome.Measure.ACTIVITIES: figures["activities"],
                    Outcome.Measure.PERSON_TIMES: figures["person_times"],
                    Outcome.Measure.PEOPLE: figures["people"],
                }[outcome.measure]
            )
        percent = None
        if achieved is not None:
            percent = int((achieved * 100 / outcome.target).to_integral_value())
        rows.append({"outcome": outcome, "achieved": achieved, "percent": percent})
    return rows


def money_summary(project: Project) -> dict:
    """Money and goods received and given out, the budget planned and spent, the tranches released."""
    resources = (
        project.resources.order_by().values("direction", "kind").annotate(v=Sum("amount"), n=Count("pk"))
    )
    figures = {(r["direction"], r["kind"]): r for r in resources}

    def value(direction, kind):
        return (figures.get((direction, kind)) or {}).get("v") or Decimal(0)

    budget = project.budget_lines.aggregate(p=Sum("planned"), s=Sum("spent"))
    tranches = project.tranches.aggregate(
        planned=Sum("amount"), released=Sum("amount", filter=Q(status="released"))
    )
    return {
        "money_in": value("in", "money"),
        "goods_in": value("in", "goods"),
        "money_out": value("out", "money"),
        "goods_out": value("out", "goods"),
        "resources_in": sum(r["n"] for r in resources if r["direction"] == "in"),
        "planned": budget["p"] or Decimal(0),
        "spent": budget["s"] or Decimal(0),
        "tranches_planned": tranches["planned"] or Decimal(0),
        "tranches_released": tranches["released"] or Decimal(0),
    }


# ---------------------------------------------------------------- judges


def judge_of(user) -> Judge | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return Judge.objects.filter(user=user).first()


def assignment_list_for_judge(judge: Judge) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(judge=judge)
        .select_related("entry__round__contest", "entry__application")
        .order_by("entry__round__contest", "entry__round__order", "entry__application__pk")
    )


def assignment_get_for_judge(judge: Judge, round_id, application_id) -> Assignment:
    """The judge's assignment on this application in this round, or 404: another round's or another
    contest's application does not exist for them."""
    return get_object_or_404(
        assignment_list_for_judge(judge).select_related("entry__round__rubric"),
        entry__round_id=round_id,
        entry__application_id=application_id,
    )


def application_list_visible_to(user, queryset=None) -> QuerySet[Application]:
    return station_scoped(Application, user, "contest__station_id", queryset)


def entry_list_visible_to(user, queryset=None) -> QuerySet[Entry]:
    return station_scoped(Entry, user, "round__contest__station_id", queryset)
