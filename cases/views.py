from collections import defaultdict
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from station.periods import month_period
from station.roles import STATION_STAFF_ROLES, profile_of
from station.selectors import community_list_visible_to, person_list_visible_to

from . import plan, selectors, services
from .forms import (
    CaseFieldsForm,
    CaseSessionForm,
    GoalForm,
    GroupSessionForm,
    MonthForm,
    NeedLineFormSet,
    NoteForm,
    QuickVisitForm,
)
from .models import Case


def _require_station_staff(user):
    profile = profile_of(user)
    if not (user.is_superuser or (profile and profile.role in STATION_STAFF_ROLES)):
        raise Http404


def _errors(exc) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


@login_required
def case_list(request):
    """Cases the user may open; everyone with a scope also sees the counts by stage (a cadre only those)."""
    cases = (
        selectors.case_list_visible_to(request.user)
        .select_related("person__community", "worker", "supervisor")
        .order_by("-opened_on", "-pk")[:200]
    )
    labels = dict(Case.Stage.choices)
    counts = [
        (labels[row["stage"]], row["n"])
        for row in selectors.case_counts_for(request.user).annotate(n=Count("pk")).order_by("stage")
    ]
    return render(request, "cases/case_list.html", {"cases": cases, "counts": counts})


@login_required
def case_detail(request, pk):
    case = selectors.case_get_for_user(request.user, pk)
    services.case_record_view(case=case, user=request.user, where="page")
    user = request.user
    moves = [
        (to, Case.Stage(to).label) for (frm, to) in sorted(services.FREE_MOVES) if frm == case.stage
    ] if not case.pending_gate else []  # fmt: skip
    context = {
        "case": case,
        "goals": case.goals.all(),
        "sessions": case.sessions.select_related("worker"),
        "notes": case.notes.select_related("author"),
        "approvals": case.approvals.select_related("submitted_by", "decided_by"),
        "moves": moves,
        "can_submit": case.stage in services.GATE_OF_STAGE and not case.pending_gate,
        "can_decide": bool(case.pending_gate) and (user.pk == case.supervisor_id or user.is_superuser),
        "fields_form": CaseFieldsForm(
            initial={
                "assessment": case.assessment,
                "plan_summary": case.plan_summary,
                "next_follow_up_on": case.next_follow_up_on,
                "closing_summary": case.closing_summary,
                "outcome": case.outcome,
            }
        ),
        "session_form": CaseSessionForm(),
        "goal_form": GoalForm(),
        "note_form": NoteForm(),
    }
    return render(request, "cases/case_detail.html", context)


