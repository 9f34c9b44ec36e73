"""Pages outside the admin: the tutor's session screen, a study group, the local social workers, CE at risk."""

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from station.periods import add_months
from station.roles import is_station_staff, profile_of

from . import rules, selectors, services
from .forms import SessionRecordForm
from .models import MockScore, StudySession, TalentProfile


def _require_station_staff(user):
    if not (user.is_superuser or is_station_staff(user)):
        raise Http404


def _station_id(user):
    profile = profile_of(user)
    if profile and profile.station_id:
        return profile.station_id
    raise Http404


def _errors(exc) -> str:
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


@login_required
def session_page(request, pk):
    """Attendance and mock-exam scores of one session, on one screen (staff of the session's station)."""
    _require_station_staff(request.user)
    session = selectors.study_session_get_for_user(request.user, pk)
    members = [m.person for m in session.group.memberships.select_related("person").order_by("person__name")]
    subjects = list(session.subjects.all()) if session.kind == StudySession.Kind.MOCK_EXAM else []
    attended = set(session.activity.attendances.values_list("person_id", flat=True))
    scores = {(m.person_id, m.subject_id): m.score for m in MockScore.objects.filter(session=session)}
    form = SessionRecordForm(
        request.POST if request.method == "POST" else None,
        members=members,
        subjects=subjects,
        attended=attended,
        scores=scores,
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.session_record(
                    session=session, attended=form.attended(), scores=form.scores(), actor=request.user
                )
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, _errors(exc))
            else:
                messages.success(request, _("Attendance and scores saved."))
                return redirect("talent:session", pk=session.pk)
        else:
            messages.error(request, _("Nothing was saved: correct the marked entries."))
    return render(request, "talent/session.html", {"session": session, "form": form, "subjects": subjects})


@login_required
def group_page(request, pk):
    """A study group: its members (a cadre sees those of their communities and how many passed, never
    scores); for staff and the tutor, the sessions and who is falling behind."""
    group = selectors.study_group_get_for_user(request.user, pk)
    members = selectors.member_list_visible_to(request.user).filter(group=group).order_by("person__name")
    counts = selectors.group_pass_counts(group, request.user)
    staff = is_station_staff(request.user) or request.user.is_superuser or group.tutor_id == request.user.pk
    context = {"group": group, "members": members, "counts": counts, "staff": staff}
    if staff:
        context["behind"] = selectors.falling_behind(group)
        context["sessions"] = group.sessions.select_related("activity").order_by("-activity__starts_at")[:30]
    return render(request, "talent/group.html", context)


@login_required
def local_page(request):
    """Who counts as a local social worker cultivated (本土社工): the one definition, and the people counted
    in the communities the user may read."""
    if profile_of(request.user) is None and not request.user.is_superuser:
        raise Http404
    people = (
        selectors.talent_profile_list_visible_to(request.user)
        .filter(local_counted_on__isnull=False)
        .order_by("local_counted_on", "person__name")
    )
    return render(request, "talent/local.html", {"definition": rules.LOCAL_DEFINITION, "people": people})


@login_required
def ce_at_risk_page(request):
    """Those who will not make their continuing-education hours before their registration expires."""
    _require_station_staff(request.user)
    station_id = _station_id(request.user) if not request.user.is_superuser else None
    rows = selectors.ce_at_risk(station_id) if station_id else []
    return render(request, "talent/ce_at_risk.html", {"rows": rows, "today": timezone.localdate()})


@login_required
def supervision_hours_page(request):
    """Each social worker's supervision hours this month against the target (a setting)."""
    _require_station_staff(request.user)
    today = timezone.localdate()
    first = today.replace(day=1)
    end = add_months(first, 1)
    station_id = _station_id(request.user) if not request.user.is_superuser else None
    hours = selectors.supervision_hours_by_worker(station_id, first, end) if station_id else {}
    team = (
        selectors.talent_profile_list_visible_to(request.user)
        .filter(team_role__in=[TalentProfile.TeamRole.FULL_TIME, TalentProfile.TeamRole.PART_TIME])
        .filter(left_on__isnull=True)
        .order_by("team_role", "person__name")
    )
    target = Decimal(settings.TALENT_SUPERVISION_TARGET_HOURS)
    rows = [(p, hours.get(p.person_id, Decimal(0))) for p in team]
    return render(
        request,
        "talent/supervision_hours.html",
        {"rows": [(p, h, h >= target) for p, h in rows], "target": target, "month": first},
    )
