"""The project platform's pages: the project page (money, goods, milestones, outcomes, people at once), the
printable funder report, a contest's results, and the judges' phone pages."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from station.models import Rubric
from station.roles import is_station_staff
from station.selectors import rubric_list_visible_to

from . import permissions, selectors, services
from .forms import ConflictForm, EvaluationForm, MoveForm, ScoreForm
from .models import Assignment, Entry, Project


def _errors(exc) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


@login_required
def project_list(request):
    projects = (
        selectors.project_list_visible_to(request.user)
        .select_related("lead_worker", "runner_partner")
        .prefetch_related("communities")
        .order_by("status", "-pk")[:300]
    )
    return render(request, "projects/project_list.html", {"projects": projects})


def _project_context(request, project):
    milestones = list(project.milestones.all())
    today = timezone.localdate()
    for m in milestones:
        m.late_days = m.days_overdue(today)
    return {
        "project": project,
        "money": selectors.money_summary(project),
        "people": selectors.beneficiaries(project),
        "outcomes": selectors.outcome_rows(project),
        "milestones": milestones,
        "budget_lines": list(project.budget_lines.all()),
        "resources": list(project.resources.select_related("partner").order_by("on", "pk")),
        "evaluations": list(project.evaluations.select_related("evaluator")),
        "tranches": list(project.tranches.select_related("approved_by", "requested_by")),
        "activities": list(
            project.activities.select_related("activity").order_by("-activity__starts_at")[:50]
        ),
        "today": today,
    }


@login_required
def project_detail(request, pk):
    project = selectors.project_get_for_user(request.user, pk)
    staff = is_station_staff(request.user, project.station_id)
    context = _project_context(request, project)
    moves = [
        (to, label)
        for to, label in Project.Status.choices
        if (project.status, to) in services.TRANSITIONS
        or (to == Project.Status.TERMINATED and project.status in services.TERMINABLE)
    ]
    context.update({"staff": staff, "moves": moves if staff else [], "move_form": MoveForm()})
    return render(request, "projects/project_detail.html", context)


@login_required
def funder_report(request, pk):
    """The report a funder asks for: money and goods received, spent, beneficiaries and outcomes; printable."""
    project = selectors.project_get_for_user(request.user, pk)
    if not is_station_staff(request.user, project.station_id):
        raise Http404
    return render(request, "projects/funder_report.html", _project_context(request, project))


@login_required
@require_POST
def project_move(request, pk):
    project = selectors.project_get_for_user(request.user, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
        return redirect("projects:project_detail", pk=pk)
    try:
        services.project_move(
            project=project,
            to=form.cleaned_data["to"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
            amount_recovered=form.cleaned_data["amount_recovered"],
        )
        messages.success(request, _("The project's status is changed."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
    return redirect("projects:project_detail", pk=pk)


@login_required
def project_evaluate(request, pk):
    """Score an evaluation (立项 / 中期 / 终期) criterion by criterion on an evaluation rubric."""
    project = selectors.project_get_for_user(request.user, pk)
    if not is_station_staff(request.user, project.station_id):
        raise Http404
    rubrics = rubric_list_visible_to(request.user).filter(purpose=Rubric.Purpose.EVALUATION, is_template=True)
    rubric = None
    rubric_id = request.GET.get("rubric") or request.POST.get("rubric")
    if rubric_id:
        if not str(rubric_id).isdigit():
            raise Http404
        rubric = get_object_or_404(rubrics, pk=rubric_id)
    elif len(rubrics) == 1:
        rubric = rubrics[0]
    form = None
    if rubric is not None:
        form = EvaluationForm(rubric.criteria.all(), request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.evaluation_record(
                    project=project,
                    stage=form.cleaned_data["stage"],
                    rubric=rubric,
                    scores=form.scores(),
                    actor=request.user,
                    comment=form.cleaned_data["comment"],
                )
                messages.success(request, _("The evaluation is recorded."))
                return redirect("projects:project_detail", pk=pk)
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, _errors(exc))
    return render(
        request,
        "projects/evaluate.html",
        {"project": project, "rubrics": rubrics, "rubric": rubric, "form": form},
    )


@login_required
def contest_results(request, pk):
    """Every number traceable: each judge's total, whether it counts and why, the mean, the rank, the decision."""
    contest = get_object_or_404(selectors.contest_list_visible_to(request.user), pk=pk)
    rounds = []
    assignments = {}
    for a in (
        Assignment.objects.filter(entry__round__contest=contest)
        .select_related("judge")
        .order_by("judge__name", "pk")
    ):
        assignments.setdefault(a.entry_id, []).append(a)
    entries = (
        Entry.objects.filter(round__contest=contest)
        .select_related("application", "round", "prize", "decided_by")
        .order_by("round__order", "rank", "pk")
    )
    by_round = {}
    for entry in entries:
        tally = services.entry_tally(entry, assignments.get(entry.pk, []))
        by_round.setdefault(entry.round, []).append({"entry": entry, **tally})
    for contest_round in contest.rounds.order_by("order"):
        rounds.append({"round": contest_round, "rows": by_round.get(contest_round, [])})
    awarded = sum((e.award_amount or 0) for e in entries if e.result == Entry.Result.AWARDED)
    return render(
        request,
        "projects/contest_results.html",
        {"contest": contest, "rounds": rounds, "awarded": awarded, "left": contest.budget - awarded},
    )


