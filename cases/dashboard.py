"""The casework panel on the station's dashboard: who is overdue for a visit (staff only)."""

from django.utils.translation import gettext as _

from . import plan
from .models import WatchEntry

SHOWN = 15


def overdue_visits_panel(scope, user):
    entries = WatchEntry.objects.filter(person__community__station=scope.station)
    if scope.community is not None:
        entries = entries.filter(person__community=scope.community)
    late = plan.overdue_statuses(entries)
    return {
        "title": _("Overdue visits: %(n)d people") % {"n": len(late)},
        "template": "cases/dashboard_overdue.html",
        "context": {"statuses": late[:SHOWN], "more": max(0, len(late) - SHOWN)},
    }
