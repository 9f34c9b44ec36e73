"""The party section of a person's page (station.registry.person_sections): station staff and the person's
community cadre only; a member's party details are shown to nobody else."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors


def party_section(person, user):
    member = (
        selectors.member_list_visible_to(user)
        .filter(person=person)
        .select_related("org", "work_unit")
        .first()
    )
    study = (
        selectors.study_hours_by_year(person)
        if selectors.course_attendance_list_visible_to(user).exists()
        else {}
    )
    if member is None and not study:
        return None
    year = timezone.localdate().year
    context = {"member": member, "year": year, "study_hours": study.get(year), "study_target": None}
    if member is not None:
        report = member.reports.order_by("-submitted_on", "-pk").first()
        context.update(
            {
                "report": report,
                "hours": selectors.service_hours_in_year(member, year),
                "hours_target": settings.PARTYBUILD_MEMBER_HOURS_PER_YEAR or None,
                "posts": list(member.posts_held.filter(status="holding").select_related("post")[:10]),
                "needs": list(selectors.needs_of_member(member).order_by("-taken_at")[:10]),
                "study_target": settings.PARTYBUILD_STUDY_TARGETS.get("members"),
            }
        )
    elif study:
        context["study_target"] = settings.PARTYBUILD_STUDY_TARGETS.get("social_workers")
    return {
        "title": _("Party-mass co-building"),
        "template": "partybuild/person_section.html",
        "context": context,
    }
