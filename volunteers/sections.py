"""The volunteer section of a person's page (station.registry.person_sections)."""

from django.utils.translation import gettext as _

from station.roles import profile_of

from .models import Volunteer


def volunteer_section(person, user):
    try:
        volunteer = Volunteer.objects.get(person=person)
    except Volunteer.DoesNotExist:
        return None
    if profile_of(user) is None and not getattr(user, "is_superuser", False):
        return None
    from .selectors import volunteer_summary

    return {
        "title": _("Volunteer"),
        "template": "volunteers/person_section.html",
        "context": {"volunteer": volunteer, **volunteer_summary(volunteer)},
    }
