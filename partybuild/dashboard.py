"""The party-building panel on the station's dashboard: branches that missed their themed party day."""

from django.utils.translation import gettext as _

from station.periods import add_months

from . import selectors


def missed_party_days_panel(scope, user):
    last = add_months(scope.month, -1)
    rows = [
        (month, selectors.branches_missing_party_days(scope.station, month, scope.community))
        for month in (last, scope.month)
    ]
    count = sum(len(missing) for _month, missing in rows)
    return {
        "title": _("Branches without a themed party day: %(n)d") % {"n": count},
        "template": "partybuild/dashboard_missed.html",
        "context": {"rows": rows},
    }
