"""Factories of the talent platform, on the core's."""

from datetime import date, timedelta

import factory
from django.utils import timezone

from talent import services
from talent.models import (
    CEHours,
    Certificate,
    ExamLevel,
    ExamSubject,
    ExamYear,
    StudyGroup,
    StudySession,
    TalentProfile,
)
from tests.factories import PersonFactory  # noqa: F401


def level(code) -> ExamLevel:
    return ExamLevel.objects.get(code=code)


def subject(code) -> ExamSubject:
    return ExamSubject.objects.get(code=code)


class ExamYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExamYear
        django_get_or_create = ("year",)

    year = 2024
    registration_opens = factory.LazyAttribute(lambda e: date(e.year, 3, 1))
    registration_closes = factory.LazyAttribute(lambda e: date(e.year, 3, 20))
    exam_starts = factory.LazyAttribute(lambda e: date(e.year, 6, 14))
    exam_ends = factory.LazyAttribute(lambda e: date(e.year, 6, 15))
    results_on = factory.LazyAttribute(lambda e: date(e.year, 8, 30))


class TalentProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TalentProfile

    person = factory.SubFactory(PersonFactory)
    team_role = TalentProfile.TeamRole.TRAINEE
    background = TalentProfile.Background.TWO_COMMITTEES
    education = TalentProfile.Education.BACHELOR
    supported_since = date(2023, 1, 1)


class CEHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CEHours

    person = factory.SubFactory(PersonFactory)
    provider = "市社工协会"
    course = "社会工作伦理"
    completed_on = date(2025, 3, 1)
    hours = 10


def sit(person, year, scores: dict, actor, review=None):
    """Record a person's scores of one exam year: ``{subject code: score}`` (all of one level)."""
    exam = ExamYearFactory(year=year)
    subjects = {subject(code): value for code, value in scores.items()}
    the_level = next(iter(subjects)).level
    attempt = services.attempt_register(person=person, exam_year=exam, level=the_level, actor=actor)
    return services.scores_record(attempt=attempt, scores=subjects, actor=actor, review_passed=review)


def certificate_with_registration(
    person, actor, *, level_code="assistant", valid_from: date, year_passed=None
):
    """A certificate whose registration was completed on ``valid_from`` (walked through every state)."""
    from talent.models import Registration

    cert = Certificate.objects.create(
        person=person, level=level(level_code), year_passed=year_passed or valid_from.year
    )
    reg = Registration.objects.create(certificate=cert)
    for state in ["pending", "first_approved", "final_approved", "completed"]:
        reg = services.registration_move(registration=reg, to=state, actor=actor, on=valid_from)
    return cert, reg


def make_group(station, tutor, members=(), name="社工考试自学小组"):
    group = StudyGroup.objects.create(
        station=station, name=name, tutor=tutor, level=level("assistant"), started_on=date(2025, 1, 1)
    )
    for person in members:
        services.member_add(group=group, person=person, actor=tutor, joined_on=date(2025, 1, 1))
    return group


def make_session(group, actor, kind=StudySession.Kind.MOCK_EXAM, days_ago=1, subjects=("assistant_general",)):
    from station.models import Activity

    start = (timezone.now() - timedelta(days=days_ago)).replace(microsecond=0)
    session = services.study_session_save(
        session=StudySession(group=group, kind=kind),
        activity=Activity(title="模拟考试", starts_at=start, ends_at=start + timedelta(hours=2)),
        actor=actor,
    )
    session.subjects.set([subject(code) for code in subjects])
    return session
