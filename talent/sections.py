"""The talent section of a person's page: their path (volunteer since…, passed … in…, part-time since…),
and, for the station's staff and their tutor only, their scores and certificates."""

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from station.roles import profile_of

from . import permissions, selectors
from .models import Certificate, ExamAttempt, MockScore, StudyGroupMember, TalentProfile


def person_path(person, profile) -> list[tuple]:
    """The person's path as (date, what) pairs, oldest first, from every record that marks a step."""
    steps = []
    if profile is not None:
        if profile.work_started_on:
            steps.append((profile.work_started_on, _("began social-work experience")))
        if profile.supported_since:
            steps.append((profile.supported_since, _("supported by the station")))
        if profile.part_time_since:
            steps.append((profile.part_time_since, _("part-time social worker")))
        if profile.local_counted_on:
            steps.append((profile.local_counted_on, _("counted as a local social worker cultivated")))
    for member in StudyGroupMember.objects.filter(person=person).select_related("group"):
        steps.append((member.joined_on, _("joined the study group %(name)s") % {"name": member.group.name}))
    for attempt in ExamAttempt.objects.filter(person=person, result=ExamAttempt.Result.PASSED).select_related(
        "exam_year", "level"
    ):
        day = attempt.exam_year.results_on or attempt.exam_year.exam_ends
        steps.append((day, _("passed %(level)s") % {"level": attempt.level.name}))
    try:
        volunteer_since = person.volunteer.joined_on  # the volunteer platform's record, when there is one
    except (AttributeError, ObjectDoesNotExist):
        volunteer_since = None
    if volunteer_since:
        steps.append((volunteer_since, _("volunteer")))
    return sorted(steps, key=lambda step: step[0])


def talent_section(person, user):
    profile = TalentProfile.objects.filter(person=person).first()
    in_group = StudyGroupMember.objects.filter(person=person).exists()
    if profile is None and not in_group and not ExamAttempt.objects.filter(person=person).exists():
        return None
    if profile_of(user) is None and not getattr(user, "is_superuser", False):
        return None
    context = {"profile": profile, "path": person_path(person, profile), "scores_visible": False}
    if permissions.scores_visible_for(user, person) is None:
        context.update(
            scores_visible=True,
            attempts=ExamAttempt.objects.filter(person=person)
            .select_related("exam_year", "level")
            .prefetch_related("scores__subject"),
            certificates=Certificate.objects.filter(person=person)
            .select_related("level")
            .prefetch_related("registrations"),
            ce=selectors.ce_progress(person),
            mocks=MockScore.objects.filter(person=person).select_related("subject", "session__activity")[:10],
        )
    return {"title": _("Social work talent"), "template": "talent/person_section.html", "context": context}
