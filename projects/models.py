"""Charity projects (公益慈善项目): projects, the resources partners bring, budget lines, milestones, outcomes,
evaluations and staged funding; venture-philanthropy contests (公益创投) judged on a rubric with recusal."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from station.fields import LimitedTextField
from station.models import (
    Activity,
    Attendance,
    Community,
    Need,
    PartnerUnit,
    Person,
    Rubric,
    RubricCriterion,
    Station,
)

MONEY = {"max_digits": 12, "decimal_places": 2}


class Project(models.Model):
    class Origin(models.TextChoices):
        INTRODUCED = "introduced", _("introduced from an outside organisation")
        IN_HOUSE = "in_house", _("designed in-house")
        CONTEST = "contest", _("funded through a contest")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")
        RUNNING = "running", _("running")
        CLOSING = "closing", _("closing")
        CLOSED = "closed", _("closed")
        TERMINATED = "terminated", _("terminated")

    class Rhythm(models.TextChoices):
        MONTHLY = "monthly", _("monthly")
        QUARTERLY = "quarterly", _("quarterly")
        MILESTONES = "milestones", _("at milestones")

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="projects", verbose_name=_("station")
    )
    title = models.CharField(_("title"), max_length=200)
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices)
    introduced_from = models.ForeignKey(
        PartnerUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects_introduced",
        verbose_name=_("introduced from"),
        help_text=_("The outside organisation an introduced project comes from."),
    )
    introduced_on = models.DateField(
        _("introduced on"), null=True, blank=True, help_text=_("Counted once, in this month.")
    )
    category = models.CharField(_("category"), max_length=30, choices=settings.PROJECTS_CATEGORIES)
    problem = LimitedTextField(_("problem it answers"), max_length=4000, blank=True)
    needs = models.ManyToManyField(
        Need, blank=True, related_name="projects", verbose_name=_("needs it answers")
    )
    # Who runs it: a partner unit, or a community organisation / residents' group referenced generically.
    runner_partner = models.ForeignKey(
        PartnerUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects_run",
        verbose_name=_("run by partner unit"),
    )
    runner_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("runner type"),
    )
    runner_id = models.PositiveBigIntegerField(_("runner id"), null=True, blank=True)
    runner_name = models.CharField(_("run by"), max_length=100, blank=True)
    lead_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects_led",
        verbose_name=_("lead social worker"),
    )
    communities = models.ManyToManyField(
        Community,
        blank=True,
        related_name="projects",
        verbose_name=_("communities"),
        help_text=_("The communities the project serves; leave empty for a station-wide project."),
    )
    target_groups = models.CharField(_("target groups"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    report_rhythm = models.CharField(
        _("reporting rhythm"), max_length=20, choices=Rhythm.choices, default=Rhythm.QUARTERLY
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True, editable=False)
    termination_reason = LimitedTextField(_("reason for termination"), max_length=2000, blank=True)
    amount_recovered = models.DecimalField(_("amount recovered (元)"), null=True, blank=True, **MONEY)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("charity project")
        verbose_name_plural = _("charity projects")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(origin="introduced") | Q(introduced_on__isnull=False),
                name="project_introduced_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="terminated") | Q(termination_reason__gt=""),
                name="project_terminated_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=models.F("starts_on")),
                name="project_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(amount_recovered__isnull=True) | Q(amount_recovered__gte=0),
                name="project_recovered_not_negative",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.origin == self.Origin.INTRODUCED and not self.introduced_on:
            errors["introduced_on"] = _("An introduced project needs the date it was introduced.")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("A project cannot end before it starts.")
        for field in ("runner_partner", "introduced_from"):
            unit = getattr(self, field)
            if unit is not None and self.station_id and unit.station_id != self.station_id:
                errors[field] = _("This partner unit belongs to another station.")
        if errors:
            raise ValidationError(errors)

    @property
    def community_names(self) -> str:
        """The communities it serves, 、-separated ("" for a station-wide project)."""
        return "、".join(c.name for c in self.communities.all())

    @property
    def runner(self) -> str:
        return str(self.runner_partner) if self.runner_partner_id else self.runner_name


class ProjectActivity(models.Model):
    """A project's activity or publicity event: a ``station.Activity`` of platform ``projects``."""

    class Kind(models.TextChoices):
        SERVICE = "service", _("service activity")
        PUBLICITY = "publicity", _("publicity")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="activities", verbose_name=_("project")
    )
    activity = models.OneToOneField(
        Activity, on_delete=models.CASCADE, related_name="project_link", verbose_name=_("activity")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SERVICE)
    reach = models.PositiveIntegerField(
        _("reach"), default=0, help_text=_("People reached by a publicity event or post.")
    )

    class Meta:
        verbose_name = _("project activity")
        verbose_name_plural = _("project activities")
        ordering = ["-activity__starts_at"]

    def __str__(self):
        return str(self.activity)


