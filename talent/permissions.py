"""Who may see what on the talent platform: functions returning None when allowed, a reason when not."""

from django.utils.translation import gettext as _

from station.roles import is_station_staff


def scores_visible_for(user, person) -> str | None:
    """A person's exam scores, mock scores and certificate status: station staff and the person's tutor only.
    A cadre sees that someone is in the study group and how many passed, never scores."""
    if is_station_staff(user, person.community.station_id):
        return None
    if (
        getattr(user, "is_authenticated", False)
        and person.study_memberships.filter(group__tutor=user).exists()
    ):
        return None
    return _("Scores and certificates are shown only to the station's staff and the person's tutor.")
