"""The casework section of a person's page: visits, watch tier, cases (or only their count), groups, needs."""

from django.utils.translation import gettext as _

from station.registry import person_sections
from station.roles import is_station_staff

from . import selectors


@person_sections.register("cases", order=10)
def casework_section(person, user):
    from .models import Case

    staff = is_station_staff(user) or user.is_superuser
    visits = (
        list(selectors.visit_list_visible_to(user).filter(person=person).select_related("worker")[:5])
        if staff
        else []
    )
    watch = (
        selectors.watch_list_visible_to(user).filter(person=person, ended_on__isnull=True).first()
        if staff
        else None
    )
    cases = list(selectors.case_list_visible_to(user).filter(person=person).select_related("worker"))
    open_case_count = Case.objects.filter(person=person).exclude(stage=Case.Stage.CLOSED).count()
    groups = list(person.casework_groups.all()[:5]) if staff else []
    needs = list(selectors.need_list_visible_to(user).filter(person=person).order_by("-raised_at")[:20])
    if not (staff or visits or watch or cases or open_case_count or groups or needs):
        return None
    return {
        "title": _("Casework and needs"),
        "template": "cases/person_section.html",
        "context": {
            "visits": visits,
            "watch": watch,
            "cases": cases,
            "hidden_open_cases": open_case_count - sum(1 for c in cases if c.is_open),
            "groups": groups,
            "needs": needs,
            "can_visit": staff,
            "person": person,
        },
    }
