import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import Signal, receiver

from .middleware import SIGNED_IN_AT

# Sent by a service that writes many records at once (``bulk_create`` sends no ``post_save``), inside its
# transaction: ``sender`` is the model, ``instances`` the records written. The statistics listen, so an
# imported file of back-dated records revises the final months it falls in, like one record saved alone.
records_written = Signal()


@receiver(user_logged_in)
def stamp_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = time.time()
