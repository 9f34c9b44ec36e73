"""Every write of the talent platform that has rules. Admin, pages, imports and tasks call these."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from station.models import Activity, Attendance, AuditEvent, Person, years_before
from station.roles import is_station_staff
from station.services import audit_record

from . import rules
from .models import (
    ActionItem,
    CEHours,
    Certificate,
    CheckIn,
    ExamAttempt,
    ExamLevel,
    ExamSubject,
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

Status = Registration.Status

# The national registration system's states: from each, where a registration may go next. Nothing else.
REGISTRATION_TRANSITIONS: dict[str, set[str]] = {
    Status.NOT_APPLIED: {Status.PENDING},
    Status.PENDING: {Status.FIRST_APPROVED, Status.FIRST_REJECTED},
    Status.FIRST_REJECTED: {Status.PENDING},
    Status.FIRST_APPROVED: {Status.FINAL_APPROVED, Status.FINAL_REJECTED},
    Status.FINAL_REJECTED: {Status.PENDING},
    Status.FINAL_APPROVED: {Status.COMPLETED},
    Status.COMPLETED: {Status.ISSUED},
    Status.ISSUED: set(),
}
VALID_STATUSES = (Status.COMPLETED, Status.ISSUED)


def add_years(day: date, years: int) -> date:
    return years_before(day, -years)


def add_calendar_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def _require_staff(actor, station_id):
    if not is_station_staff(actor, station_id):
        raise PermissionDenied(_("This record is not in your station."))


def _require_person(actor, person: Person):
    _require_staff(
        actor, Person.objects.filter(pk=person.pk).values_list("community__station_id", flat=True).first()
    )


def _audit(actor, target, creating: bool, **changes):
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE,
        target=target,
        changes={k: str(v) for k, v in changes.items()},
    )


# ---------------------------------------------------------------- people


@transaction.atomic
def talent_profile_save(*, profile: TalentProfile, actor) -> TalentProfile:
    _require_person(actor, profile.person)
    creating = profile.pk is None
    profile.full_clean()
    profile.save()
    _audit(actor, profile, creating, team_role=profile.team_role)
    local_social_worker_refresh(person=profile.person)
    return profile


def person_pass_dates(person: Person) -> list[date]:
    """The results days of every level the person passed (the exam's last day when results are not dated)."""
    return [
        attempt.exam_year.results_on or attempt.exam_year.exam_ends
        for attempt in ExamAttempt.objects.filter(
            person=person, result=ExamAttempt.Result.PASSED
        ).select_related("exam_year")
    ]


def local_social_worker_refresh(*, person: Person) -> date | None:
    """Store the day the person first counted as a local social worker; once stored it never moves later, so
    the person is counted once, in that month."""
    profile = TalentProfile.objects.select_for_update().filter(person=person).first()
    if profile is None:
        return None
    since = rules.local_social_worker_on(
        is_local=profile.is_local,
        supported_since=profile.supported_since,
        pass_dates=person_pass_dates(person),
        part_time_since=profile.part_time_since,
    )
    if since is not None and (profile.local_counted_on is None or since < profile.local_counted_on):
        TalentProfile.objects.filter(pk=profile.pk).update(local_counted_on=since)
        profile.local_counted_on = since
    return profile.local_counted_on


# ---------------------------------------------------------------- the national exam


@transaction.atomic
def exam_year_save(*, exam_year: ExamYear, actor) -> ExamYear:
    if not is_station_staff(actor) and not getattr(actor, "is_superuser", False):
        raise PermissionDenied(_("Only station staff keep the exam calendar."))
    creating = exam_year.pk is None
    exam_year.full_clean()
    exam_year.save()
    _audit(actor, exam_year, creating, exam_starts=exam_year.exam_starts, pass_mark=exam_year.pass_mark)
    return exam_year


@transaction.atomic
def attempt_register(
    *, person: Person, exam_year: ExamYear, level: ExamLevel, actor, registered_on: date | None = None
) -> ExamAttempt:
    """Register a candidate for a level in an exam year (eligibility is a hint, never a refusal)."""
    _require_person(actor, person)
    attempt = ExamAttempt.objects.filter(person=person, exam_year=exam_year, level=level).first()
    if attempt is not None:
        return attempt
    attempt = ExamAttempt(person=person, exam_year=exam_year, level=level, registered_on=registered_on)
    attempt.full_clean()
    attempt.save()
    _audit(actor, attempt, True, level=level.code, year=exam_year.year)
    return attempt


def _passed_subjects(person: Person, level: ExamLevel) -> tuple[dict[str, set[int]], set[int]]:
    passed: dict[str, set[int]] = {}
    rows = SubjectScore.objects.filter(
        attempt__person=person, attempt__level=level, score__isnull=False
    ).values_list("subject__code", "attempt__exam_year__year", "score", "attempt__exam_year__pass_mark")
    for code, year, score, mark in rows:
        if score >= mark:
            passed.setdefault(code, set()).add(year)
    reviews = set(
        ExamAttempt.objects.filter(person=person, level=level, review_passed=True).values_list(
            "exam_year__year", flat=True
        )
    )
    return passed, reviews


def level_pass_year_of(person: Person, level: ExamLevel) -> int | None:
    """The exam year the person passed the level, from their recorded scores, by the one rule."""
    passed, reviews = _passed_subjects(person, level)
    subjects = list(level.subjects.values_list("code", flat=True))
    return rules.level_pass_year(level.code, subjects, passed, reviews)


def attempt_result_refresh(*, attempt: ExamAttempt, actor) -> str:
    """Recompute the attempt's result by the pass rule; a pass makes the certificate and may count the person
    as a local social worker."""
    year = level_pass_year_of(attempt.person, attempt.level)
    scores = {s.subject_id: s.score for s in attempt.scores.all()}
    subjects = list(attempt.level.subjects.values_list("pk", flat=True))
    if year == attempt.exam_year.year:
        result = ExamAttempt.Result.PASSED
    elif year is not None and year < attempt.exam_year.year:
        result = ExamAttempt.Result.PASSED  # already passed earlier: nothing more to win this year
    elif all(scores.get(pk) is not None for pk in subjects) or (
        attempt.exam_year.results_on
        and attempt.exam_year.results_on <= timezone.localdate()
        and any(v is not None for v in scores.values())
    ):
        result = ExamAttempt.Result.NOT_YET
    else:
        result = ExamAttempt.Result.PENDING
    if (
        attempt.level.code == ExamLevel.Code.SENIOR
        and result == ExamAttempt.Result.NOT_YET
        and attempt.review_passed is None
    ):
        result = ExamAttempt.Result.PENDING
    if result != attempt.result:
        ExamAttempt.objects.filter(pk=attempt.pk).update(result=result)
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=attempt, changes={"result": result})
        attempt.result = result
    if result == ExamAttempt.Result.PASSED and year == attempt.exam_year.year:
        certificate, created = Certificate.objects.get_or_create(
            person=attempt.person, level=attempt.level, defaults={"year_passed": year}
        )
        if created:
            audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=certificate)
        local_social_worker_refresh(person=attempt.person)
    return result


