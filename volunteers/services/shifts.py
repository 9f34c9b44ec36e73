"""Activities, shifts, sign-ups, check-in and check-out (the hours they enter wait for approval)."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from station.models import Activity

from .. import rules, selectors
from ..models import ServiceRecord, Shift, SignUp, Volunteer, VolunteerActivity
from .base import CREATE, DELETE, UPDATE, audit, lock_row, pages_changed, words
from .hours import record_event


@transaction.atomic
def volunteer_activity_save(
    *, volunteer_activity: VolunteerActivity, activity: Activity, actor
) -> VolunteerActivity:
    """Create or update a volunteer activity and the station activity it hangs on (platform "volunteers")."""
    creating = volunteer_activity.pk is None
    activity.platform = Activity.Platform.VOLUNTEERS
    if activity.pk is None and getattr(actor, "is_authenticated", False):
        activity.organiser = actor
    activity.full_clean()
    activity.save()
    volunteer_activity.activity = activity
    volunteer_activity.full_clean()
    volunteer_activity.save()
    audit(
        actor=actor,
        target=volunteer_activity,
        action=CREATE if creating else UPDATE,
        title=activity.title,
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        is_published=volunteer_activity.is_published,
    )
    if not creating:  # the title and times on the home pages of those signed up
        pages_changed(
            SignUp.objects.filter(shift__volunteer_activity=volunteer_activity).values("volunteer_id")
        )
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
    creating = shift.pk is None
    shift.save()
    audit(
        actor=actor,
        target=shift,
        action=CREATE if creating else UPDATE,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        places=shift.places,
        points_per_hour=shift.points_per_hour,
    )
    if not creating:
        pages_changed(shift.signups.values("volunteer_id"))
    return shift


@transaction.atomic
def shift_delete(*, shift: Shift, actor) -> None:
    """Delete a shift nobody signed up for and no hours were entered for."""
    shift = lock_row(Shift.objects.select_related("volunteer_activity__activity"), shift.pk)
    if shift.signups.exists():
        raise ValidationError(_("A shift with sign-ups cannot be deleted."))
    if shift.service_records.exists():
        raise ValidationError(_("A shift with hours entered cannot be deleted."))
    audit(actor=actor, target=shift, action=DELETE, starts_at=shift.starts_at, places=shift.places)
    shift.delete()


def _signups_for_audit():
    """Sign-ups with what their audit row names (the volunteer and the shift's activity), in one query."""
    return SignUp.objects.select_related("shift__volunteer_activity__activity", "volunteer__person")


@transaction.atomic
def signup_create(
    *, volunteer: Volunteer, shift: Shift, actor, by_worker: bool = False
) -> tuple[SignUp, list]:
    """Sign a volunteer up for a shift. Never more sign-ups than places, however many arrive at once.

    Returns the sign-up and warnings (other shifts of the volunteer that overlap this one).
    """
    shift = lock_row(Shift.objects.select_related("volunteer_activity__activity"), shift.pk)
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
        missing = rules.signup_missing_requirements(volunteer, shift.volunteer_activity)
        if missing:
            raise ValidationError(_("This shift needs: %(what)s.") % {"what": "、".join(missing)})
    existing = SignUp.objects.filter(shift=shift, volunteer=volunteer).first()
    if existing and existing.status == SignUp.Status.SIGNED_UP:
        return existing, []
    taken = SignUp.objects.filter(shift=shift, status=SignUp.Status.SIGNED_UP).count()
    if taken >= shift.places:
        raise ValidationError(_("Sorry, this shift is full."))
    before = existing.status if existing else ""
    if existing:
        existing.status = SignUp.Status.SIGNED_UP
        existing.signed_up_at = timezone.now()
        existing.cancelled_at = None
        existing.save(update_fields=["status", "signed_up_at", "cancelled_at"])
        signup = existing
    else:
        signup = SignUp.objects.create(shift=shift, volunteer=volunteer)
    audit(
        actor=actor,
        target=signup,
        action=UPDATE if existing else CREATE,
        status=[before, SignUp.Status.SIGNED_UP],
        by_worker=by_worker,
    )
    pages_changed([volunteer.pk])
    warnings = [
        _("This overlaps your shift “%(other)s”.") % {"other": other.shift}
        for other in selectors.overlapping_signups(volunteer, shift)
    ]
    return signup, warnings


@transaction.atomic
def signup_cancel(*, signup: SignUp, actor) -> SignUp:
    signup = lock_row(_signups_for_audit(), signup.pk)
    if signup.status == SignUp.Status.CANCELLED:
        return signup
    if signup.checked_in_at:
        raise ValidationError(_("You have already checked in to this shift."))
    if signup.shift.starts_at <= timezone.now():
        raise ValidationError(_("This shift has started; ask the social worker."))
    signup.status = SignUp.Status.CANCELLED
    signup.cancelled_at = timezone.now()
    signup.save(update_fields=["status", "cancelled_at"])
    audit(actor=actor, target=signup, status=[SignUp.Status.SIGNED_UP, SignUp.Status.CANCELLED])
    pages_changed([signup.volunteer_id])
    return signup


def _check_in(signup: SignUp, method: str, at: datetime, actor) -> SignUp:
    if signup.status != SignUp.Status.SIGNED_UP:
        raise ValidationError(_("This sign-up was cancelled."))
    if at < signup.shift.starts_at - timedelta(hours=1):
        raise ValidationError(_("Check-in opens one hour before the shift starts."))
    if at > signup.shift.ends_at:
        raise ValidationError(_("This shift is over."))
    signup.checked_in_at = at
    signup.check_in_method = method
    signup.save(update_fields=["checked_in_at", "check_in_method"])
    audit(actor=actor, target=signup, checked_in_at=at, check_in_method=method)
    pages_changed([signup.volunteer_id])
    return signup


@transaction.atomic
def checkout(
    *, signup: SignUp, actor, at: datetime | None = None, auto: bool = False
) -> ServiceRecord | None:
    """Check out and enter the hours for approval. Returns the service record (None if no time counted)."""
    signup = lock_row(_signups_for_audit(), signup.pk)
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
    minutes = rules.credited_minutes(signup.shift, signup.checked_in_at, at)
    audit(actor=actor, target=signup, checked_out_at=at, auto_checked_out=auto, credited_minutes=minutes)
    pages_changed([signup.volunteer_id])
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
    record_event(record, "", actor, words(_("checked out automatically at the shift's end")) if auto else "")
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
    signup = lock_row(_signups_for_audit(), signup.pk)
    if step == "in" and signup.checked_in_at is not None:
        return "in", signup
    if step == "out" and signup.checked_out_at is not None:
        return "out", signup
    if signup.checked_in_at is None:
        return "in", _check_in(signup, SignUp.Method.QR, at, actor)
    if signup.checked_out_at is None:
        checkout(signup=signup, actor=actor, at=at)
        signup.refresh_from_db()
        return "out", signup
    raise ValidationError(_("You have already checked out of this shift."))


@transaction.atomic
def checkin_by_worker(*, shift: Shift, query: str, actor) -> SignUp:
    volunteer = selectors.find_volunteer_for_checkin(shift=shift, query=query)
    signup = SignUp.objects.filter(shift=shift, volunteer=volunteer, status=SignUp.Status.SIGNED_UP).first()
    if signup is None:
        signup, _warnings = signup_create(volunteer=volunteer, shift=shift, actor=actor, by_worker=True)
    signup = lock_row(_signups_for_audit(), signup.pk)
    if signup.checked_in_at:
        raise ValidationError(_("%(name)s is already checked in.") % {"name": volunteer.person.name})
    return _check_in(signup, SignUp.Method.WORKER, timezone.now(), actor)


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
