"""The points ledger. Points move only through ``post_entry``, with the volunteer row locked and the balance
changed in the same transaction."""

from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from station.models import Person, years_before

from .. import rules, selectors
from ..models import LedgerEntry, ServiceRecord, Volunteer
from .base import CREATE, audit, lock_row, words


def lock_volunteer(volunteer_id: int, queryset=None) -> Volunteer:
    """The volunteer row, locked: every movement of points holds it (see ``base`` for the order of locks)."""
    return lock_row(
        Volunteer.objects.select_related("person") if queryset is None else queryset, volunteer_id
    )


def _audit_entry(entry: LedgerEntry, actor, reason: str = "") -> None:
    audit(
        actor=actor,
        target=entry,
        action=CREATE,
        reason=reason,
        kind=entry.kind,
        points=entry.points,
        balance_after=entry.balance_after,
        volunteer=entry.volunteer_id,
    )


def post_entry(
    volunteer: Volunteer,
    *,
    kind: str,
    points: int,
    reason: str,
    actor=None,
    rule: dict | None = None,
    at: datetime | None = None,
    **links,
) -> LedgerEntry:
    """Append one entry and move the balance with it. The caller holds the volunteer row's lock."""
    if points == 0:
        raise ValidationError(_("An entry must move some points."))
    new_balance = volunteer.points_balance + points
    if new_balance < 0:
        raise ValidationError(
            _("Not enough points: the balance is %(balance)d.") % {"balance": volunteer.points_balance}
        )
    entry = LedgerEntry(
        volunteer=volunteer,
        kind=kind,
        points=points,
        balance_after=new_balance,
        reason=str(reason)[:300],
        rule=rule or {},
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=at or timezone.now(),
        **links,
    )
    entry.save()
    Volunteer.objects.filter(pk=volunteer.pk).update(
        points_balance=F("points_balance") + points, page_version=F("page_version") + 1
    )
    volunteer.points_balance = new_balance
    return entry


def earn(record: ServiceRecord, actor) -> LedgerEntry | None:
    """The earn entry of an approved record; exactly one per record (a unique constraint backs this)."""
    volunteer = lock_volunteer(record.volunteer_id)
    if LedgerEntry.objects.filter(service_record=record, kind=LedgerEntry.Kind.EARN).exists():
        return None
    person = Person.objects.prefetch_related("designations").get(pk=volunteer.person_id)
    rate = (
        record.shift.points_per_hour if record.shift_id and record.shift.points_per_hour is not None else None
    )
    rule = rules.points_for_service(person=person, day=record.service_date, minutes=record.minutes, rate=rate)
    if rule.points <= 0:
        return None
    what = record.description or words(_("volunteer service"))
    try:
        with transaction.atomic():
            return post_entry(
                volunteer,
                kind=LedgerEntry.Kind.EARN,
                points=rule.points,
                reason=rule.describe(what),
                rule=rule.as_dict(record.service_date),
                actor=actor,
                service_record=record,
            )
    except IntegrityError:  # another transaction earned first
        volunteer.refresh_from_db()
        return None


ADJUSTMENT_LIMIT = 1_000_000  # points; far above any real adjustment, far below the database's integer


@transaction.atomic
def points_adjust(
    *,
    volunteer: Volunteer,
    points: int,
    reason: str,
    actor,
    at: datetime | None = None,
    request_key: str = "",
) -> LedgerEntry:
    """A worker's adjustment, with a required reason and who made it (``at``: when migrating history).

    The same ``request_key`` (the form's hidden key) adjusts once: a double click is one adjustment.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("An adjustment needs a reason."))
    if not getattr(actor, "is_authenticated", False):
        raise ValidationError(_("An adjustment needs a signed-in worker."))
    if abs(int(points)) > ADJUSTMENT_LIMIT:
        raise ValidationError(
            _("An adjustment can move at most %(limit)d points.") % {"limit": ADJUSTMENT_LIMIT}
        )
    request_key = (request_key or "").strip()[:64].replace("\x00", "")
    locked = lock_volunteer(volunteer.pk)
    if request_key:
        done = LedgerEntry.objects.filter(volunteer=locked, request_key=request_key).first()
        if done is not None:
            volunteer.points_balance = locked.points_balance
            return done
    entry = post_entry(
        locked,
        kind=LedgerEntry.Kind.ADJUSTMENT,
        points=int(points),
        reason=reason,
        actor=actor,
        at=at,
        request_key=request_key,
    )
    _audit_entry(entry, actor, reason)
    volunteer.points_balance = locked.points_balance
    return entry


@transaction.atomic
def ledger_reverse(*, entry: LedgerEntry, reason: str, actor) -> LedgerEntry:
    """Undo an entry by a new one pointing at it. An entry can be reversed once."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("A reversal needs a reason."))
    volunteer = lock_volunteer(entry.volunteer_id)
    if entry.kind == LedgerEntry.Kind.REVERSAL:
        raise ValidationError(_("A reversal cannot itself be reversed; make an adjustment instead."))
    if entry.redemption_id:
        raise ValidationError(_("The points of a redemption move with it: cancel the redemption instead."))
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise ValidationError(_("This entry has already been reversed."))
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Reversal of “%(entry)s”: %(reason)s") % {"entry": entry.reason, "reason": reason}
    try:
        with transaction.atomic():
            reversal = post_entry(
                volunteer,
                kind=LedgerEntry.Kind.REVERSAL,
                points=-entry.points,
                reason=text,
                actor=actor,
                reverses=entry,
            )
    except IntegrityError:
        raise ValidationError(_("This entry has already been reversed.")) from None
    _audit_entry(reversal, actor, reason)
    return reversal


@transaction.atomic
def points_expire(*, volunteer: Volunteer, today: date | None = None) -> LedgerEntry | None:
    years = settings.VOLUNTEER_POINTS_EXPIRY_YEARS
    if not years:
        return None
    today = today or timezone.localdate()
    locked = lock_volunteer(volunteer.pk)
    cutoff = timezone.make_aware(datetime.combine(years_before(today, years), datetime.min.time()))
    amount = selectors.points_expiring(locked, cutoff)
    if amount <= 0:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Points earned before %(day)s expired (valid for %(years)d years)") % {
            "day": years_before(today, years).isoformat(),
            "years": years,
        }
    entry = post_entry(
        locked,
        kind=LedgerEntry.Kind.EXPIRY,
        points=-amount,
        reason=text,
        rule={"cutoff": cutoff.isoformat(), "years": years},
    )
    _audit_entry(entry, None, text)
    return entry