@transaction.atomic
def scores_record(
    *, attempt: ExamAttempt, scores: dict, actor, review_passed: bool | None = None
) -> ExamAttempt:
    """Record an attempt's scores (``{ExamSubject or id: Decimal or None}``), then its result by the rule.

    A score outside 0–100, or a subject of another level, refuses the whole entry and saves nothing.
    """
    _require_person(actor, attempt.person)
    attempt = (
        ExamAttempt.objects.select_for_update()
        .select_related("level", "exam_year", "person")
        .get(pk=attempt.pk)
    )
    errors = []
    rows = []
    for subject, score in scores.items():
        subject = (
            subject if isinstance(subject, ExamSubject) else ExamSubject.objects.filter(pk=subject).first()
        )
        if subject is None or subject.level_id != attempt.level_id:
            errors.append(_("This subject belongs to another level."))
            continue
        if score is not None and score != "":
            try:
                score = Decimal(str(score))
            except ArithmeticError:
                errors.append(_("“%(value)s” is not a score.") % {"value": score})
                continue
        else:
            score = None
        row = SubjectScore.objects.filter(attempt=attempt, subject=subject).first() or SubjectScore(
            attempt=attempt, subject=subject
        )
        row.score = score
        try:
            row.full_clean()
        except ValidationError as exc:
            errors.extend(f"{subject.name}: {m}" for m in exc.messages)
            continue
        rows.append(row)
    if errors:
        raise ValidationError(errors)
    for row in rows:
        row.save()
    if review_passed is not None:
        attempt.review_passed = review_passed
        attempt.save(update_fields=["review_passed"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=attempt,
        changes={row.subject.code: str(row.score) for row in rows},
    )
    # A later year's result may depend on this one (the intermediate level's two-year window).
    for other in (
        ExamAttempt.objects.filter(person=attempt.person, level=attempt.level)
        .select_related("exam_year", "level", "person")
        .order_by("exam_year__year")
    ):
        attempt_result_refresh(attempt=other, actor=actor)
    attempt.refresh_from_db()
    return attempt


# ---------------------------------------------------------------- certificates and registration


@transaction.atomic
def certificate_save(*, certificate: Certificate, actor) -> Certificate:
    _require_person(actor, certificate.person)
    creating = certificate.pk is None
    certificate.full_clean()
    certificate.save()
    _audit(actor, certificate, creating, number=certificate.number, year=certificate.year_passed)
    return certificate


def first_registration_deadline(certificate: Certificate) -> date:
    exam = ExamYear.objects.filter(year=certificate.year_passed).first()
    passed_on = (exam.results_on or exam.exam_ends) if exam else date(certificate.year_passed, 12, 31)
    return add_calendar_months(passed_on, settings.TALENT_FIRST_REGISTRATION_MONTHS)


def current_registration(certificate_or_person, today: date | None = None) -> Registration | None:
    today = today or timezone.localdate()
    qs = Registration.objects.filter(status__in=VALID_STATUSES, valid_from__lte=today, valid_until__gt=today)
    if isinstance(certificate_or_person, Certificate):
        qs = qs.filter(certificate=certificate_or_person)
    else:
        qs = qs.filter(certificate__person=certificate_or_person)
    return qs.select_related("certificate__level").order_by("-valid_until").first()


@transaction.atomic
def registration_open(*, certificate: Certificate, actor, today: date | None = None) -> Registration:
    """Start a registration: the first within the months after passing, a renewal in the window before expiry."""
    _require_person(actor, certificate.person)
    today = today or timezone.localdate()
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    regs = list(certificate.registrations.order_by("pk"))
    if any(r.status not in (*VALID_STATUSES,) for r in regs):
        raise ValidationError(_("A registration of this certificate is already under way."))
    valid = [r for r in regs if r.status in VALID_STATUSES]
    if not valid:
        kind = Registration.Kind.FIRST
        if today > first_registration_deadline(certificate):
            raise ValidationError(
                _("The first registration had to be made by %(day)s.")
                % {"day": first_registration_deadline(certificate)}
            )
    else:
        kind = Registration.Kind.RENEWAL
        last = max(valid, key=lambda r: r.valid_until)
        opens = add_calendar_months(last.valid_until, -settings.TALENT_RENEWAL_WINDOW_MONTHS)
        if not (opens <= today <= last.valid_until):
            raise ValidationError(
                _("Re-registration is open from %(opens)s to %(until)s.")
                % {"opens": opens, "until": last.valid_until}
            )
    registration = Registration(certificate=certificate, kind=kind)
    registration.full_clean()
    registration.save()
    _audit(actor, registration, True, kind=kind)
    return registration


@transaction.atomic
def registration_move(*, registration: Registration, to: str, actor, on: date | None = None) -> Registration:
    """Move a registration to its next state along the transition table; a skipped state is refused."""
    registration = (
        Registration.objects.select_for_update().select_related("certificate__person").get(pk=registration.pk)
    )
    _require_person(actor, registration.certificate.person)
    on = on or timezone.localdate()
    if to not in REGISTRATION_TRANSITIONS.get(registration.status, set()):
        allowed = "、".join(
            str(Status(s).label) for s in sorted(REGISTRATION_TRANSITIONS.get(registration.status, ()))
        )
        raise ValidationError(
            _("A registration cannot go from “%(from)s” to “%(to)s”; next may be: %(allowed)s")
            % {
                "from": registration.get_status_display(),
                "to": Status(to).label if to in Status.values else to,
                "allowed": allowed or "—",
            }
        )
    before = registration.status
    registration.status = to
    if to == Status.PENDING and registration.applied_on is None:
        registration.applied_on = on
    if to == Status.COMPLETED:
        previous = (
            Registration.objects.filter(certificate=registration.certificate, status__in=VALID_STATUSES)
            .exclude(pk=registration.pk)
            .order_by("-valid_until")
            .first()
        )
        start = previous.valid_until if previous and previous.valid_until >= on else on
        registration.valid_from = start
        registration.valid_until = add_years(start, settings.TALENT_REGISTRATION_VALID_YEARS)
    registration.full_clean()
    registration.save()
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, target=registration, changes={"status": [before, to]}
    )
    return registration


