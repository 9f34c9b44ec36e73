"""Casework: visits and the risk-tiered visit plan, cases through their lifecycle, group work."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from station.fields import LimitedTextField
from station.models import Activity, Person, Station


class Tier(models.TextChoices):
    HIGH = "high", _("high risk")
    KEY = "key", _("key")
    ORDINARY = "ordinary", _("ordinary")


class Risk(models.TextChoices):
    NONE = "none", _("no risk seen")
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")


class Visit(models.Model):
    class Kind(models.TextChoices):
        PHONE = "phone", _("phone visit")
        HOME = "home", _("home visit")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="visits", verbose_name=_("person")
    )
    household = models.BooleanField(
        _("whole household"), default=False, help_text=_("The visit was to the person's whole household.")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits", verbose_name=_("worker")
    )
    visited_on = models.DateField(_("date"), default=timezone.localdate, db_index=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=0)
    findings = LimitedTextField(_("what was found"), blank=True)
    risk = models.CharField(_("risk judgement"), max_length=10, choices=Risk.choices, default=Risk.NONE)
    follow_up_needed = models.BooleanField(_("follow-up needed"), default=False)
    follow_up_on = models.DateField(_("follow up by"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["person", "visited_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(follow_up_on__isnull=True) | Q(follow_up_on__gte=models.F("visited_on")),
                name="visit_follow_up_after_visit",
            )
        ]

    def __str__(self):
        return f"{self.visited_on} {self.get_kind_display()} {self.person}"

    def clean(self):
        if self.visited_on and self.visited_on > timezone.localdate():
            raise ValidationError({"visited_on": _("A visit cannot be in the future.")})
        if self.follow_up_on and self.visited_on and self.follow_up_on < self.visited_on:
            raise ValidationError({"follow_up_on": _("The follow-up cannot be before the visit.")})
        if self.follow_up_on and not self.follow_up_needed:
            self.follow_up_needed = True


class WatchEntry(models.Model):
    """A person under watch (elderly living alone, 特困, disabled...) with a risk tier and a visit cycle."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="watch_entries", verbose_name=_("person")
    )
    tier = models.CharField(_("risk tier"), max_length=10, choices=Tier.choices)
    reason = models.CharField(_("why watched"), max_length=200, blank=True)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="watch_entries",
        verbose_name=_("responsible worker"),
    )
    started_on = models.DateField(_("watched since"), default=timezone.localdate)
    ended_on = models.DateField(_("watched until"), null=True, blank=True)

    class Meta:
        verbose_name = _("watch list entry")
        verbose_name_plural = _("watch list (visit plan)")
        ordering = ["person__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(ended_on__isnull=True), name="watch_one_open_entry_per_person"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="watch_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.get_tier_display()})"

    @property
    def cycle_days(self) -> int:
        return tier_cycle(self.tier)["days"]

    @property
    def counting_kinds(self) -> list[str]:
        return list(tier_cycle(self.tier)["kinds"])


def tier_cycle(tier: str) -> dict:
    return settings.CASES_VISIT_CYCLES[tier]


