"""The party-building panel on the station's dashboard: branches that missed their themed party day in the
month shown (two queries)."""

from django.utils.translation import gettext as _

from . import selectors


def missed_party_days_panel(scope, user):
    missing = selectors.branches_missing_party_days(scope.station, scope.month, scope.community)
    return {
        "title": _("Branches without a themed party day: %(n)d") % {"n": len(missing)},
        "template": "partybuild/dashboard_missed.html",
        "context": {"month": scope.month, "missing": missing},
    }
