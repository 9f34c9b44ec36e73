"""The organisations section of a person's page (station.registry.person_sections): every organisation the
person belongs to or belonged to, with their role and dates."""

from django.utils.translation import gettext as _

from . import selectors


def orgs_section(person, user):
    memberships = list(selectors.orgs_of_person(user, person))
    if not memberships:
        return None
    return {
        "title": _("Community organisations"),
        "template": "orgs/person_section.html",
        "context": {"memberships": memberships},
    }
