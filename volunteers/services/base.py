"""What every part of the services shares: the station's language for stored words, and row locks.

Locks: every ``select_for_update`` of the platform goes through ``lock_row`` / ``lock_rows``. Rows of one
table are always locked in primary-key order, so two transactions that want overlapping rows queue instead of
deadlocking. Across tables the order is always: service record, volunteer, redemption, reward; shift, sign-up;
the volunteers' page versions (``pages_changed``) are raised last, at the end of the write.
"""

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Model, QuerySet
from django.utils import translation

from station.models import AuditEvent
from station.services import audit_record

from ..models import Volunteer


def words(text) -> str:
    """Stored reasons are written in the station's language, whoever triggers them."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def audit(*, actor, target, action: str = AuditEvent.Action.UPDATE, reason="", **changes) -> AuditEvent:
    """The audit row of a state change, written by the service inside its own transaction (so a change that
    rolls back leaves no row, and a change that stays always has one)."""
    return audit_record(
        actor=actor,
        action=action,
        target=target,
        reason=words(reason),
        changes={key: _plain(value) for key, value in changes.items()},
    )


CREATE, UPDATE, DELETE = AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE, AuditEvent.Action.DELETE


def _queryset(source) -> QuerySet:
    return source._default_manager.all() if isinstance(source, type) and issubclass(source, Model) else source


def lock_rows(source, pks) -> list:
    """Lock the rows of ``source`` (a model or a queryset of one) with these primary keys, in primary-key
    order, for the rest of the transaction. Returns them in that order; a key that matches no row is missing
    from the result (``lock_row`` raises instead)."""
    ordered = sorted(set(pks))
    return list(_queryset(source).select_for_update(of=("self",)).filter(pk__in=ordered).order_by("pk"))


def lock_row(source, pk):
    """Lock one row (``DoesNotExist`` when there is none), like ``lock_rows`` for a single key."""
    qs = _queryset(source)
    rows = list(qs.select_for_update(of=("self",)).filter(pk=pk))  # an id out of range is simply no row
    if not rows:
        raise qs.model.DoesNotExist(f"{qs.model._meta.label} {pk} does not exist.")
    return rows[0]


def pages_changed(volunteer_ids) -> None:
    """Raise the page version of these volunteers (ids, or a query of ids) in the caller's transaction: what
    their phone pages show changed without changing a column of their row (``Volunteer.page_version``)."""
    Volunteer.objects.filter(pk__in=volunteer_ids).update(page_version=F("page_version") + 1)