# ---------------------------------------------------------------- continuing education


@transaction.atomic
def ce_hours_record(*, entry: CEHours, actor) -> CEHours:
    _require_person(actor, entry.person)
    creating = entry.pk is None
    entry.full_clean()
    entry.save()
    _audit(actor, entry, creating, hours=entry.hours, course=entry.course)
    return entry


def ce_required_hours(level_code: str) -> int:
    return settings.TALENT_CE_REQUIRED_HOURS.get(level_code, 90)


# ---------------------------------------------------------------- study groups


@transaction.atomic
def study_group_save(*, group: StudyGroup, actor) -> StudyGroup:
    _require_staff(actor, group.station_id)
    if group.tutor_id and not is_station_staff(group.tutor, group.station_id):
        raise ValidationError({"tutor": _("The tutor must be a member of the station's staff.")})
    creating = group.pk is None
    group.full_clean()
    group.save()
    _audit(actor, group, creating, name=group.name)
    return group


@transaction.atomic
def member_add(
    *, group: StudyGroup, person: Person, actor, joined_on: date | None = None
) -> StudyGroupMember:
    _require_staff(actor, group.station_id)
    if person.community.station_id != group.station_id:
        raise ValidationError({"person": _("This person lives outside the station's communities.")})
    member = StudyGroupMember.objects.filter(group=group, person=person).first()
    if member is None:
        member = StudyGroupMember(group=group, person=person, joined_on=joined_on or timezone.localdate())
        member.full_clean()
        member.save()
        _audit(actor, member, True, group=group.name)
    return member


