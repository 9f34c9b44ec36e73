"""Every write of the talent platform that has rules. Admin, pages, imports and tasks call these.

The Excel imports write through the ``*_many`` services (candidates, exam results, continuing-education
hours): the same rules as the one-record services, in a few queries for a whole batch.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from station.batching import in_chunks
from station.models import Activity, Attendance, AuditEvent, Person, years_before
from station.roles import is_station_staff
from station.services import audit_record, audit_record_many
from station.signals import records_written

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
    _require_people(actor, [person.pk])


def _require_people(actor, person_ids):
    """The actor is staff of every station these people live in: one query per 5,000 people."""
    person_ids = set(person_ids)
    if not person_ids:
        return
    station_ids = set()
    for chunk in in_chunks(person_ids):
        people = Person.objects.filter(pk__in=chunk)
        station_ids.update(people.values_list("community__station_id", flat=True).distinct())
    for station_id in station_ids or {None}:
        _require_staff(actor, station_id)


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


def local_social_worker_refresh(*, person: Person) -> date | None:
    """Store the day the person first counted as a local social worker; once stored it never moves later, so
    the person is counted once, in that month."""
    return local_social_workers_refresh(person_ids=[person.pk]).get(person.pk)


def local_social_workers_refresh(*, person_ids) -> dict[int, date | None]:
    """``local_social_worker_refresh`` for many people at once: {person id: the day, for those with a talent
    profile}. The results days of every level they passed (the exam's last day when results are not dated)
    are read in one query per 5,000 people."""
    profiles = []
    for chunk in in_chunks(sorted(set(person_ids))):
        profiles += TalentProfile.objects.select_for_update().filter(person_id__in=chunk).order_by("pk")
    pass_dates: dict[int, list[date]] = {}
    for chunk in in_chunks([profile.person_id for profile in profiles]):
        passes = ExamAttempt.objects.filter(person_id__in=chunk, result=ExamAttempt.Result.PASSED)
        for person_id, results_on, exam_ends in passes.values_list(
            "person_id", "exam_year__results_on", "exam_year__exam_ends"
        ):
            pass_dates.setdefault(person_id, []).append(results_on or exam_ends)
    moved: dict[date, list[int]] = {}
    for profile in profiles:
        since = rules.local_social_worker_on(
            is_local=profile.is_local,
            supported_since=profile.supported_since,
            pass_dates=pass_dates.get(profile.person_id, []),
            part_time_since=profile.part_time_since,
        )
        if since is not None and (profile.local_counted_on is None or since < profile.local_counted_on):
            moved.setdefault(since, []).append(profile.pk)
            profile.local_counted_on = since
    for since, pks in moved.items():
        for chunk in in_chunks(pks):
            TalentProfile.objects.filter(pk__in=chunk).update(local_counted_on=since)
    return {profile.person_id: profile.local_counted_on for profile in profiles}


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


def _attempt_changes(attempt: ExamAttempt) -> dict:
    return {"level": attempt.level.code, "year": str(attempt.exam_year.year)}


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
    return attempts_register_many(attempts=[attempt], actor=actor)[0]  # the batch of one


def _attempt_key(attempt: ExamAttempt) -> tuple:
    return (attempt.person_id, attempt.exam_year_id, attempt.level_id)


def attempts_check_many(*, attempts: list[ExamAttempt], actor) -> None:
    """The rule ``attempts_register_many`` applies to a batch beyond each attempt's own ``full_clean`` (every
    candidate in the actor's station), without writing: an import's check runs it on every batch."""
    _require_people(actor, {attempt.person_id for attempt in attempts})


@transaction.atomic
def attempts_register_many(*, attempts: list[ExamAttempt], actor) -> list[ExamAttempt]:
    """``attempt_register`` for many candidates at once (an imported list), each already checked with
    ``full_clean``: a candidate already registered for that level and year keeps their registration (the
    attempt given takes its primary key), and so does the same candidate twice in the batch; the others are
    created, each with its audit row. A few queries for the whole batch."""
    attempts_check_many(attempts=attempts, actor=actor)
    registered = {}
    for chunk in in_chunks({attempt.person_id for attempt in attempts}):
        for pk, *key in ExamAttempt.objects.filter(person_id__in=chunk).values_list(
            "pk", "person_id", "exam_year_id", "level_id"
        ):
            registered[tuple(key)] = pk
    new = {}
    for attempt in attempts:
        if _attempt_key(attempt) not in registered:
            new.setdefault(_attempt_key(attempt), attempt)
    ExamAttempt.objects.bulk_create(list(new.values()))
    registered.update((key, attempt.pk) for key, attempt in new.items())
    for attempt in attempts:
        attempt.pk = registered[_attempt_key(attempt)]
    records_written.send(sender=ExamAttempt, instances=list(new.values()))
    audit_record_many(
        actor=actor, action=AuditEvent.Action.CREATE, targets=list(new.values()), changes=_attempt_changes
    )
    return attempts


def _result_by_rule(attempt: ExamAttempt, pass_year: int | None, scores: dict, subject_ids) -> str:
    """An attempt's result from the year its person passed the level and its scores ({subject id: score})."""
    if pass_year == attempt.exam_year.year:
        result = ExamAttempt.Result.PASSED
    elif pass_year is not None and pass_year < attempt.exam_year.year:
        result = ExamAttempt.Result.PASSED  # already passed earlier: nothing more to win this year
    elif all(scores.get(pk) is not None for pk in subject_ids) or (
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
    return result


def exam_results_refresh(*, pairs, actor) -> list[ExamAttempt]:
    """Recompute by the pass rule the result of every attempt of these (person id, level id) pairs, every year
    (a later year's result may depend on an earlier one: the intermediate level's two-year window). A pass in
    its year makes the certificate and may count the person as a local social worker. A few queries per
    5,000 people, whatever the number of attempts."""
    pairs = set(pairs)
    attempts, scores = [], {}
    for chunk in in_chunks(sorted({person_id for person_id, _level in pairs})):
        found = ExamAttempt.objects.filter(person_id__in=chunk).select_related("exam_year", "level", "person")
        # The ID numbers are not read here; decrypting thousands of them took seconds.
        attempts += found.defer("person__id_number")
        rows = SubjectScore.objects.filter(attempt__person_id__in=chunk)
        for attempt_id, subject_id, score in rows.values_list("attempt_id", "subject_id", "score"):
            scores.setdefault(attempt_id, {})[subject_id] = score
    attempts = sorted(
        (a for a in attempts if (a.person_id, a.level_id) in pairs), key=lambda a: (a.exam_year.year, a.pk)
    )
    codes, level_subjects = {}, {}
    for level_id, pk, code in ExamSubject.objects.values_list("level_id", "pk", "code"):
        codes[pk] = code
        level_subjects.setdefault(level_id, []).append(pk)
    passed: dict[tuple, dict[str, set[int]]] = {pair: {} for pair in pairs}
    reviews: dict[tuple, set[int]] = {pair: set() for pair in pairs}
    for attempt in attempts:
        pair, year = (attempt.person_id, attempt.level_id), attempt.exam_year.year
        for subject_id, score in scores.get(attempt.pk, {}).items():
            if score is not None and score >= attempt.exam_year.pass_mark:
                passed[pair].setdefault(codes[subject_id], set()).add(year)
        if attempt.review_passed:
            reviews[pair].add(year)
    changed, passing = {}, []
    for attempt in attempts:
        pair, subject_ids = (attempt.person_id, attempt.level_id), level_subjects.get(attempt.level_id, [])
        pass_year = rules.level_pass_year(
            attempt.level.code, [codes[pk] for pk in subject_ids], passed[pair], reviews[pair]
        )
        result = _result_by_rule(attempt, pass_year, scores.get(attempt.pk, {}), subject_ids)
        if result != attempt.result:
            attempt.result = result
            changed.setdefault(result, []).append(attempt)
        if result == ExamAttempt.Result.PASSED and pass_year == attempt.exam_year.year:
            passing.append(attempt)
    for result, group in changed.items():
        for chunk in in_chunks([attempt.pk for attempt in group]):
            ExamAttempt.objects.filter(pk__in=chunk).update(result=result)
    audit_record_many(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        targets=[attempt for group in changed.values() for attempt in group],
        changes=lambda attempt: {"result": attempt.result},
    )
    _certificates_for(passing, actor)
    local_social_workers_refresh(person_ids={attempt.person_id for attempt in passing})
    return attempts


def _certificates_for(attempts: list[ExamAttempt], actor) -> None:
    """The certificate of each level passed (in the attempt's year) that its holder has not got yet."""
    held = set()
    for chunk in in_chunks({attempt.person_id for attempt in attempts}):
        held.update(Certificate.objects.filter(person_id__in=chunk).values_list("person_id", "level_id"))
    new = {}
    for attempt in attempts:
        key = (attempt.person_id, attempt.level_id)
        if key not in held and key not in new:
            new[key] = Certificate(
                person=attempt.person, level=attempt.level, year_passed=attempt.exam_year.year
            )
    certificates = Certificate.objects.bulk_create(list(new.values()))
    records_written.send(sender=Certificate, instances=certificates)
    audit_record_many(actor=actor, action=AuditEvent.Action.CREATE, targets=certificates)


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
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=attempt, changes=_score_changes(rows))
    exam_results_refresh(pairs={(attempt.person_id, attempt.level_id)}, actor=actor)
    attempt.refresh_from_db()
    return attempt


def _score_changes(rows) -> dict:
    return {row.subject.code: str(row.score) for row in rows}


def scores_check_many(*, scores: list[SubjectScore], actor) -> None:
    """The rules ``scores_record_many`` applies to a batch beyond each score's own ``full_clean`` (its field's
    range), without writing: every candidate in the actor's station, each subject of its attempt's level, and
    one score per candidate, year and subject. An import's check runs them on every batch."""
    _require_people(actor, {score.attempt.person_id for score in scores})
    seen = set()
    for score in scores:
        if score.subject.level_id != score.attempt.level_id:
            raise ValidationError(_("This subject belongs to another level."))
        key = (*_attempt_key(score.attempt), score.subject.pk)
        if key in seen:
            raise ValidationError(
                _("%(name)s has two scores of %(subject)s in %(year)s.")
                % {
                    "name": score.attempt.person.name,
                    "subject": score.subject.name,
                    "year": score.attempt.exam_year.year,
                }
            )
        seen.add(key)


@transaction.atomic
def scores_record_many(*, scores: list[SubjectScore], actor) -> list[SubjectScore]:
    """``scores_record`` for many scores at once (an imported results list), each already checked with
    ``full_clean`` and carrying its attempt (``score.attempt``, saved or not: a candidate not yet registered
    for the level and year is registered, as ``attempts_register_many`` does). A score already recorded for
    that attempt and subject is replaced. One audit row per attempt with its scores, then every result of the
    candidates' levels by the rule, with the certificates of the passes. A few queries for the whole batch."""
    scores_check_many(scores=scores, actor=actor)
    attempts_register_many(attempts=[score.attempt for score in scores], actor=actor)
    recorded = {}
    for chunk in in_chunks(sorted({score.attempt.pk for score in scores})):
        # The attempts are locked (in primary-key order) as scores_record locks its one.
        list(ExamAttempt.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values_list("pk"))
        for pk, attempt_id, subject_id in SubjectScore.objects.filter(attempt_id__in=chunk).values_list(
            "pk", "attempt_id", "subject_id"
        ):
            recorded[(attempt_id, subject_id)] = pk
    by_attempt: dict[int, list[SubjectScore]] = {}
    for score in scores:
        score.attempt = score.attempt  # its primary key is known now
        score.pk = recorded.get((score.attempt_id, score.subject_id))
        by_attempt.setdefault(score.attempt_id, []).append(score)
    SubjectScore.objects.bulk_update([s for s in scores if s.pk is not None], ["score"], batch_size=5000)
    SubjectScore.objects.bulk_create([s for s in scores if s.pk is None])
    audit_record_many(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        targets=[rows[0].attempt for rows in by_attempt.values()],
        changes=lambda attempt: _score_changes(by_attempt[attempt.pk]),
    )
    exam_results_refresh(pairs={(s.attempt.person_id, s.attempt.level_id) for s in scores}, actor=actor)
    return scores


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


def _ce_changes(entry: CEHours) -> dict:
    return {"hours": str(entry.hours), "course": str(entry.course)}


@transaction.atomic
def ce_hours_record(*, entry: CEHours, actor) -> CEHours:
    _require_person(actor, entry.person)
    creating = entry.pk is None
    entry.full_clean()
    ce_hours_check_many(entries=[entry], actor=actor)
    entry.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE,
        target=entry,
        changes=_ce_changes(entry),
    )
    return entry


