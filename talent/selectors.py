"""Every read a user may make on the talent platform, scoped to the user's stations and communities."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from station.models import Attendance
from station.roles import STATION_STAFF_ROLES, Role, profile_of
from station.selectors import rows_about_people_visible_to, rows_of_station_staff

from . import rules, services
from .models import (
    CEHours,
    Certificate,
    ExamAttempt,
    ExamYear,
    MentoringPair,
    MockScore,
    Registration,
    Rotation,
    StudyGroup,
    StudyGroupMember,
    StudySession,
    SubjectScore,
    SupervisionSession,
    TalentProfile,
)


def _is_superuser(user) -> bool:
    return getattr(user, "is_superuser", False) and user.is_active


def _staff_only(user, qs: QuerySet, field: str) -> QuerySet:
    """Rows of the user's station for its staff (every row for a superuser); nothing for anyone else."""
    return rows_of_station_staff(user, qs, field)


def _people_scope(user, qs: QuerySet, field: str) -> QuerySet:
    """Rows about people in the communities the user may read (district viewers read figures only)."""
    return rows_about_people_visible_to(user, qs, field)


def talent_profile_list_visible_to(user) -> QuerySet[TalentProfile]:
    return _people_scope(user, TalentProfile.objects.select_related("person__community"), "person__community")


def talent_profile_get_for_user(user, pk) -> TalentProfile:
    return get_object_or_404(talent_profile_list_visible_to(user), pk=pk)


def _scores_scope(user, qs: QuerySet, person_field: str) -> QuerySet:
    """Scores and certificates: the station's staff, and a tutor for the members of their groups."""
    staff = _staff_only(user, qs, f"{person_field}__community__station_id")
    if _is_superuser(user) or not getattr(user, "is_authenticated", False):
        return staff
    tutored = qs.filter(**{f"{person_field}__study_memberships__group__tutor": user})
    return (staff | tutored).distinct()


def attempt_list_visible_to(user) -> QuerySet[ExamAttempt]:
    return _scores_scope(
        user, ExamAttempt.objects.select_related("person__community", "exam_year", "level"), "person"
    )


def attempt_get_for_user(user, pk) -> ExamAttempt:
    return get_object_or_404(attempt_list_visible_to(user), pk=pk)


def subject_score_list_visible_to(user) -> QuerySet[SubjectScore]:
    return _scores_scope(
        user, SubjectScore.objects.select_related("attempt__person", "subject"), "attempt__person"
    )


def certificate_list_visible_to(user) -> QuerySet[Certificate]:
    return _scores_scope(user, Certificate.objects.select_related("person__community", "level"), "person")


def certificate_get_for_user(user, pk) -> Certificate:
    return get_object_or_404(certificate_list_visible_to(user), pk=pk)


def registration_list_visible_to(user) -> QuerySet[Registration]:
    return _scores_scope(
        user, Registration.objects.select_related("certificate__person__community", "certificate__level"),
        "certificate__person",
    )  # fmt: skip


def ce_hours_list_visible_to(user) -> QuerySet[CEHours]:
    return _staff_only(
        user, CEHours.objects.select_related("person__community"), "person__community__station_id"
    )


def exam_year_list_visible_to(user) -> QuerySet[ExamYear]:
    """The national calendar is public knowledge: anyone with a role reads it."""
    if _is_superuser(user) or profile_of(user) is not None:
        return ExamYear.objects.all()
    return ExamYear.objects.none()


def study_group_list_visible_to(user) -> QuerySet[StudyGroup]:
    """Staff see their station's groups; a cadre the groups with members from their communities."""
    qs = StudyGroup.objects.select_related("station", "tutor", "level")
    if _is_superuser(user):
        return qs
    profile = profile_of(user)
    if profile is None:
        return qs.none()
    if profile.role in STATION_STAFF_ROLES:
        return qs.filter(station_id=profile.station_id)
    if profile.role == Role.CADRE:
        return qs.filter(memberships__person__community__in=profile.communities.all()).distinct()
    return qs.none()


def study_group_get_for_user(user, pk) -> StudyGroup:
    return get_object_or_404(study_group_list_visible_to(user), pk=pk)


def member_list_visible_to(user) -> QuerySet[StudyGroupMember]:
    return _people_scope(
        user, StudyGroupMember.objects.select_related("person__community", "group"), "person__community"
    )


def study_session_list_visible_to(user) -> QuerySet[StudySession]:
    return _staff_only(user, StudySession.objects.select_related("activity", "group"), "group__station_id")


def study_session_get_for_user(user, pk) -> StudySession:
    return get_object_or_404(study_session_list_visible_to(user), pk=pk)


def mock_score_list_visible_to(user) -> QuerySet[MockScore]:
    return _scores_scope(
        user, MockScore.objects.select_related("person", "subject", "session__activity"), "person"
    )


def supervision_list_visible_to(user) -> QuerySet[SupervisionSession]:
    return _staff_only(user, SupervisionSession.objects.all(), "station_id")


def mentoring_pair_list_visible_to(user) -> QuerySet[MentoringPair]:
    return _staff_only(user, MentoringPair.objects.select_related("mentor", "mentee"), "station_id")


def rotation_list_visible_to(user) -> QuerySet[Rotation]:
    return _staff_only(user, Rotation.objects.select_related("person"), "person__community__station_id")


# ---------------------------------------------------------------- derived readings


def group_pass_counts(group: StudyGroup, user) -> dict:
    """Members of the group the user may see, and how many of them passed a level (no scores)."""
    members = member_list_visible_to(user).filter(group=group)
    people = members.values("person_id")
    passed = ExamAttempt.objects.filter(person_id__in=people, result=ExamAttempt.Result.PASSED)
    return {"members": members.count(), "passed": passed.values("person_id").distinct().count()}


