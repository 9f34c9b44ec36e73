"""What the casework services share: scope checks, locks in primary-key order, audit values."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from station.models import Person


def _require_person_in_scope(person: Person, actor):
    if not Person.objects.visible_to(actor).filter(pk=person.pk).exists():
        raise PermissionDenied(_("This person is not in your station."))


def lock_in_pk_order(queryset) -> list:
    """Lock the rows of ``queryset`` until the transaction ends, always in primary-key order (and only the
    rows of its own table), so two transactions locking overlapping rows queue instead of deadlocking.
    Every lock casework takes goes through here."""
    return list(queryset.select_for_update(of=("self",)).order_by("pk"))


def _lock_one(queryset):
    """The one row of ``queryset``, locked; DoesNotExist when there is none."""
    rows = lock_in_pk_order(queryset)
    if not rows:
        raise queryset.model.DoesNotExist
    return rows[0]


def _audit_value(value):
    """A value as the audit trail stores it (JSON): records by id, dates in ISO form."""
    if hasattr(value, "_meta"):
        return value.pk
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [_audit_value(v) for v in value]
    return value


def _apply(obj, fields: dict) -> dict:
    """Set on ``obj`` the fields whose value differs; return ``{name: [before, after]}`` for the audit."""
    changes = {}
    for name, value in fields.items():
        before = getattr(obj, name)
        if before != value:
            changes[name] = [_audit_value(before), _audit_value(value)]
            setattr(obj, name, value)
    return changes


def _refuse_unknown(fields: dict, allowed: set):
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))}
        )
