"""The rewards shop: sponsors' donations, redemptions, pickups and cancellations."""

import secrets
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from station.selectors import station_ids_for

from ..models import Donation, LedgerEntry, Redemption, Reward, Volunteer
from ..permissions import reward_available_for
from ..selectors import VOLUNTEER_PAGE_FIELDS
from .base import CREATE, UPDATE, audit, lock_row
from .ledger import lock_volunteer, post_entry


@transaction.atomic
def donation_record(*, donation: Donation, actor) -> Donation:
    """Record what a sponsor gave; a donation of a reward adds its quantity to the reward's stock."""
    if donation.pk:
        raise ValidationError(_("A recorded donation cannot be changed; record a new one."))
    donation.recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    donation.full_clean()
    if donation.reward_id:
        if donation.quantity <= 0:
            raise ValidationError({"quantity": _("Say how many were given.")})
        if donation.reward.station_id != donation.sponsor.station_id:
            raise ValidationError({"reward": _("This reward belongs to another station.")})
        Reward.objects.filter(pk=donation.reward_id).update(stock=F("stock") + donation.quantity)
    donation.save()
    audit(
        actor=actor,
        target=donation,
        action=CREATE,
        sponsor=donation.sponsor_id,
        reward=donation.reward_id,
        quantity=donation.quantity,
        value=donation.value,
    )
    return donation


REWARD_FIELDS = [
    "station",
    "sponsor",
    "name",
    "description",
    "points_price",
    "per_volunteer_limit",
    "active_from",
    "active_until",
    "is_active",
]


@transaction.atomic
def reward_save(*, reward: Reward, actor) -> Reward:
    """Put a reward on the shelf or change it. Its stock moves only by donations and redemptions: a change
    never writes the stock it was read with (a redemption in between would be undone)."""
    allowed = station_ids_for(actor)
    if allowed is not None and reward.station_id not in allowed:
        raise ValidationError({"station": _("Choose your own station.")})
    if reward.sponsor_id and reward.sponsor.station_id != reward.station_id:
        raise ValidationError({"sponsor": _("This sponsor is a partner unit of another station.")})
    reward.full_clean()
    creating = reward.pk is None
    if creating:
        reward.save()
    else:
        reward.save(update_fields=REWARD_FIELDS)
    audit(
        actor=actor,
        target=reward,
        action=CREATE if creating else UPDATE,
        **{
            name: getattr(reward, f"{name}_id" if name in ("station", "sponsor") else name)
            for name in REWARD_FIELDS
        },
    )
    return reward


def redemption_place(
    *, volunteer: Volunteer, reward: Reward | int, idempotency_key: str, actor
) -> Redemption:
    """Redeem a reward (the reward or its id): points and stock taken at once; the same key redeems once."""
    key = (idempotency_key or "").strip()[:64]
    if not key or "\x00" in key:
        raise ValidationError(_("The request is incomplete; open the reward again."))
    reward_id = reward.pk if isinstance(reward, Reward) else int(reward)
    try:
        return _redemption_place(volunteer_id=volunteer.pk, reward_id=reward_id, key=key, actor=actor)
    except IntegrityError:
        # The same key committed in a concurrent request: hand back that redemption.
        found = Redemption.objects.filter(volunteer_id=volunteer.pk, idempotency_key=key).first()
        if found is None:
            raise
        return found


@transaction.atomic
def _redemption_place(*, volunteer_id: int, reward_id: int, key: str, actor) -> Redemption:
    # The volunteer's row locked, and whether this key has redeemed already, in one statement.
    already = Redemption.objects.filter(volunteer=OuterRef("pk"), idempotency_key=key).values("pk")[:1]
    volunteer = lock_volunteer(
        volunteer_id,
        Volunteer.objects.select_related("person__community")
        .only(*VOLUNTEER_PAGE_FIELDS)
        .annotate(already=Subquery(already)),
    )
    if volunteer.already is not None:
        return Redemption.objects.get(pk=volunteer.already)
    try:
        reward = lock_row(Reward.objects.filter(station_id=volunteer.person.community.station_id), reward_id)
    except Reward.DoesNotExist:
        raise ValidationError(_("This reward is not available.")) from None
    problem = reward_available_for(reward, volunteer)
    if problem:
        raise ValidationError(problem)
    redemption = Redemption(
        volunteer=volunteer, reward=reward, points=reward.points_price, idempotency_key=key
    )
    for _attempt in range(5):
        if not Redemption.objects.filter(pickup_code=redemption.pickup_code).exists():
            break
        redemption.pickup_code = secrets.token_hex(4)
    redemption.save()
    updated = Reward.objects.filter(pk=reward.pk, stock__gte=1).update(stock=F("stock") - 1)
    if updated != 1:
        raise ValidationError(_("This reward is out of stock."))
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Redeemed “%(reward)s”") % {"reward": reward.name}
    post_entry(
        volunteer,
        kind=LedgerEntry.Kind.REDEEM,
        points=-reward.points_price,
        reason=text,
        actor=actor,
        redemption=redemption,
    )
    audit(actor=actor, target=redemption, action=CREATE, reward=reward.pk, points=redemption.points)
    return redemption


