from collections import defaultdict
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from station.periods import month_period
from station.roles import is_station_staff, profile_of
from station.selectors import community_list_visible_to, person_list_visible_to

from . import permissions, plan, selectors, services
from .filters import CaseFilter, OverdueFilter
from .forms import (
    AdvanceForm,
    ApproveForm,
    CaseCloseForm,
    CaseFieldsForm,
    CaseSessionForm,
    GoalForm,
    GroupSessionForm,
    MonthForm,
    NeedLineFormSet,
    NoteForm,
    QuickVisitForm,
    ReopenForm,
    SendBackForm,
    SubmitForm,
)
from .models import Case, CaseApproval


def _require_station_staff(user):
    if not (user.is_superuser or is_station_staff(user)):
        raise Http404


def _digits(values) -> list[int]:
    if not all(v.isascii() and v.isdigit() and len(v) <= 18 for v in values):
        raise Http404
    return [int(v) for v in values]


def _errors(exc) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


CASES_PER_PAGE = 50


@login_required
def case_list(request):
    """Cases the user may open, filtered and paged, with counts by stage of exactly what is listed.

    A cadre opens no case file: they see the counts by stage in their communities, under the same filters."""
    user = request.user
    listing = selectors.may_list_cases(user)
    scope = selectors.case_list_visible_to(user) if listing else selectors.case_countable_for(user)
    filters = CaseFilter(request.GET or None, queryset=scope, user=user)
    listed = filters.qs
    labels = dict(Case.Stage.choices)
    counts = [
        (labels[row["stage"]], row["n"])
        for row in listed.values("stage").annotate(n=Count("pk")).order_by("stage")
    ]
    page = None
    if listing:
        ordered = listed.select_related("person__community", "worker", "supervisor").order_by(
            "-opened_on", "-pk"
        )
        page = Paginator(ordered, CASES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/case_list.html",
        {
            "cases": page,
            "page": page,
            "listing": listing,
            "counting": listing or not scope.query.is_empty(),
            "filters": filters,
            "counts": counts,
            "total": sum(n for _label, n in counts),
            "query": _query_without_page(request),
        },
    )


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# ---------------------------------------------------------------- the case page and its verbs
#
# The page is read with GET; every button on it posts to its own URL and view, which loads the case
# through the selector (404 out of scope), validates a form, calls one service and redirects back.

# Which slot of the page a bound form goes back into when it does not validate.
FORM_SLOTS = {
    CaseFieldsForm: "fields_form",
    CaseCloseForm: "close_form",
    ApproveForm: "decision_form",
    SendBackForm: "decision_form",
    ReopenForm: "reopen_form",
    GoalForm: "goal_form",
    CaseSessionForm: "session_form",
    NoteForm: "note_form",
}


def _case_page(request, case: Case, bound=None, status: int = 200):
    user = request.user
    may_work = permissions.case_work_refusal(user, case) is None
    closed = case.stage == Case.Stage.CLOSED
    waiting = bool(case.pending_gate)
    approvals = list(
        case.approvals.select_related("submitted_by", "decided_by").order_by("submitted_at", "pk")
    )
    forms = {
        "fields_form": CaseFieldsForm(
            initial={
                "assessment": case.assessment,
                "plan_summary": case.plan_summary,
                "next_follow_up_on": case.next_follow_up_on,
            }
        ),
        "close_form": CaseCloseForm(
            initial={"closing_summary": case.closing_summary, "outcome": case.outcome}
        ),
        "decision_form": ApproveForm(),
        "reopen_form": ReopenForm(),
        "goal_form": GoalForm(),
        "session_form": CaseSessionForm(),
        "note_form": NoteForm(),
    }
    if bound is not None:
        forms[FORM_SLOTS[type(bound)]] = bound
    context = {
        "case": case,
        "goals": case.goals.all(),
        "sessions": case.sessions.select_related("worker"),
        "notes": case.notes.select_related("author"),
        "approvals": approvals,
        "pending": next((a for a in approvals if a.decision == CaseApproval.Decision.PENDING), None),
        "moves": [
            (to, Case.Stage(to).label) for (frm, to) in sorted(services.FREE_MOVES) if frm == case.stage
        ]
        if may_work and not waiting
        else [],  # fmt: skip
        "may_work": may_work,
        "can_edit": may_work and not closed,
        "submit_gate": services.GATE_OF_STAGE.get(case.stage),
        "can_submit": may_work and not waiting and case.stage in (Case.Stage.ASSESSMENT, Case.Stage.PLAN),
        "can_close": may_work and not waiting and case.stage == Case.Stage.REVIEW,
        "can_reopen": may_work and closed,
        "can_decide": waiting and permissions.case_decide_refusal(user, case) is None,
        "can_add_goal": may_work and not closed and case.pending_gate != Case.Gate.PLAN,
        "can_add_session": may_work and not closed,
        **forms,
    }
    return render(request, "cases/case_detail.html", context, status=status)


