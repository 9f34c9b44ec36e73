"""Queueing background work so that a web request never fails because of the broker.

The record a task works on is saved first, in a state a periodic sweep finds (a notification not yet
e-mailed, a report not yet built, a rollup month marked STARTED). The task is sent only after the commit,
once, with short timeouts; if the broker is down or does not answer, the request still succeeds and the
sweep does the work when the broker is back.
"""

import logging

from django.db import transaction
from kombu.exceptions import KombuError, OperationalError

logger = logging.getLogger(__name__)
BROKER_ERRORS = (OperationalError, KombuError, ConnectionError, OSError, TimeoutError)


def send_now(task, *args) -> bool:
    """Send (or, without a broker, run) the task; False when the broker could not take it."""
    try:
        task.apply_async(args=args, retry=False)
    except BROKER_ERRORS as exc:
        logger.warning("broker unavailable, %s%r left to its sweep: %s", task.name, args, exc)
        return False
    return True


def send_after_commit(task, *args) -> None:
    """Send the task once the current transaction has committed (at once outside a transaction)."""
    transaction.on_commit(lambda: send_now(task, *args))
