"""The two-way volunteer platform: volunteers, activities and shifts, service records, the points ledger,
rewards and their sponsors' donations (sponsors are units of the core's partner units directory),
redemptions, certificates.

Every write with rules goes through ``volunteers.services``; the models hold the database rules.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from station.fields import LimitedTextField
from station.models import Activity, PartnerUnit, Person, Station


class Volunteer(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        PAUSED = "paused", _("paused")
        LEFT = "left", _("left")

    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, related_name="volunteer", verbose_name=_("person")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteer",
        verbose_name=_("sign-in account"),
        editable=False,
    )
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    skills = models.CharField(_("skills"), max_length=300, blank=True, help_text=_("Separate with commas."))
    trainings = models.CharField(
        _("trainings completed"), max_length=300, blank=True, help_text=_("Separate with commas.")
    )
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    points_balance = models.IntegerField(_("points balance"), default=0, editable=False)
    # The minutes of the volunteer's approved service records, kept by the services that approve and correct
    # hours (in the same transaction), so the phone pages read the summary from this row.
    approved_minutes = models.IntegerField(_("approved minutes"), default=0, editable=False)
    # Counts the writes the volunteer's own phone pages show that leave the columns above as they were (a
    # ledger entry, a sign-up, a check-in, a shift edited): raised in the same transaction as the write, and
    # part of the key under which those pages are cached (volunteers.pages).
    page_version = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["person__name", "pk"]
        permissions = [("adjust_points", _("Can adjust volunteer points"))]
        constraints = [
            models.CheckConstraint(condition=Q(points_balance__gte=0), name="volunteer_balance_not_negative")
        ]

    def __str__(self):
        return self.person.name

    @staticmethod
    def split(text: str) -> set[str]:
        return {part.strip() for part in text.replace("，", ",").split(",") if part.strip()}

    @property
    def skill_set(self) -> set[str]:
        return self.split(self.skills)

    @property
    def training_set(self) -> set[str]:
        return self.split(self.trainings)


class VolunteerActivity(models.Model):
    """The volunteer side of a station activity (platform "volunteers"): what is asked, and its shifts."""

    activity = models.OneToOneField(
        Activity, on_delete=models.PROTECT, related_name="volunteer_activity", verbose_name=_("activity")
    )
    description = LimitedTextField(_("what volunteers will do"), blank=True)
    required_skills = models.CharField(
        _("required skills"), max_length=300, blank=True, help_text=_("Separate with commas.")
    )
    required_training = models.CharField(
        _("required training"), max_length=300, blank=True, help_text=_("Separate with commas.")
    )
    is_published = models.BooleanField(_("open for sign-up"), default=True)

    class Meta:
        verbose_name = _("volunteer activity")
        verbose_name_plural = _("volunteer activities")
        ordering = ["-activity__starts_at"]

    def __str__(self):
        return self.activity.title


class Shift(models.Model):
    volunteer_activity = models.ForeignKey(
        VolunteerActivity, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("activity")
    )
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    places = models.PositiveIntegerField(_("number of places"))
    points_per_hour = models.PositiveIntegerField(
        _("points per hour"),
        null=True,
        blank=True,
        help_text=_("Leave empty for the station's standard rate."),
    )
    qr_secret = models.CharField(max_length=64, editable=False, default="")

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"),
            models.CheckConstraint(condition=Q(places__gte=1), name="shift_has_places"),
            models.CheckConstraint(
                condition=Q(ends_at__lte=F("starts_at") + timedelta(hours=24)), name="shift_at_most_a_day"
            ),
        ]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{self.volunteer_activity} {local:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self.qr_secret:
            self.qr_secret = secrets.token_hex(16)
        super().save(*args, **kwargs)

    def clean(self):
        if self.starts_at and self.ends_at:
            if self.ends_at <= self.starts_at:
                raise ValidationError({"ends_at": _("A shift must end after it starts.")})
            if (self.ends_at - self.starts_at).total_seconds() > 24 * 3600:
                raise ValidationError({"ends_at": _("A shift cannot be longer than 24 hours.")})

    @property
    def length_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class SignUp(models.Model):
    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", _("signed up")
        CANCELLED = "cancelled", _("cancelled")

    class Method(models.TextChoices):
        QR = "qr", _("scanned the QR code")
        WORKER = "worker", _("checked in by a worker")

    shift = models.ForeignKey(
        Shift, on_delete=models.PROTECT, related_name="signups", verbose_name=_("shift")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="signups", verbose_name=_("volunteer")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SIGNED_UP, db_index=True
    )
    signed_up_at = models.DateTimeField(_("signed up at"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    check_in_method = models.CharField(
        _("check-in method"), max_length=10, choices=Method.choices, blank=True
    )
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    auto_checked_out = models.BooleanField(
        _("checked out automatically"), default=False, help_text=_("Not checked out by the shift's end.")
    )
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["shift", "signed_up_at"]
        constraints = [
            models.UniqueConstraint(fields=["shift", "volunteer"], name="signup_once_per_shift"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_in_at__isnull=False, checked_out_at__gte=F("checked_in_at")),
                name="signup_checkout_after_checkin",
            ),
        ]

    def __str__(self):
        return f"{self.volunteer} @ {self.shift}"


class ServiceRecord(models.Model):
    """Hours given. Never deleted: a decline or a correction is a new state with who and why.

    A volunteer has at most one current (not declined, not corrected) record per shift.
    """

    CURRENT = ~Q(status__in=["declined", "corrected"])

    class Status(models.TextChoices):
        ENTERED = "entered", _("entered")
        PENDING = "pending", _("pending approval")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")
        CORRECTED = "corrected", _("replaced by a correction")

    class Source(models.TextChoices):
        CHECKOUT = "checkout", _("check-in and check-out")
        BACKFILL = "backfill", _("added afterwards by a worker")
        IMPORT = "import", _("imported history")

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="service_records", verbose_name=_("volunteer")
    )
    shift = models.ForeignKey(
        Shift,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_records",
        verbose_name=_("shift"),
    )
    signup = models.OneToOneField(
        SignUp, on_delete=models.PROTECT, null=True, blank=True, related_name="service_record", editable=False
    )
    service_date = models.DateField(_("service date"), db_index=True)
    minutes = models.PositiveIntegerField(_("minutes credited"))
    description = models.CharField(_("service given"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.CHECKOUT)
    flagged = models.BooleanField(
        _("flagged"), default=False, help_text=_("Checked out automatically at the shift's end.")
    )
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
        verbose_name=_("corrects"),
        editable=False,
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
        editable=False,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
        editable=False,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decision_reason = models.CharField(_("reason"), max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["-service_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gt=0) & Q(minutes__lte=24 * 60), name="service_minutes_in_range"
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | Q(decision_reason__gt=""),
                name="service_decline_has_reason",
            ),
            models.UniqueConstraint(
                fields=["volunteer", "shift"],
                condition=Q(shift__isnull=False) & ~Q(status__in=["declined", "corrected"]),
                name="service_one_current_record_per_shift",
                violation_error_message=_("The volunteer already has hours for this shift."),
            ),
        ]
        indexes = [models.Index(fields=["volunteer", "status"])]

    def __str__(self):
        return f"{self.volunteer} {self.service_date} {self.hours} 小时"

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A service record is never deleted: decline or correct it."))

    @property
    def hours(self):
        return round(self.minutes / 60, 2) if self.minutes is not None else None

    def clean(self):
        if self.minutes is not None and self.minutes <= 0:
            raise ValidationError({"minutes": _("Hours must be more than zero.")})
        if self.minutes is not None and self.minutes > 24 * 60:
            raise ValidationError({"minutes": _("A service record cannot be longer than 24 hours.")})
        if self.shift_id and self.minutes and self.minutes > self.shift.length_minutes:
            raise ValidationError({"minutes": _("Credited hours cannot exceed the shift's length.")})


class ServiceRecordEvent(models.Model):
    """Each state a service record went through, with who and why. Append-only."""

    record = models.ForeignKey(ServiceRecord, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("service record event")
        verbose_name_plural = _("service record events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.record_id}: {self.from_status or '-'} -> {self.to_status}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("History cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("History cannot be deleted."))


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError(_("Ledger entries cannot be changed."))

    def delete(self):
        raise ValidationError(_("Ledger entries cannot be deleted."))


class LedgerEntry(models.Model):
    """One movement of points. Append-only: a mistake is corrected by a reversal that points at it."""

    class Kind(models.TextChoices):
        EARN = "earn", _("earned")
        REDEEM = "redeem", _("redeemed")
        REFUND = "refund", _("refund")
        ADJUSTMENT = "adjustment", _("adjustment")
        EXPIRY = "expiry", _("expired")
        REVERSAL = "reversal", _("reversal")

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="ledger", verbose_name=_("volunteer")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    points = models.IntegerField(_("points"))
    balance_after = models.IntegerField(_("balance after"))
    reason = models.CharField(_("reason"), max_length=300)
    rule = models.JSONField(_("rule applied"), default=dict, blank=True)
    service_record = models.ForeignKey(
        ServiceRecord,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("service record"),
    )
    redemption = models.ForeignKey(
        "Redemption",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("redemption"),
    )
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversals",
        verbose_name=_("reverses"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    request_key = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("points ledger entry")
        verbose_name_plural = _("points ledger")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="ledger_points_not_zero"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="ledger_balance_not_negative"),
            models.UniqueConstraint(
                fields=["service_record"], condition=Q(kind="earn"), name="ledger_earn_once_per_record"
            ),
            models.UniqueConstraint(
                fields=["reverses"], condition=Q(reverses__isnull=False), name="ledger_reversed_once"
            ),
            models.UniqueConstraint(
                fields=["redemption", "kind"],
                condition=Q(redemption__isnull=False),
                name="ledger_one_entry_per_redemption_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind="adjustment") | Q(created_by__isnull=False),
                name="ledger_adjustment_has_author",
            ),
            models.UniqueConstraint(
                fields=["volunteer", "request_key"], condition=~Q(request_key=""), name="ledger_request_once"
            ),
        ]
        indexes = [models.Index(fields=["volunteer", "-created_at"])]

    def __str__(self):
        return f"{self.volunteer} {self.points:+d} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(_("Ledger entries cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Ledger entries cannot be deleted."))


class Reward(models.Model):
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    sponsor = models.ForeignKey(
        PartnerUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shop_rewards",
        verbose_name=_("sponsor"),
    )
    name = models.CharField(_("name"), max_length=100)
    description = LimitedTextField(_("description"), blank=True)
    points_price = models.PositiveIntegerField(_("points price"))
    stock = models.IntegerField(_("stock"), default=0, editable=False)
    per_volunteer_limit = models.PositiveIntegerField(
        _("limit per volunteer"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    active_from = models.DateField(_("available from"), default=timezone.localdate)
    active_until = models.DateField(_("available until"), null=True, blank=True)
    is_active = models.BooleanField(_("on the shelf"), default=True)

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["points_price", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="reward_stock_not_negative"),
            models.CheckConstraint(condition=Q(points_price__gt=0), name="reward_price_positive"),
        ]

    def __str__(self):
        return self.name

    def is_available_on(self, day) -> bool:
        return (
            self.is_active
            and self.active_from <= day
            and (self.active_until is None or day <= self.active_until)
        )


class Donation(models.Model):
    """What a sponsor (a unit of the partner units directory) gave, and when. A donation of a reward adds to
    its stock."""

    sponsor = models.ForeignKey(
        PartnerUnit, on_delete=models.PROTECT, related_name="shop_donations", verbose_name=_("sponsor")
    )
    reward = models.ForeignKey(
        Reward,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="donations",
        verbose_name=_("reward stocked"),
    )
    description = models.CharField(_("what was given"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), default=0)
    value = models.DecimalField(_("value (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    donated_on = models.DateField(_("donated on"), default=timezone.localdate)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-donated_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reward__isnull=True) | Q(quantity__gt=0), name="donation_to_reward_has_quantity"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0),
                name="donation_value_not_negative",
                violation_error_message=_("The value cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.sponsor}: {self.description}"


def new_pickup_code() -> str:
    return "".join(secrets.choice("23456789") for _ in range(8))


class Redemption(models.Model):
    class Status(models.TextChoices):
        PLACED = "placed", _("waiting for pickup")
        FULFILLED = "fulfilled", _("picked up")
        CANCELLED = "cancelled", _("cancelled")

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("volunteer")
    )
    reward = models.ForeignKey(
        Reward, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("reward")
    )
    points = models.PositiveIntegerField(_("points"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLACED, db_index=True
    )
    pickup_code = models.CharField(_("pickup code"), max_length=12, unique=True, default=new_pickup_code)
    idempotency_key = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("redeemed at"), default=timezone.now, db_index=True)
    fulfilled_at = models.DateTimeField(_("picked up at"), null=True, blank=True)
    fulfilled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "idempotency_key"], name="redemption_idempotency_key"
            ),
        ]

    def __str__(self):
        return f"{self.volunteer}: {self.reward}"


class Certificate(models.Model):
    """志愿服务记录证明: a numbered statement of approved hours for a period."""

    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("volunteer")
    )
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="+", verbose_name=_("station")
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    minutes = models.PositiveIntegerField(_("approved minutes"))
    activities = models.JSONField(_("service given"), default=list)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)

    class Meta:
        verbose_name = _("service certificate")
        verbose_name_plural = _("service certificates")
        ordering = ["-issued_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="certificate_period_in_order"
            )
        ]

    def __str__(self):
        return self.number

    @property
    def hours(self):
        return round(self.minutes / 60, 1)