class VisitRequest(models.Model):
    """A visit asked for within 24 hours after an event (a fall, a death in the family)."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="visit_requests", verbose_name=_("person")
    )
    event = models.CharField(_("what happened"), max_length=200)
    kind = models.CharField(
        _("kind of visit"), max_length=10, choices=Visit.Kind.choices, default=Visit.Kind.HOME
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visit_requests_made",
        verbose_name=_("requested by"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="visit_requests",
        verbose_name=_("assigned to"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    due_at = models.DateTimeField(_("due by"))
    visit = models.ForeignKey(
        Visit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("visit made"),
    )

    class Meta:
        verbose_name = _("urgent visit request")
        verbose_name_plural = _("urgent visit requests")
        ordering = ["due_at"]

    def __str__(self):
        return f"{self.person}: {self.event}"

    def save(self, *args, **kwargs):
        if not self.due_at:
            self.due_at = self.requested_at + timedelta(hours=settings.CASES_URGENT_VISIT_HOURS)
        super().save(*args, **kwargs)


class Case(models.Model):
    class Stage(models.TextChoices):
        INTAKE = "intake", _("intake")
        ASSESSMENT = "assessment", _("assessment")
        PLAN = "plan", _("plan")
        INTERVENTION = "intervention", _("intervention")
        REVIEW = "review", _("review")
        CLOSED = "closed", _("closed")

    class Source(models.TextChoices):
        VISIT = "visit", _("visit")
        REFERRAL = "referral", _("referral")
        WALK_IN = "walk_in", _("walk-in")
        PLATFORM = "platform", _("another platform")
        OTHER = "other", _("other")

    class Problem(models.TextChoices):
        ELDERLY_CARE = "elderly_care", _("elderly care")
        FAMILY = "family", _("family relations")
        CHILD = "child", _("child welfare")
        DISABILITY = "disability", _("disability")
        HEALTH = "health", _("health")
        MENTAL = "mental", _("mental health")
        POVERTY = "poverty", _("poverty and assistance")
        HOUSING = "housing", _("housing")
        EMPLOYMENT = "employment", _("employment")
        ADDICTION = "addiction", _("addiction")
        LEGAL = "legal", _("legal")
        OTHER = "other", _("other")

    class Outcome(models.TextChoices):
        GOALS_MET = "goals_met", _("goals met")
        PARTLY_MET = "partly_met", _("goals partly met")
        REFERRED = "referred", _("referred elsewhere")
        WITHDREW = "withdrew", _("client withdrew")
        MOVED = "moved", _("client moved or died")
        OTHER = "other", _("other")

    class Gate(models.TextChoices):
        ASSESSMENT = "assessment", _("assessment")
        PLAN = "plan", _("plan")
        CLOSURE = "closure", _("closure")

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="cases", verbose_name=_("station"), editable=False
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="cases", verbose_name=_("client")
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("assigned worker"),
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supervised_cases",
        verbose_name=_("supervisor"),
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_visit = models.ForeignKey(
        Visit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("from visit"),
    )
    problem_areas = models.JSONField(_("problem areas"), default=list, blank=True)
    risk_level = models.CharField(_("risk level"), max_length=10, choices=Risk.choices, default=Risk.LOW)
    opened_on = models.DateField(_("case opened on"), default=timezone.localdate)
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.INTAKE, db_index=True
    )
    pending_gate = models.CharField(
        _("waiting for approval of"), max_length=20, choices=Gate.choices, blank=True, editable=False
    )
    assessment = LimitedTextField(_("assessment"), blank=True)
    plan_summary = LimitedTextField(_("service plan"), blank=True)
    next_follow_up_on = models.DateField(_("next follow-up"), null=True, blank=True)
    review_due_on = models.DateField(_("review due"), null=True, blank=True)
    closing_summary = LimitedTextField(_("closing summary"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    reopened_count = models.PositiveIntegerField(_("times reopened"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on", "-pk"]
        permissions = [("approve_case", _("Can approve or send back case steps"))]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage="closed") | Q(closed_on__isnull=False), name="case_closed_has_date"
            ),
            models.CheckConstraint(
                condition=Q(pending_gate="") | ~Q(stage="closed"), name="case_closed_not_waiting"
            ),
        ]
        indexes = [models.Index(fields=["station", "stage"])]

    def __str__(self):
        return _("Case %(number)s (%(person)s)") % {"number": self.number, "person": self.person}

    @property
    def number(self) -> str:
        return f"GA{self.pk or 0:05d}"

    @property
    def is_open(self) -> bool:
        return self.stage != self.Stage.CLOSED

    @property
    def is_waiting(self) -> bool:
        return bool(self.pending_gate)

    def problem_area_labels(self) -> list[str]:
        labels = dict(self.Problem.choices)
        return [str(labels.get(code, code)) for code in self.problem_areas or []]

    def clean(self):
        if self.person_id and not self.station_id:
            self.station_id = self.person.community.station_id
        unknown = set(self.problem_areas or []) - set(self.Problem.values)
        if unknown:
            raise ValidationError({"problem_areas": _("Unknown problem area.")})
        if self.worker_id and self.supervisor_id and self.worker_id == self.supervisor_id:
            raise ValidationError({"supervisor": _("A worker cannot supervise their own case.")})


class CaseApproval(models.Model):
    """One request for the supervisor's approval of an assessment, a plan or a closure, and its answer."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("waiting")
        APPROVED = "approved", _("approved")
        SENT_BACK = "sent_back", _("sent back")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("case"))
    gate = models.CharField(_("step"), max_length=20, choices=Case.Gate.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = LimitedTextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(decision="pending"), name="case_one_pending_approval"
            ),
            models.CheckConstraint(
                condition=Q(decision="pending") | Q(decided_by__isnull=False),
                name="approval_decided_has_decider",
            ),
        ]

    def __str__(self):
        return f"{self.case.number} {self.get_gate_display()}: {self.get_decision_display()}"