# ---------------------------------------------------------------- judges


def judge_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        judge = selectors.judge_of(request.user)
        if judge is None:
            return redirect(f"{reverse('projects:judge_login')}?next={request.get_full_path()}")
        request.judge = judge
        return view(request, *args, **kwargs)

    return wrapper


@never_cache
@judge_required
def judge_home(request):
    assignments = list(selectors.assignment_list_for_judge(request.judge))
    return render(request, "projects/judge_home.html", {"judge": request.judge, "assignments": assignments})


@never_cache
@judge_required
def judge_score(request, round_id, application_id):
    assignment = selectors.assignment_get_for_judge(request.judge, round_id, application_id)
    entry = assignment.entry
    criteria = list(entry.round.rubric.criteria.all()) if entry.round.rubric_id else []
    conflict_form = ConflictForm(
        request.POST if request.POST.get("step") == "conflict" else None,
        initial={"conflict": assignment.conflict or None, "note": assignment.conflict_note},
    )
    score_form = ScoreForm(criteria, request.POST if request.POST.get("step") == "score" else None)
    if request.method == "POST":
        try:
            if request.POST.get("step") == "conflict" and conflict_form.is_valid():
                services.conflict_declare(
                    assignment=assignment,
                    conflict=conflict_form.cleaned_data["conflict"],
                    note=conflict_form.cleaned_data["note"],
                    actor=request.user,
                )
                messages.success(request, _("Your declaration is recorded."))
                return redirect(request.path)
            if request.POST.get("step") == "score" and score_form.is_valid():
                services.scorecard_submit(
                    assignment=assignment, scores=score_form.scores(), actor=request.user
                )
                messages.success(request, _("Your scores are submitted."))
                return redirect(request.path)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _errors(exc))
    others = []
    if permissions.can_see_other_scores(request.user, assignment):
        others = list(
            Assignment.objects.filter(entry=entry)
            .exclude(pk=assignment.pk)
            .select_related("judge")
            .order_by("pk")
        )
    return render(
        request,
        "projects/judge_score.html",
        {
            "judge": request.judge,
            "assignment": assignment,
            "entry": entry,
            "application": entry.application,
            "conflict_form": conflict_form,
            "score_form": score_form,
            "score_refused": permissions.can_score(request.user, assignment),
            "others": others,
            "my_scores": list(assignment.scores.select_related("criterion").order_by("criterion__order")),
        },
    )