class Beneficiary(Attendance):
    """A named person at a project's activity: ``station.Attendance`` seen from the project platform (the
    admin's list of beneficiaries and its Excel import of sign-in sheets)."""

    class Meta:
        proxy = True
        verbose_name = _("project beneficiary")
        verbose_name_plural = _("project beneficiaries")


class Resource(models.Model):
    """One resource that came in (or went out): money in 元, or goods with what, how many and a value in 元."""

    class Kind(models.TextChoices):
        MONEY = "money", _("money")
        GOODS = "goods", _("goods")

    class Direction(models.TextChoices):
        IN = "in", _("received")
        OUT = "out", _("given out")

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="project_resources", verbose_name=_("station")
    )
    direction = models.CharField(
        _("direction"), max_length=5, choices=Direction.choices, default=Direction.IN
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    partner = models.ForeignKey(
        PartnerUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="project_resources",
        verbose_name=_("partner unit"),
    )
    on = models.DateField(_("date"))
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("project"),
    )
    need = models.ForeignKey(
        Need, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("need")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    recipient = models.CharField(_("given to"), max_length=100, blank=True)
    description = models.CharField(_("what"), max_length=200, blank=True)
    quantity = models.DecimalField(_("how many"), max_digits=10, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(
        _("amount or value (元)"), null=True, blank=True, help_text=_("Goods at their value."), **MONEY
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("linked resource")
        verbose_name_plural = _("linked resources")
        ordering = ["-on", "-pk"]
        constraints = [
            # Money and goods alike carry a value in 元: a goods record without a value is refused.
            models.CheckConstraint(
                condition=Q(amount__isnull=False) & Q(amount__gt=0), name="resource_has_value"
            ),
            models.CheckConstraint(
                condition=Q(kind="money")
                | (Q(description__gt="") & Q(quantity__isnull=False) & Q(quantity__gt=0)),
                name="resource_goods_what_and_how_many",
            ),
            models.CheckConstraint(
                condition=Q(direction="out") | Q(partner__isnull=False), name="resource_in_has_partner"
            ),
        ]

    def __str__(self):
        if self.kind == self.Kind.GOODS:
            return f"{self.description} ×{self.quantity:g} ({self.amount} 元)"
        return f"{self.amount} 元"

    def clean(self):
        errors = {}
        if self.amount is None or self.amount <= 0:
            errors["amount"] = (
                _("Goods need a value in 元.")
                if self.kind == self.Kind.GOODS
                else _("Give the amount in 元 (more than 0).")
            )
        if self.kind == self.Kind.GOODS:
            if not (self.description or "").strip():
                errors["description"] = _("Say what the goods are.")
            if self.quantity is None or self.quantity <= 0:
                errors["quantity"] = _("Say how many.")
        if self.direction == self.Direction.IN and not self.partner_id:
            errors["partner"] = _("Say which partner unit it came from.")
        if self.partner_id and self.station_id and self.partner.station_id != self.station_id:
            errors["partner"] = _("This partner unit belongs to another station.")
        if self.project_id and self.station_id and self.project.station_id != self.station_id:
            errors["project"] = _("This project belongs to another station.")
        if errors:
            raise ValidationError(errors)


class BudgetLine(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="budget_lines", verbose_name=_("project")
    )
    item = models.CharField(_("budget item"), max_length=100)
    planned = models.DecimalField(_("planned (元)"), **MONEY)
    spent = models.DecimalField(_("spent (元)"), default=0, **MONEY)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["project", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned__gte=0) & Q(spent__gte=0), name="budgetline_not_negative"
            ),
            models.UniqueConstraint(fields=["project", "item"], name="budgetline_unique_item"),
        ]

    def __str__(self):
        return self.item


class Milestone(models.Model):
    """A milestone and the report due with it. Overdue is computed from the dates, never stored."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("project")
    )
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("report due on"))
    reported_on = models.DateField(_("report received on"), null=True, blank=True)
    report = LimitedTextField(_("report"), max_length=4000, blank=True)
    flagged_at = models.DateTimeField(
        _("flagged to the station head at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("milestone and report")
        verbose_name_plural = _("milestones and reports")
        ordering = ["project", "due_on", "pk"]

    def __str__(self):
        return self.title

    def days_overdue(self, today=None) -> int:
        today = today or timezone.localdate()
        if self.reported_on is not None or self.due_on >= today:
            return 0
        return (today - self.due_on).days

    @property
    def is_overdue(self) -> bool:
        return self.days_overdue() > 0


class Outcome(models.Model):
    """A target against what was achieved. A count of activities, 人次 or people is filled from the project's
    own activities (platform ``projects``); any other measure is typed."""

    class Measure(models.TextChoices):
        TYPED = "typed", _("typed in")
        ACTIVITIES = "activities", _("activities held (次)")
        PERSON_TIMES = "person_times", _("services (人次)")
        PEOPLE = "people", _("people served (人)")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("project")
    )
    label = models.CharField(_("outcome"), max_length=200)
    measure = models.CharField(_("measure"), max_length=20, choices=Measure.choices, default=Measure.TYPED)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    achieved_typed = models.DecimalField(
        _("achieved (typed)"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["project", "pk"]
        constraints = [models.CheckConstraint(condition=Q(target__gt=0), name="outcome_target_positive")]

    def __str__(self):
        return self.label


class Evaluation(models.Model):
    """立项 / 中期 / 终期: scored on the project's own copy of an evaluation rubric."""

    class Stage(models.TextChoices):
        INITIATION = "initiation", _("initiation evaluation")
        MIDTERM = "midterm", _("mid-term evaluation")
        FINAL = "final", _("final evaluation")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("project")
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="+", verbose_name=_("rubric"))
    evaluated_on = models.DateField(_("evaluated on"))
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("evaluator")
    )
    total = models.DecimalField(_("weighted total"), max_digits=5, decimal_places=2, editable=False)
    passed = models.BooleanField(_("passed"), editable=False)
    comment = LimitedTextField(_("comment"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("project evaluation")
        verbose_name_plural = _("project evaluations")
        ordering = ["project", "evaluated_on", "pk"]

    def __str__(self):
        return f"{self.project} · {self.get_stage_display()}"


class EvaluationScore(models.Model):
    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="scores", verbose_name=_("evaluation")
    )
    criterion = models.ForeignKey(
        RubricCriterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("evaluation score")
        verbose_name_plural = _("evaluation scores")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "criterion"], name="evaluationscore_once"),
        ]

    def __str__(self):
        return f"{self.criterion_id}: {self.score}"