def _ce_key(person_id, provider, course, day) -> tuple:
    return person_id, provider.strip(), course.strip(), day


def ce_hours_check_many(*, entries: list[CEHours], actor) -> None:
    """The rules ``ce_hours_record_many`` applies to a batch beyond each entry's own ``full_clean``, without
    writing (an import's check runs it on every batch): everyone in the actor's station, and a course is
    entered once for a person and day, in the batch and beside what is recorded (a file imported twice would
    count its hours twice). A query per 5,000 people."""
    _require_people(actor, {entry.person_id for entry in entries})
    first: dict[tuple, CEHours] = {}
    for entry in entries:
        key = _ce_key(entry.person_id, entry.provider, entry.course, entry.completed_on)
        if first.setdefault(key, entry) is not entry:
            raise ValidationError(_ce_twice(entry))
    ours = [entry.pk for entry in entries if entry.pk is not None]
    for chunk in in_chunks(sorted({entry.person_id for entry in entries})):
        recorded = (
            CEHours.objects.filter(person_id__in=chunk, completed_on__in={e.completed_on for e in entries})
            .exclude(pk__in=ours)
            .values_list("person_id", "provider", "course", "completed_on")
        )
        for row in recorded:
            if _ce_key(*row) in first:
                raise ValidationError(_ce_twice(first[_ce_key(*row)]))


def _ce_twice(entry: CEHours) -> str:
    return _("%(name)s's course “%(course)s” of %(day)s is already entered.") % {
        "name": entry.person.name,
        "course": entry.course,
        "day": entry.completed_on.isoformat(),
    }


@transaction.atomic
def ce_hours_record_many(*, entries: list[CEHours], actor) -> list[CEHours]:
    """``ce_hours_record`` for many new entries at once (an imported list), each already checked with
    ``full_clean``: created, each with its audit row, in a few queries for the whole batch."""
    ce_hours_check_many(entries=entries, actor=actor)
    CEHours.objects.bulk_create(entries)
    records_written.send(sender=CEHours, instances=entries)
    audit_record_many(actor=actor, action=AuditEvent.Action.CREATE, targets=entries, changes=_ce_changes)
    return entries


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