@login_required
@require_POST
def case_act(request, pk):
    """One step on a case: every button on the case file posts here and calls one service."""
    case = selectors.case_get_for_user(request.user, pk)
    action = request.POST.get("action", "")
    actor = request.user
    try:
        if action == "advance":
            services.case_advance(case=case, to_stage=request.POST.get("to", ""), actor=actor)
        elif action == "submit":
            services.case_submit(case=case, actor=actor)
        elif action == "approve":
            services.case_approve(case=case, actor=actor, comment=request.POST.get("comment", ""))
        elif action == "send_back":
            services.case_send_back(case=case, actor=actor, comment=request.POST.get("comment", ""))
        elif action == "reopen":
            services.case_reopen(case=case, actor=actor, reason=request.POST.get("reason", ""))
        elif action == "fields":
            form = CaseFieldsForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Please correct the dates and choices."))
            services.case_update(case=case, actor=actor, **form.cleaned_data)
        elif action == "session":
            form = CaseSessionForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("A session needs a date, a duration and what was done."))
            services.case_add_session(case=case, actor=actor, **form.cleaned_data)
        elif action == "goal":
            form = GoalForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("A goal needs a description."))
            services.case_add_goal(case=case, actor=actor, **form.cleaned_data)
        elif action == "note":
            form = NoteForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("The note is empty."))
            services.case_add_note(case=case, actor=actor, text=form.cleaned_data["text"])
        else:
            raise ValidationError(_("Unknown action."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("cases:case_detail", pk=case.pk)


@login_required
def visit_new(request):
    """Quick entry of a visit on a phone: find the person, a few fields, any needs found."""
    _require_station_staff(request.user)
    term = request.GET.get("q", "").strip()
    person = None
    person_id = request.GET.get("person") or request.POST.get("person")
    if person_id and not str(person_id).isdigit():
        raise Http404
    if person_id:
        person = person_list_visible_to(request.user).select_related("community").filter(pk=person_id).first()
        if person is None:
            raise Http404
    form = QuickVisitForm(request.POST or None)
    needs = NeedLineFormSet(request.POST or None, prefix="needs")
    if request.method == "POST" and person is not None:
        if form.is_valid() and needs.is_valid():
            lines = [n for n in needs.cleaned_data if n.get("description")]
            try:
                services.visit_record(person=person, actor=request.user, needs=lines, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, _errors(exc))
            else:
                messages.success(
                    request,
                    _("Visit to %(person)s saved; %(n)d needs raised.")
                    % {"person": person.name, "n": len(lines)},
                )
                return redirect("cases:visit_new")
    found = selectors.people_for_quick_entry(request.user, term) if term and person is None else []
    return render(
        request,
        "cases/visit_new.html",
        {"term": term, "found": found, "person": person, "form": form, "needs": needs},
    )


@login_required
def overdue(request):
    """Who is overdue for a visit, by worker and by community, and urgent requests past their 24 hours."""
    _require_station_staff(request.user)
    statuses = plan.overdue_statuses(selectors.watch_list_visible_to(request.user))
    by_worker, by_community = defaultdict(list), defaultdict(list)
    for status in statuses:
        by_worker[status.entry.worker].append(status)
        by_community[status.entry.person.community].append(status)
    late_requests = plan.overdue_requests(selectors.visit_request_list_visible_to(request.user))
    return render(
        request,
        "cases/overdue.html",
        {
            "statuses": statuses,
            "by_worker": sorted(by_worker.items(), key=lambda kv: -len(kv[1])),
            "by_community": sorted(by_community.items(), key=lambda kv: -len(kv[1])),
            "late_requests": late_requests,
            "today": timezone.localdate(),
        },
    )


@login_required
def coverage(request):
    """Each month's visit-plan coverage per community."""
    profile = profile_of(request.user)
    if profile is None or not profile.station_id:
        raise Http404
    form = MonthForm(request.GET or None)
    today = timezone.localdate()
    year, month = today.year, today.month
    if form.is_valid() and form.cleaned_data.get("month"):
        year, month = (int(x) for x in form.cleaned_data["month"].split("-"))
    elif form.is_bound and not form.is_valid():
        messages.error(request, _("Choose a month between 2000 and next year."))
    period = month_period(profile.station, year, month)
    figures = plan.coverage(profile.station, period.first_day, period.end_day)
    rows, covered_total, watched_total = [], 0, 0
    for community in community_list_visible_to(request.user).filter(station=profile.station):
        covered, watched = figures.get(community.pk, (0, 0))
        covered_total += covered
        watched_total += watched
        rows.append((community, covered, watched, plan.coverage_percent(covered, watched)))
    return render(
        request,
        "cases/coverage.html",
        {
            "rows": rows,
            "month": f"{year:04d}-{month:02d}",
            "covered": covered_total,
            "watched": watched_total,
            "percent": plan.coverage_percent(covered_total, watched_total),
        },
    )


@login_required
def group_detail(request, pk):
    """A group's sessions and its four counts; a worker records a session here."""
    _require_station_staff(request.user)
    group = (
        selectors.group_list_visible_to(request.user)
        .select_related("community", "worker")
        .filter(pk=pk)
        .first()
    )
    if group is None:
        raise Http404
    form = GroupSessionForm(request.POST or None, group=group)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.group_session_record(
                group=group,
                actor=request.user,
                starts_at=data["starts_at"],
                ends_at=data["starts_at"] + timedelta(minutes=data["duration_minutes"]),
                attendees=data["attendees"],
                headcount=data["headcount"],
                place=data["place"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Session recorded."))
            return redirect("cases:group_detail", pk=group.pk)
    sessions = group.sessions.select_related("activity").annotate(named=Count("activity__attendances"))
    return render(
        request,
        "cases/group_detail.html",
        {"group": group, "counts": selectors.group_counts(group), "sessions": sessions, "form": form},
    )