class Tranche(models.Model):
    """A part of the project's funding, released only when the evaluation before it passed."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        REQUESTED = "requested", _("release requested")
        RELEASED = "released", _("released")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="tranches", verbose_name=_("project")
    )
    number = models.PositiveSmallIntegerField(_("tranche number"))
    amount = models.DecimalField(_("amount (元)"), **MONEY)
    after_stage = models.CharField(
        _("released after the evaluation"),
        max_length=20,
        choices=Evaluation.Stage.choices,
        help_text=_("This evaluation must have passed before the tranche is released."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
        editable=False,
    )
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
        editable=False,
    )
    released_on = models.DateField(_("released on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("funding tranche")
        verbose_name_plural = _("funding tranches")
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="tranche_unique_number"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="tranche_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="released")
                | (Q(approved_by__isnull=False) & Q(released_on__isnull=False)),
                name="tranche_released_is_approved",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("requested_by")),
                name="tranche_requester_cannot_approve",
            ),
        ]

    def __str__(self):
        return _("Tranche %(n)s of %(project)s") % {"n": self.number, "project": self.project}


# ---------------------------------------------------------------- contests (公益创投)


class Contest(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        JUDGING = "judging", _("judging")
        FINISHED = "finished", _("finished")

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="contests", verbose_name=_("station")
    )
    title = models.CharField(_("title"), max_length=200)
    budget = models.DecimalField(_("budget (元)"), **MONEY)
    drop_extremes = models.BooleanField(
        _("drop the highest and lowest score"),
        default=False,
        help_text=_(
            "When at least three judges scored, the highest and the lowest are left out of the mean."
        ),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contest")
        verbose_name_plural = _("contests")
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(budget__gte=0), name="contest_budget_not_negative")]

    def __str__(self):
        return self.title


class ContestRound(models.Model):
    contest = models.ForeignKey(
        Contest, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("contest")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=100)
    rubric = models.ForeignKey(
        Rubric,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rubric (the round's own copy)"),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)

    class Meta:
        verbose_name = _("contest round")
        verbose_name_plural = _("contest rounds")
        ordering = ["contest", "order"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "order"], name="contestround_unique_order"),
        ]

    def __str__(self):
        return f"{self.contest} · {self.name}"


class PrizeTier(models.Model):
    contest = models.ForeignKey(
        Contest, on_delete=models.CASCADE, related_name="prizes", verbose_name=_("contest")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=100)
    places = models.PositiveSmallIntegerField(_("places"), default=1)
    amount = models.DecimalField(_("amount per winner (元)"), **MONEY)

    class Meta:
        verbose_name = _("prize tier")
        verbose_name_plural = _("prize tiers")
        ordering = ["contest", "order"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "order"], name="prizetier_unique_order"),
            models.CheckConstraint(condition=Q(amount__gt=0) & Q(places__gt=0), name="prizetier_positive"),
        ]

    def __str__(self):
        return f"{self.name} ({self.amount} 元 × {self.places})"


def attachment_path(instance, filename):
    return f"projects/applications/{timezone.now():%Y/%m}/{filename}"


class Application(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("in the contest")
        OUT = "out", _("not selected")
        AWARDED = "awarded", _("awarded")

    contest = models.ForeignKey(
        Contest, on_delete=models.CASCADE, related_name="applications", verbose_name=_("contest")
    )
    title = models.CharField(_("project title"), max_length=200)
    applicant_partner = models.ForeignKey(
        PartnerUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contest_applications",
        verbose_name=_("applicant partner unit"),
    )
    applicant_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applicant type"),
    )
    applicant_id = models.PositiveBigIntegerField(_("applicant id"), null=True, blank=True)
    applicant_name = models.CharField(_("applicant"), max_length=100)
    leader_name = models.CharField(_("leader"), max_length=50, blank=True)
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    category = models.CharField(
        _("category"), max_length=30, choices=settings.PROJECTS_CATEGORIES, blank=True
    )
    proposal = LimitedTextField(_("proposal"), max_length=8000)
    budget_asked = models.DecimalField(_("budget asked (元)"), **MONEY)
    attachment = models.FileField(_("attachment"), upload_to=attachment_path, blank=True)
    current_round = models.ForeignKey(
        ContestRound,
        on_delete=models.PROTECT,
        related_name="current_applications",
        verbose_name=_("current round"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    project = models.OneToOneField(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="application",
        verbose_name=_("project"),
        editable=False,
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        verbose_name = _("contest application")
        verbose_name_plural = _("contest applications")
        ordering = ["contest", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(budget_asked__gt=0), name="application_budget_positive"),
        ]

    def __str__(self):
        return f"{self.title} ({self.applicant_name})"


class Entry(models.Model):
    """An application in one round, with that round's result kept and the staff's decision recorded."""

    class Result(models.TextChoices):
        PENDING = "pending", _("waiting for the decision")
        ADVANCED = "advanced", _("advanced to the next round")
        AWARDED = "awarded", _("awarded")
        OUT = "out", _("not selected")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="entries", verbose_name=_("application")
    )
    round = models.ForeignKey(
        ContestRound, on_delete=models.CASCADE, related_name="entries", verbose_name=_("round")
    )
    result = models.CharField(_("result"), max_length=20, choices=Result.choices, default=Result.PENDING)
    score = models.DecimalField(
        _("score (mean)"), max_digits=5, decimal_places=2, null=True, blank=True, editable=False
    )
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True, editable=False)
    prize = models.ForeignKey(
        PrizeTier, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("prize")
    )
    award_amount = models.DecimalField(_("award (元)"), null=True, blank=True, editable=False, **MONEY)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
        editable=False,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("round entry")
        verbose_name_plural = _("round entries")
        ordering = ["round", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "round"], name="entry_once_per_round"),
            models.CheckConstraint(
                condition=Q(result="pending") | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
                name="entry_decision_is_authored",
            ),
        ]

    def __str__(self):
        return f"{self.application} · {self.round.name}"


class Judge(models.Model):
    """A judge (评委): a sign-in without a staff profile (``is_staff`` False), optionally a person."""

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="judges", verbose_name=_("station")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="judge", verbose_name=_("sign-in")
    )
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    name = models.CharField(_("name"), max_length=50)
    affiliation = models.CharField(_("affiliation"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("judge")
        verbose_name_plural = _("judges")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class Assignment(models.Model):
    """A judge on one application in one round: their conflict declaration and their scorecard."""

    class Conflict(models.TextChoices):
        NONE = "none", _("no conflict")
        SOFT = "soft", _("soft conflict (recorded and shown)")
        HARD = "hard", _("hard conflict (they or their family lead or work for the applicant)")

    judge = models.ForeignKey(
        Judge, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("judge")
    )
    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("entry")
    )
    conflict = models.CharField(_("conflict"), max_length=10, choices=Conflict.choices, blank=True)
    conflict_note = models.CharField(_("conflict details"), max_length=300, blank=True)
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True, editable=False)
    total = models.DecimalField(
        _("weighted total"), max_digits=5, decimal_places=2, null=True, blank=True, editable=False
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("judge assignment")
        verbose_name_plural = _("judge assignments")
        ordering = ["entry", "judge"]
        constraints = [
            models.UniqueConstraint(fields=["judge", "entry"], name="assignment_once"),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | (Q(total__isnull=False) & ~Q(conflict="hard")),
                name="assignment_hard_conflict_never_scores",
            ),
        ]

    def __str__(self):
        return f"{self.judge} → {self.entry}"


class ScoreRow(models.Model):
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="scores", verbose_name=_("assignment")
    )
    criterion = models.ForeignKey(
        RubricCriterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["assignment", "criterion"], name="scorerow_once")]

    def __str__(self):
        return f"{self.criterion_id}: {self.score}"
