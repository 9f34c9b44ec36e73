"""Sessions in the database, written when something changed or when the idle half hour needs renewing.

Django's ``SESSION_SAVE_EVERY_REQUEST`` rewrites the session row on every page view to slide the idle
expiry. This store remembers the expiry it read, and ``SessionLifetimeMiddleware`` asks for a write only
when less than ``SESSION_COOKIE_AGE - SESSION_RENEW_AFTER`` seconds remain: a volunteer reading pages pays
one write a minute instead of one a page, and the idle limit still holds to within that minute. Every
process reads the same row, so nothing here depends on one web process.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    expires_at = None

    def _get_session_from_db(self):
        found = super()._get_session_from_db()
        self.expires_at = found.expire_date if found else None
        return found

    def needs_renewal(self) -> bool:
        if self.expires_at is None:
            return True
        left = self.expires_at - timezone.now()
        return left < timedelta(seconds=settings.SESSION_COOKIE_AGE - settings.SESSION_RENEW_AFTER)