@dataclass
class Progress:
    registration: Registration
    required: int
    done: Decimal
    expires_on: date

    @property
    def missing(self) -> Decimal:
        return max(Decimal(self.required) - self.done, Decimal(0))

    @property
    def percent(self) -> int:
        return min(100, int(self.done * 100 / self.required)) if self.required else 100


def ce_progress_for(registrations, today: date | None = None) -> list[Progress]:
    """CE hours logged inside each registration's cycle (valid_from ≤ day < valid_until), in one query."""
    registrations = list(registrations)
    if not registrations:
        return []
    q = Q()
    for r in registrations:
        q |= Q(
            person_id=r.certificate.person_id, completed_on__gte=r.valid_from, completed_on__lt=r.valid_until
        )
    rows = list(CEHours.objects.filter(q).values_list("person_id", "completed_on", "hours"))
    result = []
    for r in registrations:
        done = sum(
            (h for p, d, h in rows if p == r.certificate.person_id and r.valid_from <= d < r.valid_until),
            Decimal(0),
        )
        result.append(Progress(r, services.ce_required_hours(r.certificate.level.code), done, r.valid_until))
    return result


def ce_progress(person, today: date | None = None) -> Progress | None:
    registration = services.current_registration(person, today)
    if registration is None:
        return None
    return ce_progress_for([registration], today)[0]


def ce_at_risk(station_id, today: date | None = None, within_days: int | None = None) -> list[Progress]:
    """Those whose registration expires within the window and who still miss hours, or whose pace so far
    will not reach the requirement by expiry."""
    today = today or timezone.localdate()
    within = settings.TALENT_CE_AT_RISK_DAYS if within_days is None else within_days
    current = Registration.objects.filter(
        status__in=services.VALID_STATUSES,
        valid_from__lte=today,
        valid_until__gt=today,
        certificate__person__community__station_id=station_id,
    ).select_related("certificate__person", "certificate__level")
    at_risk = []
    for progress in ce_progress_for(current, today):
        if progress.missing <= 0:
            continue
        r = progress.registration
        elapsed = max((today - r.valid_from).days, 1)
        total = (r.valid_until - r.valid_from).days
        projected = progress.done * total / elapsed
        if (r.valid_until - today).days <= within or projected < progress.required:
            at_risk.append(progress)
    return sorted(at_risk, key=lambda p: p.expires_on)


def falling_behind(group: StudyGroup, today: date | None = None) -> list[dict]:
    """Members whose attendance of the group's past sessions is under the setting, or whose mock-exam average
    is under the latest pass mark: the tutor's list. Three queries."""
    now = timezone.now()
    sessions = list(group.sessions.filter(activity__starts_at__lte=now).values_list("activity_id", flat=True))
    members = list(group.memberships.select_related("person").filter(left_on__isnull=True))
    attended = dict(
        Attendance.objects.filter(activity_id__in=sessions)
        .values("person_id")
        .annotate(n=Count("pk"))
        .values_list("person_id", "n")
    )
    mocks = {
        person: (total, n)
        for person, total, n in MockScore.objects.filter(session__group=group)
        .values("person_id")
        .annotate(total=Sum("score"), n=Count("pk"))
        .values_list("person_id", "total", "n")
    }
    mark = ExamYear.objects.order_by("-year").values_list("pass_mark", flat=True).first() or Decimal(
        settings.TALENT_DEFAULT_PASS_MARK
    )
    rows = []
    for member in members:
        came = attended.get(member.person_id, 0)
        rate = round(came * 100 / len(sessions)) if sessions else 100
        total, n = mocks.get(member.person_id, (None, 0))
        average = round(total / n, 1) if n else None
        reasons = []
        if rate < settings.TALENT_FALLING_BEHIND_ATTENDANCE:
            reasons.append("attendance")
        if average is not None and average < mark:
            reasons.append("mock")
        if reasons:
            rows.append({"person": member.person, "rate": rate, "average": average, "reasons": reasons})
    return rows


def eligibility_for(profile: TalentProfile, level_code: str, exam_year: int) -> dict:
    years = rules.experience_years(profile.work_started_on, exam_year)
    ok, needed = rules.eligibility_hint(level_code, profile.education, profile.social_work_major, years)
    return {"years": years, "likely": ok, "needed": needed}


def supervision_hours_by_worker(station_id, first_day: date, end_day: date) -> dict[int, Decimal]:
    """Supervision hours per social worker supervised in a period (each session's hours count for each)."""
    rows = (
        SupervisionSession.objects.filter(station_id=station_id, held_on__gte=first_day, held_on__lt=end_day)
        .values("supervisees")
        .annotate(h=Sum("hours"))
        .values_list("supervisees", "h")
    )
    return {pk: h for pk, h in rows if pk}


def local_social_workers(station_id) -> QuerySet[TalentProfile]:
    return TalentProfile.objects.filter(
        person__community__station_id=station_id, local_counted_on__isnull=False
    ).select_related("person__community")


def exam_events_due(today: date) -> list[tuple[ExamYear, str]]:
    """(exam year, "registration" or "exam") whose reminder falls due today or within the window."""
    ahead = timedelta(days=settings.TALENT_EXAM_REMINDER_DAYS)
    due = []
    for exam in ExamYear.objects.filter(exam_ends__gte=today):
        if exam.registration_opens - ahead <= today <= exam.registration_closes:
            due.append((exam, "registration"))
        if exam.exam_starts - ahead <= today <= exam.exam_ends:
            due.append((exam, "exam"))
    return due
