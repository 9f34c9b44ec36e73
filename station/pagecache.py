"""Whole pages kept in the shared cache under the values they show.

A page the same person reads again and again (a volunteer's balance, a dashboard) is rendered once and kept
under a key made of everything it shows: its address, the language, and a tuple the view's ``key_of`` gives
(a volunteer's balance, minutes and page version; the rollup run a dashboard was drawn from). A change of
what the page shows is a change of its key, so a kept page is never out of date and nothing has to remember
to delete it; the old one simply ages out. ``key_of`` returns None for a page that is not to be kept.

The page's CSRF token is the one part that belongs to the browser, not to the page: it is rendered as a
placeholder and put in on the way out, so two phones of one volunteer each get their own. A page with a
message waiting (after a form) is rendered as usual, never kept. Each web process keys its pages with a
token of its own start, so a new release never serves a page rendered by the old code; no process relies on
another's pages being there.
"""

import hashlib
import logging
import time
from functools import wraps

from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

CSRF_PLACEHOLDER = "csrf-token-of-the-browser"
KEEP_SECONDS = 600
_PROCESS = f"{time.time_ns()}"


def _has_messages(request) -> bool:
    session = getattr(request, "session", None)
    return CookieStorage.cookie_name in request.COOKIES or (
        session is not None and SessionStorage.session_key in session
    )


def _key(request, parts) -> str:
    text = repr((_PROCESS, request.get_full_path(), get_language(), parts))
    return "page:" + hashlib.blake2b(text.encode(), digest_size=20).hexdigest()


def keep_for(response, seconds: int):
    """Keep this page at most ``seconds`` (e.g. until a listed shift ends)."""
    response.keep_seconds = max(0, int(seconds))
    return response


def cached_page(key_of):
    """Serve a GET from the shared cache under ``key_of(request, *args, **kwargs)``, called with the view's
    arguments (see the module's docstring). ``key_of`` runs on every request, so it also checks that the user
    may read the page (a 404 from it is the page's 404)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            kept = request.method == "GET" and not _has_messages(request)
            parts = key_of(request, *args, **kwargs) if kept else None
            if parts is None:
                return view(request, *args, **kwargs)
            key = _key(request, parts)
            try:
                body = cache.get(key)
            except Exception as exc:  # a cache that does not answer: the page is rendered as usual
                logger.warning("page cache unavailable: %s", exc)
                body = None
            if body is None:
                request.csrf_placeholder = True
                response = view(request, *args, **kwargs)
                if response.streaming:
                    return response
                body = response.content.decode(response.charset)
                seconds = getattr(response, "keep_seconds", KEEP_SECONDS)
                if response.status_code == 200 and seconds > 0:
                    try:
                        cache.set(key, body, seconds)
                    except Exception as exc:
                        logger.warning("page cache unavailable: %s", exc)
                response.content = body.replace(CSRF_PLACEHOLDER, get_token(request))
                return response
            return HttpResponse(body.replace(CSRF_PLACEHOLDER, get_token(request)))

        return wrapper

    return decorator
