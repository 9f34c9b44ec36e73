"""The session of a volunteer signed in on the phone pages."""

from station.permissions import RoleBackend

from . import selectors


class VolunteerBackend(RoleBackend):
    """Restores a volunteer's session with her row in the same query as her user (what the phone pages show on
    every page: balance, hours, name, station, unread reminders). It signs nobody in: the sign-in page checks
    the password through the project's backends, then logs a volunteer in with this one."""

    def authenticate(self, request, **credentials):
        return None

    def get_user(self, user_id):
        user = selectors.user_with_volunteer(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