@transaction.atomic
def redemption_fulfil(*, redemption: Redemption, actor, pickup_code: str | None = None) -> Redemption:
    redemption = lock_row(Redemption.objects.select_related("volunteer__person", "reward"), redemption.pk)
    if pickup_code is not None and pickup_code.strip() != redemption.pickup_code:
        raise ValidationError(_("The pickup code does not match."))
    if redemption.status == Redemption.Status.FULFILLED:
        return redemption
    if redemption.status != Redemption.Status.PLACED:
        raise ValidationError(_("This redemption was cancelled."))
    redemption.status = Redemption.Status.FULFILLED
    redemption.fulfilled_at = timezone.now()
    redemption.fulfilled_by = actor if getattr(actor, "is_authenticated", False) else None
    redemption.save(update_fields=["status", "fulfilled_at", "fulfilled_by"])
    audit(actor=actor, target=redemption, status=[Redemption.Status.PLACED, Redemption.Status.FULFILLED])
    return redemption


@transaction.atomic
def redemption_fulfil_by_code(*, code: str, station_ids, actor) -> Redemption:
    # As typed by a merchant: full-width digits from a Chinese input method, spaces between groups.
    code = "".join(unicodedata.normalize("NFKC", code or "").split())
    qs = Redemption.objects.filter(pickup_code=code)
    if station_ids is not None:
        qs = qs.filter(reward__station_id__in=station_ids)
    redemption = qs.first()
    if redemption is None:
        raise ValidationError(_("No redemption has this pickup code."))
    if redemption.status == Redemption.Status.FULFILLED:
        # A code is good for one pickup: saying "done" again would hand the reward out twice.
        raise ValidationError(
            _("This code was already picked up on %(when)s.")
            % {"when": f"{timezone.localtime(redemption.fulfilled_at):%Y-%m-%d %H:%M}"}
        )
    return redemption_fulfil(redemption=redemption, actor=actor, pickup_code=code)


@transaction.atomic
def redemption_cancel(*, redemption: Redemption, reason: str, actor) -> Redemption:
    """Cancel a redemption waiting for pickup: the points come back by a refund entry, the stock returns."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the redemption is cancelled."))
    volunteer = lock_volunteer(redemption.volunteer_id)
    redemption = lock_row(Redemption.objects.select_related("volunteer__person", "reward"), redemption.pk)
    if redemption.status == Redemption.Status.CANCELLED:
        return redemption
    if redemption.status != Redemption.Status.PLACED:
        raise ValidationError(_("A reward already picked up cannot be cancelled."))
    redemption.status = Redemption.Status.CANCELLED
    redemption.cancelled_at = timezone.now()
    redemption.cancelled_by = actor if getattr(actor, "is_authenticated", False) else None
    redemption.cancel_reason = reason[:300]
    redemption.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason"])
    Reward.objects.filter(pk=redemption.reward_id).update(stock=F("stock") + 1)
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Refund for cancelled “%(reward)s”: %(reason)s") % {
            "reward": redemption.reward.name,
            "reason": reason,
        }
    post_entry(
        volunteer,
        kind=LedgerEntry.Kind.REFUND,
        points=redemption.points,
        reason=text,
        actor=actor,
        redemption=redemption,
    )
    audit(
        actor=actor,
        target=redemption,
        reason=reason,
        status=[Redemption.Status.PLACED, Redemption.Status.CANCELLED],
        points_refunded=redemption.points,
    )
    return redemption