class Goal(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("in progress")
        ACHIEVED = "achieved", _("achieved")
        DROPPED = "dropped", _("dropped")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals", verbose_name=_("case"))
    description = models.CharField(_("goal"), max_length=300)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        verbose_name = _("plan goal")
        verbose_name_plural = _("plan goals")
        ordering = ["target_date", "pk"]

    def __str__(self):
        return self.description


class CaseSession(models.Model):
    """A service session (节) with the client."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("case"))
    held_on = models.DateField(_("date"), default=timezone.localdate)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=60)
    content = LimitedTextField(_("content"))
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("worker")
    )

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["held_on", "pk"]

    def __str__(self):
        return f"{self.case.number} {self.held_on}"


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes", verbose_name=_("case"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    written_at = models.DateTimeField(_("written at"), default=timezone.now)
    text = LimitedTextField(_("note"))

    class Meta:
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        ordering = ["-written_at", "-pk"]

    def __str__(self):
        return f"{self.case.number} {self.written_at:%Y-%m-%d}"


class CaseAccessLog(models.Model):
    """One row each time someone opens a case file."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="access_log", verbose_name=_("case")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("who")
    )
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Where(models.TextChoices):
        ADMIN = "admin", _("admin page")
        PAGE = "page", _("case file page")

    where = models.CharField(_("where"), max_length=20, blank=True, choices=Where.choices)

    class Meta:
        verbose_name = _("case file access")
        verbose_name_plural = _("case file access log")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.case.number}"


class Group(models.Model):
    class Kind(models.TextChoices):
        SUPPORT = "support", _("support group")
        EDUCATION = "education", _("education group")
        GROWTH = "growth", _("growth group")
        THERAPY = "therapy", _("therapeutic group")
        MUTUAL_AID = "mutual_aid", _("mutual-aid group")
        RECREATION = "recreation", _("recreation group")

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="groups", verbose_name=_("station")
    )
    community = models.ForeignKey(
        "station.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="groups",
        verbose_name=_("community"),
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    goals = LimitedTextField(_("goals"), blank=True)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="casework_groups",
        verbose_name=_("worker"),
    )
    members = models.ManyToManyField(
        Person, blank=True, related_name="casework_groups", verbose_name=_("members")
    )
    planned_sessions = models.PositiveIntegerField(_("planned sessions"), default=6)
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("casework", "group")
        verbose_name_plural = pgettext_lazy("casework", "groups")
        ordering = ["-started_on", "-pk"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.community_id and self.station_id and self.community.station_id != self.station_id:
            raise ValidationError({"community": _("This community belongs to another station.")})


class GroupSession(models.Model):
    """A session (节) of a group; the event itself is a station.Activity in the service ledger."""

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("group")
    )
    activity = models.OneToOneField(
        Activity, on_delete=models.PROTECT, related_name="group_session", verbose_name=_("activity")
    )
    number = models.PositiveIntegerField(_("session number"))

    class Meta:
        verbose_name = _("group session")
        verbose_name_plural = _("group sessions")
        ordering = ["group", "number"]
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], name="group_session_number_unique"),
        ]

    def __str__(self):
        return f"{self.group} #{self.number}"