@transaction.atomic
def study_session_save(*, session: StudySession, activity: Activity, actor) -> StudySession:
    """Create or update a session and the station activity it is (platform "talent")."""
    _require_staff(actor, session.group.station_id)
    activity.platform = Activity.Platform.TALENT
    activity.station_id = session.group.station_id
    if not activity.kind:
        activity.kind = f"study_{session.kind}"
    if activity.pk is None and getattr(actor, "is_authenticated", False):
        activity.organiser = actor
    activity.full_clean()
    activity.save()
    creating = session.pk is None
    session.activity = activity
    session.full_clean()
    session.save()
    _audit(actor, session, creating, title=activity.title)
    return session


@transaction.atomic
def session_record(*, session: StudySession, attended: set[int], scores: dict, actor) -> StudySession:
    """The tutor's screen: who came and, for a mock exam, their score per subject (``{(person_id,
    subject_id): Decimal or None}``). Only the group's members; a score outside 0–100 saves nothing."""
    _require_staff(actor, session.group.station_id)
    members = set(session.group.memberships.values_list("person_id", flat=True))
    strangers = (set(attended) | {p for p, _s in scores}) - members
    if strangers:
        raise ValidationError(_("Only the group's members can be recorded."))
    subject_ids = set(session.subjects.values_list("pk", flat=True))
    errors, keep, drop = [], [], []
    for (person_id, subject_id), score in scores.items():
        if subject_id not in subject_ids:
            errors.append(_("This subject is not part of the session."))
            continue
        if score is None or score == "":
            drop.append((person_id, subject_id))
            continue
        try:
            score = Decimal(str(score))
        except ArithmeticError:
            score = None
        if score is None or not score.is_finite() or not (0 <= score <= 100):
            errors.append(_("A score is out of 100."))
            continue
        keep.append(MockScore(session=session, person_id=person_id, subject_id=subject_id, score=score))
    if errors:
        raise ValidationError(sorted(set(errors)))
    activity = session.activity
    present = set(activity.attendances.values_list("person_id", flat=True))
    Attendance.objects.filter(activity=activity, person_id__in=(present & members) - set(attended)).delete()
    Attendance.objects.bulk_create(
        [Attendance(activity=activity, person_id=p) for p in set(attended) - present]
    )
    replaced = Q()
    for person_id, subject_id in [*drop, *((r.person_id, r.subject_id) for r in keep)]:
        replaced |= Q(person_id=person_id, subject_id=subject_id)
    if replaced:
        MockScore.objects.filter(session=session).filter(replaced).delete()
    MockScore.objects.bulk_create(keep)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=session,
        changes={"attended": len(attended), "scores": len(keep)},
    )
    return session