@login_required
def case_detail(request, pk):
    """The case page: summary, pending approval, goals, service records, notes, history."""
    case = selectors.case_get_for_user(request.user, pk)
    services.case_record_view(case=case, user=request.user, where="page")
    return _case_page(request, case)


def _form_errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _case_step(request, pk, form_class, act, done: str, anchor: str = ""):
    """Run one verb on a case: selector, form, service, redirect with a message.

    ``act(case, data)`` calls the service. A form that does not validate comes back on the page with its
    errors and what was typed (forms without visible fields say why in a message)."""
    case = selectors.case_get_for_user(request.user, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        if form_class in FORM_SLOTS:
            messages.error(request, _("Please correct the marked fields."))
            return _case_page(request, case, bound=form)
        messages.error(request, _form_errors(form))
    else:
        try:
            act(case, form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, done)
    return redirect(reverse("cases:case_detail", args=[case.pk]) + anchor)


@login_required
@require_POST
def case_advance(request, pk):
    """Take a step that needs no approval (intake to assessment, intervention to review and back)."""
    return _case_step(
        request, pk, AdvanceForm,
        lambda case, data: services.case_advance(case=case, to_stage=data["to"], actor=request.user),
        _("The case has moved on."),
    )  # fmt: skip


@login_required
@require_POST
def case_update(request, pk):
    """Save the assessment, the service plan and the next follow-up."""
    return _case_step(
        request, pk, CaseFieldsForm,
        lambda case, data: services.case_update(case=case, actor=request.user, **data),
        _("Assessment and plan saved."),
    )  # fmt: skip


@login_required
@require_POST
def case_submit(request, pk):
    """Ask the supervisor to approve the assessment or the plan."""
    return _case_step(
        request, pk, SubmitForm,
        lambda case, data: services.case_submit(case=case, actor=request.user),
        _("Submitted for the supervisor's approval."),
    )  # fmt: skip


@login_required
@require_POST
def case_close(request, pk):
    """Ask to close the case, with the closing summary and the outcome."""
    return _case_step(
        request, pk, CaseCloseForm,
        lambda case, data: services.case_request_closure(case=case, actor=request.user, **data),
        _("The closure is waiting for the supervisor's approval."),
    )  # fmt: skip


@login_required
@require_POST
def case_approve(request, pk):
    """The supervisor approves the waiting step."""
    return _case_step(
        request, pk, ApproveForm,
        lambda case, data: services.case_approve(case=case, actor=request.user, comment=data["comment"]),
        _("Approved."),
    )  # fmt: skip


@login_required
@require_POST
def case_send_back(request, pk):
    """The supervisor sends the waiting step back, saying what needs changing."""
    return _case_step(
        request, pk, SendBackForm,
        lambda case, data: services.case_send_back(case=case, actor=request.user, comment=data["comment"]),
        _("Sent back to the worker."),
    )  # fmt: skip


@login_required
@require_POST
def case_reopen(request, pk):
    """Reopen a closed case; it goes back to assessment."""
    return _case_step(
        request, pk, ReopenForm,
        lambda case, data: services.case_reopen(case=case, actor=request.user, reason=data["reason"]),
        _("The case is reopened."),
    )  # fmt: skip


@login_required
@require_POST
def case_goal_add(request, pk):
    """Add a goal to the service plan."""
    return _case_step(
        request, pk, GoalForm,
        lambda case, data: services.case_add_goal(case=case, actor=request.user, **data),
        _("Goal added."), "#goals",
    )  # fmt: skip


@login_required
@require_POST
def case_session_add(request, pk):
    """Record a service session with the client."""
    return _case_step(
        request, pk, CaseSessionForm,
        lambda case, data: services.case_add_session(case=case, actor=request.user, **data),
        _("Service record saved."), "#sessions",
    )  # fmt: skip


@login_required
@require_POST
def case_note_add(request, pk):
    """Add a note to the case file."""
    return _case_step(
        request, pk, NoteForm,
        lambda case, data: services.case_add_note(case=case, actor=request.user, text=data["text"]),
        _("Note added."), "#notes",
    )  # fmt: skip


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
    filters = OverdueFilter(
        request.GET or None, queryset=selectors.watch_list_visible_to(request.user), user=request.user
    )
    statuses = plan.overdue_statuses(filters.qs)
    by_worker, by_community = defaultdict(list), defaultdict(list)
    for status in statuses:
        by_worker[status.entry.worker].append(status)
        by_community[status.entry.person.community].append(status)
    requests = selectors.visit_request_list_visible_to(request.user)
    chosen = filters.form.cleaned_data if filters.is_bound and filters.is_valid() else {}
    if chosen.get("worker"):
        requests = requests.filter(assigned_to=chosen["worker"])
    if chosen.get("community"):
        requests = requests.filter(person__community=chosen["community"])
    late_requests = plan.overdue_requests(requests)
    return render(
        request,
        "cases/overdue.html",
        {
            "statuses": statuses,
            "by_worker": sorted(by_worker.items(), key=lambda kv: -len(kv[1])),
            "by_community": sorted(by_community.items(), key=lambda kv: -len(kv[1])),
            "late_requests": late_requests,
            "today": timezone.localdate(),
            "filters": filters,
            "rules": plan.tier_rules(),
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
    figures = plan.coverage_figures(profile.station, period.first_day, period.end_day)
    rows, totals = [], [0, 0, 0]
    for community in community_list_visible_to(request.user).filter(station=profile.station):
        figure = figures.get(community.pk, plan.Coverage(0, 0, 0))
        totals = [t + f for t, f in zip(totals, figure, strict=True)]
        rows.append((community, figure, *_coverage_percents(figure)))
    total = plan.Coverage(*totals)
    return render(
        request,
        "cases/coverage.html",
        {
            "rows": rows,
            "month": f"{year:04d}-{month:02d}",
            "total": total,
            "percent": plan.coverage_percent(total.covered, total.watched),
            "visited_percent": plan.coverage_percent(total.visited, total.watched),
            "definitions": (plan.COVERAGE_DEFINITION, plan.VISITED_DEFINITION),
        },
    )


def _coverage_percents(figure) -> tuple:
    return (
        plan.coverage_percent(figure.covered, figure.watched),
        plan.coverage_percent(figure.visited, figure.watched),
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
    # Anyone of the group's station the worker may see may attend: open groups draw from every community.
    people = person_list_visible_to(request.user).filter(community__station_id=group.station_id)
    ticked = _digits(request.POST.getlist("attendees"))
    term = request.POST.get("q", "").strip()
    finding = request.method == "POST" and "find" in request.POST
    shown = list(people.filter(pk__in=ticked).select_related("community"))
    found = []
    if finding:
        found = [
            p
            for p in selectors.people_for_quick_entry(request.user, term)
            if p.community.station_id == group.station_id and p.pk not in ticked
        ]
        initial = {
            **request.POST.dict(),
            "attendees": ticked,
            "newcomers_join": "newcomers_join" in request.POST,
        }
        form = GroupSessionForm(initial=initial, group=group, people=people, shown=[*shown, *found])
    else:
        form = GroupSessionForm(request.POST or None, group=group, people=people, shown=shown)
    if request.method == "POST" and not finding and form.is_valid():
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
                newcomers_join=data["newcomers_join"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _errors(exc))
        else:
            messages.success(request, _("Session recorded."))
            return redirect("cases:group_detail", pk=group.pk)
    sessions = group.sessions.select_related("activity").annotate(named=F("activity__named_count"))
    return render(
        request,
        "cases/group_detail.html",
        {
            "group": group,
            "counts": selectors.group_counts(group),
            "sessions": sessions,
            "form": form,
            "term": term if finding else "",
            "finding": finding,
            "found": found,
        },
    )
