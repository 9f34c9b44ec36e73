import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils import translation

SIGNED_IN_AT = "signed_in_at"


class SessionLifetimeMiddleware:
    """End a session 12 hours after sign-in, however active it stayed (idle expiry is the cookie age)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SIGNED_IN_AT)
            now = time.time()
            if started is None:
                request.session[SIGNED_IN_AT] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
            elif getattr(request.session, "needs_renewal", lambda: True)():
                request.session.modified = True  # slide the idle expiry (station.sessions)
        return self.get_response(request)


class LanguageMiddleware:
    """Simplified Chinese unless the user chose another language (the language cookie).

    The browser's Accept-Language is ignored on purpose: station computers often run English
    browsers, and the station works in Chinese.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