# ---------------------------------------------------------------- supervision, mentoring, rotation


@transaction.atomic
def supervision_session_save(*, session: SupervisionSession, supervisees, actor) -> SupervisionSession:
    _require_staff(actor, session.station_id)
    supervisees = list(supervisees)
    if not supervisees:
        raise ValidationError({"supervisees": _("Name at least one social worker supervised.")})
    if any(p.community.station_id != session.station_id for p in supervisees):
        raise ValidationError({"supervisees": _("Every social worker supervised must be of this station.")})
    creating = session.pk is None
    session.full_clean()
    session.save()
    session.supervisees.set(supervisees)
    _audit(actor, session, creating, topic=session.topic, hours=session.hours)
    return session


@transaction.atomic
def action_item_save(*, item: ActionItem, actor) -> ActionItem:
    _require_staff(actor, item.session.station_id)
    creating = item.pk is None
    item.full_clean()
    item.save()
    _audit(actor, item, creating, done_on=item.done_on or "")
    return item


@transaction.atomic
def mentoring_pair_save(*, pair: MentoringPair, actor) -> MentoringPair:
    _require_staff(actor, pair.station_id)
    for person in (pair.mentor, pair.mentee):
        if person.community.station_id != pair.station_id:
            raise ValidationError(_("Mentor and mentee must be of this station."))
    creating = pair.pk is None
    pair.full_clean()
    pair.save()
    _audit(actor, pair, creating, mentor=pair.mentor, mentee=pair.mentee)
    return pair


@transaction.atomic
def check_in_add(*, check_in: CheckIn, actor) -> CheckIn:
    _require_staff(actor, check_in.pair.station_id)
    check_in.full_clean()
    check_in.save()
    _audit(actor, check_in, True, held_on=check_in.held_on)
    return check_in


@transaction.atomic
def rotation_save(*, rotation: Rotation, actor) -> Rotation:
    _require_person(actor, rotation.person)
    if rotation.activity_id and rotation.activity.platform != Activity.Platform.TALENT:
        raise ValidationError({"activity": _("Choose a training of the talent platform.")})
    creating = rotation.pk is None
    rotation.full_clean()
    rotation.save()
    _audit(actor, rotation, creating, post=rotation.post_or_course, hours=rotation.hours)
    return rotation


@transaction.atomic
def attempt_save(*, attempt: ExamAttempt, actor) -> ExamAttempt:
    """Create or correct a registration for the exam (the scores go through ``scores_record``)."""
    _require_person(actor, attempt.person)
    creating = attempt.pk is None
    attempt.full_clean()
    attempt.save()
    _audit(actor, attempt, creating, level=attempt.level.code, year=attempt.exam_year.year)
    return attempt


def exam_levels_ensure() -> None:
    """Put back any of the national exam's levels and subjects that are missing (idempotent)."""
    for code, name, order, subjects in rules.NATIONAL_LEVELS:
        level, _created = ExamLevel.objects.get_or_create(code=code, defaults={"name": name, "order": order})
        for index, (subject_code, subject_name) in enumerate(subjects, start=1):
            ExamSubject.objects.get_or_create(
                code=subject_code, defaults={"level": level, "name": subject_name, "order": index}
            )
