"""Sessions in the database, read through the shared cache, written when something changed or when the idle
half hour needs renewing.

Django's ``SESSION_SAVE_EVERY_REQUEST`` rewrites the session row on every page view to slide the idle
expiry. This store remembers the expiry it read, and ``SessionLifetimeMiddleware`` asks for a write only
when less than ``SESSION_COOKIE_AGE - SESSION_RENEW_AFTER`` seconds remain: a volunteer reading pages pays
one write a minute instead of one a page, and the idle limit still holds to within that minute.

With a shared cache (``CACHE_URL``: Redis, which every web process reads) ``SESSION_CACHED`` is on: a page
reads the session and its expiry from the cache, and the database only when the cache lost it; every write
goes to the database first, then to the cache, and a sign-out deletes both. Without a shared cache (the quick
start's in-process cache) every read goes to the database, so nothing here depends on one web process.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDatabaseStore
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone

logger = logging.getLogger(__name__)


class SessionStore(CachedDatabaseStore):
    cache_key_prefix = "station.sessions:"
    expires_at = None

    def __init__(self, session_key=None):
        super().__init__(session_key)
        self.cached = settings.SESSION_CACHED

    def _get_session_from_db(self):
        found = super()._get_session_from_db()
        self.expires_at = found.expire_date if found else None
        return found

    def load(self):
        if self.cached:
            try:
                found = self._cache.get(self.cache_key)
            except Exception:  # a cache down, or a key it refuses: the database answers
                found = None
            if found is not None:
                data, self.expires_at = found
                return data
        stored = self._get_session_from_db()
        if stored is None:
            return {}
        data = self.decode(stored.session_data)
        self._remember(data)
        return data

    def exists(self, session_key):
        return DatabaseSessionStore.exists(self, session_key)  # the database holds every session

    def save(self, must_create=False):
        DatabaseSessionStore.save(self, must_create)
        self.expires_at = self.get_expiry_date()
        self._remember(self._session)

    def delete(self, session_key=None):
        DatabaseSessionStore.delete(self, session_key)
        session_key = session_key or self.session_key
        if self.cached and session_key:
            try:
                self._cache.delete(self.cache_key_prefix + session_key)
            except Exception:
                logger.exception("a signed-out session stays in the cache until it expires")

    def _remember(self, data):
        if self.cached and self.expires_at is not None:
            try:
                self._cache.set(
                    self.cache_key, (data, self.expires_at), self.get_expiry_age(expiry=self.expires_at)
                )
            except Exception as exc:
                logger.warning("session cache unavailable: %s", exc)

    def needs_renewal(self) -> bool:
        if self.expires_at is None:
            return True
        left = self.expires_at - timezone.now()
        return left < timedelta(seconds=settings.SESSION_COOKIE_AGE - settings.SESSION_RENEW_AFTER)
