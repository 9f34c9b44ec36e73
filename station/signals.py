import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .middleware import SIGNED_IN_AT


@receiver(user_logged_in)
def stamp_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = time.time()
