"""Every write of the volunteer platform that has rules. Views, admin actions, imports and tasks call these.

Locking order, everywhere: the volunteer row first, then the reward or shift row. Points move only through
``_post_entry`` which runs with the volunteer row locked and changes the balance in the same transaction.
"""

import secrets
import unicodedata
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from station.models import Activity, Attendance, AuditEvent, Person, Station, years_before
from station.services import audit_record

from . import rules
from .models import (
    Certificate,
    Donation,
    LedgerEntry,
    Redemption,
    Reward,
    ServiceRecord,
    ServiceRecordEvent,
    Shift,
    SignUp,
    Volunteer,
    VolunteerActivity,
)

User = get_user_model()


def _words(text) -> str:
    """Stored reasons are written in the station's language, whoever triggers them."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


# Volunteers ---------------------------------------------------------------------------------------------


@transaction.atomic
def volunteer_register(
    *,
    person: Person,
    actor,
    password: str | None = None,
    joined_on: date | None = None,
    skills: str = "",
    trainings: str = "",
    availability: str = "",
) -> Volunteer:
    """Make a person a volunteer, with a sign-in account named by their phone number."""
    if Volunteer.objects.filter(person=person).exists():
        raise ValidationError(_("%(name)s is already a volunteer.") % {"name": person.name})
    phone = (person.phone or "").strip()
    if not phone:
        raise ValidationError(_("A volunteer needs a phone number to sign in."))
    if User.objects.filter(username=phone).exists():
        raise ValidationError(
            _("The phone number %(phone)s is already used by an account.") % {"phone": phone}
        )
    volunteer = Volunteer(
        person=person,
        joined_on=joined_on or timezone.localdate(),
        skills=skills,
        trainings=trainings,
        availability=availability,
    )
    volunteer.full_clean(exclude=["user"])
    user = User(username=phone, first_name=person.name[:150], is_staff=False, is_superuser=False)
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    volunteer.user = user
    volunteer.save()
    audit_record(actor=actor, action=AuditEvent.Action.CREATE, target=volunteer)
    return volunteer


@transaction.atomic
def volunteer_set_password(*, volunteer: Volunteer, password: str, actor) -> None:
    user = volunteer.user
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, target=volunteer, reason=_("password set"))


# Activities and shifts ---------------------------------------------------------------------------------


@transaction.atomic
def volunteer_activity_save(
    *, volunteer_activity: VolunteerActivity, activity: Activity, actor
) -> VolunteerActivity:
    """Create or update a volunteer activity and the station activity it hangs on (platform "volunteers")."""
    activity.platform = Activity.Platform.VOLUNTEERS
    if activity.pk is None and getattr(actor, "is_authenticated", False):
        activity.organiser = actor
    activity.full_clean()
    activity.save()
    volunteer_activity.activity = activity
    volunteer_activity.full_clean()
    volunteer_activity.save()
    return volunteer_activity


@transaction.atomic
def shift_save(*, shift: Shift, actor) -> Shift:
    shift.full_clean()
    if shift.pk:
        taken = shift.signups.filter(status=SignUp.Status.SIGNED_UP).count()
        if shift.places < taken:
            raise ValidationError(
                {"places": _("%(n)d volunteers have signed up; places cannot be fewer.") % {"n": taken}}
            )
    shift.save()
    return shift


def _overlapping(volunteer: Volunteer, shift: Shift):
    return (
        SignUp.objects.filter(volunteer=volunteer, status=SignUp.Status.SIGNED_UP)
        .exclude(shift=shift)
        .filter(shift__starts_at__lt=shift.ends_at, shift__ends_at__gt=shift.starts_at)
        .select_related("shift__volunteer_activity__activity")
    )


def signup_missing_requirements(volunteer: Volunteer, volunteer_activity: VolunteerActivity) -> list[str]:
    missing = sorted(Volunteer.split(volunteer_activity.required_skills) - volunteer.skill_set)
    missing += sorted(Volunteer.split(volunteer_activity.required_training) - volunteer.training_set)
    return missing


@transaction.atomic
def signup_create(
    *, volunteer: Volunteer, shift: Shift, actor, by_worker: bool = False
) -> tuple[SignUp, list]:
    """Sign a volunteer up for a shift. Never more sign-ups than places, however many arrive at once.

    Returns the sign-up and warnings (other shifts of the volunteer that overlap this one).
    """
    shift = (
        Shift.objects.select_for_update(of=("self",))
        .select_related("volunteer_activity__activity")
        .get(pk=shift.pk)
    )
    activity = shift.volunteer_activity.activity
    if volunteer.status != Volunteer.Status.ACTIVE:
        raise ValidationError(_("Only active volunteers can sign up."))
    if activity.station_id != volunteer.person.community.station_id:
        raise ValidationError(_("This activity belongs to another station."))
    if not by_worker:
        if not shift.volunteer_activity.is_published:
            raise ValidationError(_("This activity is not open for sign-up."))
        if shift.ends_at <= timezone.now():
            raise ValidationError(_("This shift is over."))
        missing = signup_missing_requirements(volunteer, shift.volunteer_activity)
        if missing:
            raise ValidationError(_("This shift needs: %(what)s.") % {"what": "、".join(missing)})
    existing = SignUp.objects.filter(shift=shift, volunteer=volunteer).first()
    if existing and existing.status == SignUp.Status.SIGNED_UP:
        return existing, []
    taken = SignUp.objects.filter(shift=shift, status=SignUp.Status.SIGNED_UP).count()
    if taken >= shift.places:
        raise ValidationError(_("Sorry, this shift is full."))
    if existing:
        existing.status = SignUp.Status.SIGNED_UP
        existing.signed_up_at = timezone.now()
        existing.cancelled_at = None
        existing.save(update_fields=["status", "signed_up_at", "cancelled_at"])
        signup = existing
    else:
        signup = SignUp.objects.create(shift=shift, volunteer=volunteer)
    warnings = [
        _("This overlaps your shift “%(other)s”.") % {"other": other.shift}
        for other in _overlapping(volunteer, shift)
    ]
    return signup, warnings


@transaction.atomic
def signup_cancel(*, signup: SignUp, actor) -> SignUp:
    signup = SignUp.objects.select_for_update(of=("self",)).select_related("shift").get(pk=signup.pk)
    if signup.status == SignUp.Status.CANCELLED:
        return signup
    if signup.checked_in_at:
        raise ValidationError(_("You have already checked in to this shift."))
    if signup.shift.starts_at <= timezone.now():
        raise ValidationError(_("This shift has started; ask the social worker."))
    signup.status = SignUp.Status.CANCELLED
    signup.cancelled_at = timezone.now()
    signup.save(update_fields=["status", "cancelled_at"])
    return signup


def credited_minutes(shift: Shift, checked_in_at: datetime, checked_out_at: datetime) -> int:
    """Time inside the shift only: never more than the shift's length."""
    start = max(checked_in_at, shift.starts_at)
    end = min(checked_out_at, shift.ends_at)
    return max(0, int((end - start).total_seconds() // 60))


def _check_in(signup: SignUp, method: str, at: datetime) -> SignUp:
    if signup.status != SignUp.Status.SIGNED_UP:
        raise ValidationError(_("This sign-up was cancelled."))
    if at < signup.shift.starts_at - timedelta(hours=1):
        raise ValidationError(_("Check-in opens one hour before the shift starts."))
    if at > signup.shift.ends_at:
        raise ValidationError(_("This shift is over."))
    signup.checked_in_at = at
    signup.check_in_method = method
    signup.save(update_fields=["checked_in_at", "check_in_method"])
    return signup


@transaction.atomic
def checkout(
    *, signup: SignUp, actor, at: datetime | None = None, auto: bool = False
) -> ServiceRecord | None:
    """Check out and enter the hours for approval. Returns the service record (None if no time counted)."""
    signup = (
        SignUp.objects.select_for_update(of=("self",))
        .select_related("shift__volunteer_activity__activity")
        .get(pk=signup.pk)
    )
    if signup.checked_out_at:
        return getattr(signup, "service_record", None)
    if not signup.checked_in_at:
        raise ValidationError(_("Check in before checking out."))
    at = at or timezone.now()
    if at < signup.checked_in_at:
        raise ValidationError(_("Check-out cannot be before check-in."))
    signup.checked_out_at = at
    signup.auto_checked_out = auto
    signup.save(update_fields=["checked_out_at", "auto_checked_out"])
    minutes = credited_minutes(signup.shift, signup.checked_in_at, at)
    if minutes <= 0:
        return None
    entered = ServiceRecord.objects.filter(
        ServiceRecord.CURRENT, volunteer_id=signup.volunteer_id, shift=signup.shift
    ).first()
    if entered is not None:  # a worker already entered this shift's hours
        return entered
    record = ServiceRecord(
        volunteer_id=signup.volunteer_id,
        shift=signup.shift,
        signup=signup,
        service_date=timezone.localdate(signup.shift.starts_at),
        minutes=minutes,
        description=signup.shift.volunteer_activity.activity.title[:300],
        status=ServiceRecord.Status.PENDING,
        source=ServiceRecord.Source.CHECKOUT,
        flagged=auto,
    )
    record.full_clean()
    record.save()
    ServiceRecordEvent.objects.create(
        record=record,
        to_status=record.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        reason=_words(_("checked out automatically at the shift's end")) if auto else "",
    )
    return record


@transaction.atomic
def checkin_by_qr(
    *, volunteer: Volunteer, shift: Shift, token: str, actor, now: float | None = None, step: str = ""
) -> tuple[str, SignUp]:
    """The volunteer scanned the shift's code: check in, or check out if already in.

    ``step`` is what the volunteer's button said ("in" or "out"): a repeated tap of the same button
    does it once (a second "in" must not check out). Returns ("in" | "out", sign-up).
    """
    if not rules.qr_token_is_valid(shift, token, now=now):
        raise ValidationError(_("This code has expired. Scan the code on the screen again."))
    at = timezone.now()
    signup = SignUp.objects.filter(shift=shift, volunteer=volunteer, status=SignUp.Status.SIGNED_UP).first()
    if signup is None:
        signup, _warnings = signup_create(volunteer=volunteer, shift=shift, actor=actor)
    signup = SignUp.objects.select_for_update(of=("self",)).select_related("shift").get(pk=signup.pk)
    if step == "in" and signup.checked_in_at is not None:
        return "in", signup
    if step == "out" and signup.checked_out_at is not None:
        return "out", signup
    if signup.checked_in_at is None:
        return "in", _check_in(signup, SignUp.Method.QR, at)
    if signup.checked_out_at is None:
        checkout(signup=signup, actor=actor, at=at)
        signup.refresh_from_db()
        return "out", signup
    raise ValidationError(_("You have already checked out of this shift."))


def find_volunteer_for_checkin(*, shift: Shift, query: str) -> Volunteer:
    """A worker types a phone number or a name for an elder without a smartphone."""
    query = (query or "").strip()
    if not query:
        raise ValidationError(_("Type a phone number or a name."))
    station_id = shift.volunteer_activity.activity.station_id
    # A phone number as people type it: "138 1234-5678", full-width digits from a Chinese input method.
    phone = "".join(c for c in unicodedata.normalize("NFKC", query) if c not in " -")
    found = list(
        Volunteer.objects.filter(person__community__station_id=station_id)
        .filter(Q(person__phone=phone) | Q(person__name=query))
        .select_related("person__community")[:3]
    )
    if not found:
        raise ValidationError(_("No volunteer with this phone number or name."))
    if len(found) > 1:
        raise ValidationError(_("Several volunteers have this name; type the phone number instead."))
    return found[0]


@transaction.atomic
def checkin_by_worker(*, shift: Shift, query: str, actor) -> SignUp:
    volunteer = find_volunteer_for_checkin(shift=shift, query=query)
    signup = SignUp.objects.filter(shift=shift, volunteer=volunteer, status=SignUp.Status.SIGNED_UP).first()
    if signup is None:
        signup, _warnings = signup_create(volunteer=volunteer, shift=shift, actor=actor, by_worker=True)
    signup = SignUp.objects.select_for_update(of=("self",)).select_related("shift").get(pk=signup.pk)
    if signup.checked_in_at:
        raise ValidationError(_("%(name)s is already checked in.") % {"name": volunteer.person.name})
    return _check_in(signup, SignUp.Method.WORKER, timezone.now())


def auto_checkout_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Check out at the shift's end everyone who forgot, flagged for the worker."""
    now = now or timezone.now()
    ids = list(
        SignUp.objects.filter(
            status=SignUp.Status.SIGNED_UP,
            checked_in_at__isnull=False,
            checked_out_at__isnull=True,
            shift__ends_at__lte=now,
        ).values_list("pk", flat=True)[:limit]
    )
    done = 0
    for pk in ids:
        signup = SignUp.objects.select_related("shift").get(pk=pk)
        with transaction.atomic():
            checkout(signup=signup, actor=None, at=max(signup.shift.ends_at, signup.checked_in_at), auto=True)
            done += 1
    return done


# Service records ---------------------------------------------------------------------------------------


def _record_event(record: ServiceRecord, from_status: str, actor, reason: str = "") -> None:
    ServiceRecordEvent.objects.create(
        record=record,
        from_status=from_status,
        to_status=record.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason[:300],
    )


@transaction.atomic
def service_record_backfill(
    *,
    volunteer: Volunteer,
    service_date: date,
    minutes: int,
    description: str,
    actor,
    shift: Shift | None = None,
    source: str = ServiceRecord.Source.BACKFILL,
) -> ServiceRecord:
    """Hours added afterwards by a worker (补录), marked as such; they wait for approval like any others."""
    record = ServiceRecord(
        volunteer=volunteer,
        shift=shift,
        service_date=service_date,
        minutes=minutes,
        description=description,
        status=ServiceRecord.Status.ENTERED,
        source=source,
        entered_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if (
        shift is not None
        and ServiceRecord.objects.filter(ServiceRecord.CURRENT, volunteer=volunteer, shift=shift).exists()
    ):
        raise ValidationError(
            _("%(name)s already has hours for this shift; correct that record instead.")
            % {"name": volunteer.person.name}
        )
    record.full_clean()
    if service_date > timezone.localdate():
        raise ValidationError({"service_date": _("Hours cannot be entered for a day still to come.")})
    if (
        shift is not None
        and shift.volunteer_activity.activity.station_id != volunteer.person.community.station_id
    ):
        raise ValidationError(_("This shift belongs to another station."))
    record.save()
    _record_event(record, "", actor, _words(record.get_source_display()))
    return record


@transaction.atomic
def service_record_submit(*, record: ServiceRecord, actor) -> ServiceRecord:
    record = ServiceRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != ServiceRecord.Status.ENTERED:
        return record
    record.status = ServiceRecord.Status.PENDING
    record.save(update_fields=["status"])
    _record_event(record, ServiceRecord.Status.ENTERED, actor)
    return record


@transaction.atomic
def service_record_approve(*, record: ServiceRecord, actor) -> ServiceRecord:
    """Approve hours: the volunteer earns once, and counts in the activity's attendance."""
    record = (
        ServiceRecord.objects.select_for_update(of=("self",))
        .select_related("shift__volunteer_activity__activity")
        .get(pk=record.pk)
    )
    if record.status == ServiceRecord.Status.APPROVED:
        _earn(record, actor)  # a retried approval still earns exactly once
        return record
    if record.status not in (ServiceRecord.Status.ENTERED, ServiceRecord.Status.PENDING):
        raise ValidationError(
            _("A %(status)s record cannot be approved.") % {"status": record.get_status_display()}
        )
    before = record.status
    record.status = ServiceRecord.Status.APPROVED
    record.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    record.decided_at = timezone.now()
    record.save(update_fields=["status", "decided_by", "decided_at"])
    _record_event(record, before, actor)
    _earn(record, actor)
    if record.shift_id:
        Attendance.objects.get_or_create(
            activity_id=record.shift.volunteer_activity.activity_id,
            person_id=Volunteer.objects.values_list("person_id", flat=True).get(pk=record.volunteer_id),
        )
    return record


@transaction.atomic
def service_record_decline(*, record: ServiceRecord, reason: str, actor) -> ServiceRecord:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the hours are declined."))
    record = ServiceRecord.objects.select_for_update().get(pk=record.pk)
    if record.status not in (ServiceRecord.Status.ENTERED, ServiceRecord.Status.PENDING):
        raise ValidationError(
            _("A %(status)s record cannot be declined.") % {"status": record.get_status_display()}
        )
    before = record.status
    record.status = ServiceRecord.Status.DECLINED
    record.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    record.decided_at = timezone.now()
    record.decision_reason = reason[:300]
    record.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    _record_event(record, before, actor, reason)
    return record


@transaction.atomic
def service_record_correct(*, record: ServiceRecord, minutes: int, reason: str, actor) -> ServiceRecord:
    """Correct hours: the old record is kept (marked corrected), a new one waits for approval.

    If the old record had earned points, they are reversed by a new ledger entry.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the hours are corrected."))
    record = ServiceRecord.objects.select_for_update().get(pk=record.pk)
    if record.status in (ServiceRecord.Status.CORRECTED, ServiceRecord.Status.DECLINED):
        raise ValidationError(_("Only a current record can be corrected."))
    new = ServiceRecord(
        volunteer_id=record.volunteer_id,
        shift_id=record.shift_id,
        service_date=record.service_date,
        minutes=minutes,
        description=record.description,
        status=ServiceRecord.Status.PENDING,
        source=record.source,
        corrects=record,
        entered_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    new.full_clean(validate_constraints=False)  # the old record stops being current below
    if record.status == ServiceRecord.Status.APPROVED:
        earned = LedgerEntry.objects.filter(service_record=record, kind=LedgerEntry.Kind.EARN).first()
        if earned and not earned.reversals.exists():
            ledger_reverse(entry=earned, reason=reason, actor=actor)
    before = record.status
    record.status = ServiceRecord.Status.CORRECTED
    record.save(update_fields=["status"])
    _record_event(record, before, actor, reason)
    new.save()
    _record_event(new, "", actor, reason)
    return new


# The points ledger ------------------------------------------------------------------------------------


def _lock_volunteer(volunteer_id: int) -> Volunteer:
    return Volunteer.objects.select_for_update().get(pk=volunteer_id)


def _post_entry(
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
    Volunteer.objects.filter(pk=volunteer.pk).update(points_balance=F("points_balance") + points)
    volunteer.points_balance = new_balance
    return entry


def _earn(record: ServiceRecord, actor) -> LedgerEntry | None:
    """The earn entry of an approved record; exactly one per record (a unique constraint backs this)."""
    volunteer = _lock_volunteer(record.volunteer_id)
    if LedgerEntry.objects.filter(service_record=record, kind=LedgerEntry.Kind.EARN).exists():
        return None
    person = Person.objects.prefetch_related("designations").get(pk=volunteer.person_id)
    rate = (
        record.shift.points_per_hour if record.shift_id and record.shift.points_per_hour is not None else None
    )
    rule = rules.points_for_service(person=person, day=record.service_date, minutes=record.minutes, rate=rate)
    if rule.points <= 0:
        return None
    what = record.description or _words(_("volunteer service"))
    try:
        with transaction.atomic():
            return _post_entry(
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
    locked = _lock_volunteer(volunteer.pk)
    if request_key:
        done = LedgerEntry.objects.filter(volunteer=locked, request_key=request_key).first()
        if done is not None:
            volunteer.points_balance = locked.points_balance
            return done
    entry = _post_entry(
        locked,
        kind=LedgerEntry.Kind.ADJUSTMENT,
        points=int(points),
        reason=reason,
        actor=actor,
        at=at,
        request_key=request_key,
    )
    volunteer.points_balance = locked.points_balance
    return entry


@transaction.atomic
def ledger_reverse(*, entry: LedgerEntry, reason: str, actor) -> LedgerEntry:
    """Undo an entry by a new one pointing at it. An entry can be reversed once."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("A reversal needs a reason."))
    volunteer = _lock_volunteer(entry.volunteer_id)
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
            return _post_entry(
                volunteer,
                kind=LedgerEntry.Kind.REVERSAL,
                points=-entry.points,
                reason=text,
                actor=actor,
                reverses=entry,
            )
    except IntegrityError:
        raise ValidationError(_("This entry has already been reversed.")) from None


# Sponsors, rewards, redemptions ------------------------------------------------------------------------


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
    return donation


def reward_available_for(reward: Reward, volunteer: Volunteer, today: date | None = None) -> str | None:
    """Why the volunteer cannot redeem this reward now, or None."""
    today = today or timezone.localdate()
    if reward.station_id != volunteer.person.community.station_id or not reward.is_available_on(today):
        return _("This reward is not available.")
    if reward.stock <= 0:
        return _("This reward is out of stock.")
    if reward.per_volunteer_limit is not None:
        taken = Redemption.objects.filter(volunteer=volunteer, reward=reward).exclude(
            status=Redemption.Status.CANCELLED
        )
        if taken.count() >= reward.per_volunteer_limit:
            return _("You have reached the limit for this reward.")
    if volunteer.points_balance < reward.points_price:
        return _("Not enough points: this reward needs %(price)d, you have %(balance)d.") % {
            "price": reward.points_price,
            "balance": volunteer.points_balance,
        }
    return None


def redemption_place(*, volunteer: Volunteer, reward: Reward, idempotency_key: str, actor) -> Redemption:
    """Redeem a reward: points and stock taken at once; the same key redeems once."""
    key = (idempotency_key or "").strip()[:64]
    if not key or "\x00" in key:
        raise ValidationError(_("The request is incomplete; open the reward again."))
    try:
        return _redemption_place(volunteer_id=volunteer.pk, reward_id=reward.pk, key=key, actor=actor)
    except IntegrityError:
        # The same key committed in a concurrent request: hand back that redemption.
        found = Redemption.objects.filter(volunteer_id=volunteer.pk, idempotency_key=key).first()
        if found is None:
            raise
        return found


@transaction.atomic
def _redemption_place(*, volunteer_id: int, reward_id: int, key: str, actor) -> Redemption:
    volunteer = (
        Volunteer.objects.select_for_update(of=("self",))
        .select_related("person__community")
        .get(pk=volunteer_id)
    )
    already = Redemption.objects.filter(volunteer=volunteer, idempotency_key=key).first()
    if already is not None:
        return already
    reward = Reward.objects.select_for_update().get(pk=reward_id)
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
    _post_entry(
        volunteer,
        kind=LedgerEntry.Kind.REDEEM,
        points=-reward.points_price,
        reason=text,
        actor=actor,
        redemption=redemption,
    )
    return redemption


@transaction.atomic
def redemption_fulfil(*, redemption: Redemption, actor, pickup_code: str | None = None) -> Redemption:
    redemption = Redemption.objects.select_for_update().get(pk=redemption.pk)
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
    volunteer = _lock_volunteer(redemption.volunteer_id)
    redemption = (
        Redemption.objects.select_for_update(of=("self",)).select_related("reward").get(pk=redemption.pk)
    )
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
    _post_entry(
        volunteer,
        kind=LedgerEntry.Kind.REFUND,
        points=redemption.points,
        reason=text,
        actor=actor,
        redemption=redemption,
    )
    return redemption


# Expiry and the balance check ---------------------------------------------------------------------------

CREDIT_KINDS = (LedgerEntry.Kind.EARN, LedgerEntry.Kind.ADJUSTMENT)


def points_expiring(volunteer: Volunteer, cutoff: datetime) -> int:
    """Points earned before ``cutoff`` still unspent, spending oldest first (FIFO).

    Every debit so far (redemptions, expiries, reversals of credits, negative adjustments) is taken from the
    oldest credits first, so what is left of the old credits is old credit minus everything spent.
    """
    credits = LedgerEntry.objects.filter(volunteer=volunteer, kind__in=CREDIT_KINDS, points__gt=0)
    total_credit = credits.aggregate(s=Sum("points"))["s"] or 0
    old_credit = credits.filter(created_at__lt=cutoff).aggregate(s=Sum("points"))["s"] or 0
    spent = total_credit - volunteer.points_balance
    return max(0, min(old_credit - spent, volunteer.points_balance))


@transaction.atomic
def points_expire(*, volunteer: Volunteer, today: date | None = None) -> LedgerEntry | None:
    years = settings.VOLUNTEER_POINTS_EXPIRY_YEARS
    if not years:
        return None
    today = today or timezone.localdate()
    locked = _lock_volunteer(volunteer.pk)
    cutoff = timezone.make_aware(datetime.combine(years_before(today, years), datetime.min.time()))
    amount = points_expiring(locked, cutoff)
    if amount <= 0:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Points earned before %(day)s expired (valid for %(years)d years)") % {
            "day": years_before(today, years).isoformat(),
            "years": years,
        }
    return _post_entry(
        locked,
        kind=LedgerEntry.Kind.EXPIRY,
        points=-amount,
        reason=text,
        rule={"cutoff": cutoff.isoformat(), "years": years},
    )


def balance_mismatches(limit: int | None = None) -> list[tuple[int, int, int]]:
    """(volunteer id, balance kept, sum of entries) for every volunteer whose two disagree."""
    rows = (
        Volunteer.objects.annotate(ledger_sum=Coalesce(Sum("ledger__points"), 0))
        .exclude(points_balance=F("ledger_sum"))
        .order_by("pk")
        .values_list("pk", "points_balance", "ledger_sum")
    )
    if limit:
        rows = rows[:limit]
    return [(pk, balance, total or 0) for pk, balance, total in rows]


# Certificates -------------------------------------------------------------------------------------------


def approved_records(volunteer: Volunteer, start: date, end: date):
    return ServiceRecord.objects.filter(
        volunteer=volunteer,
        status=ServiceRecord.Status.APPROVED,
        service_date__gte=start,
        service_date__lte=end,
    )


@transaction.atomic
def certificate_issue(*, volunteer: Volunteer, period_start: date, period_end: date, actor) -> Certificate:
    if period_end < period_start:
        raise ValidationError(_("The period ends before it starts."))
    if period_end > timezone.localdate():
        period_end = timezone.localdate()
    records = approved_records(volunteer, period_start, period_end)
    minutes = records.aggregate(m=Sum("minutes"))["m"] or 0
    if minutes <= 0:
        raise ValidationError(_("There are no approved hours in this period."))
    summary: dict[str, int] = {}
    for description, mins in records.values_list("description", "minutes"):
        label = description or _words(_("volunteer service"))
        summary[label] = summary.get(label, 0) + mins
    station_id = volunteer.person.community.station_id
    number = f"ZYFW{timezone.localdate():%Y}{secrets.token_hex(5).upper()}"
    certificate = Certificate(
        number=number,
        volunteer=volunteer,
        station_id=station_id,
        period_start=period_start,
        period_end=period_end,
        minutes=minutes,
        activities=[{"what": k, "hours": round(v / 60, 1)} for k, v in sorted(summary.items())],
    )
    certificate.full_clean()
    certificate.save()
    return certificate


def station_of(volunteer: Volunteer) -> Station:
    return volunteer.person.community.station
