"""The projects section of a person's page: the projects whose activities they attended."""

from django.db.models import Count
from django.utils.translation import gettext as _

from station.roles import profile_of

from . import selectors


def project_section(person, user):
    if profile_of(user) is None and not getattr(user, "is_superuser", False):
        return None
    projects = list(
        selectors.project_list_visible_to(user)
        .filter(activities__activity__attendances__person=person)
        .annotate(times=Count("activities__activity__attendances"))
        .order_by("-times", "pk")[:10]
    )
    if not projects:
        return None
    return {
        "title": _("Charity projects"),
        "template": "projects/person_section.html",
        "context": {"projects": projects},
    }
