import time

from django.conf import settings
from django.contrib.auth import logout

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
        return self.get_response(request)
