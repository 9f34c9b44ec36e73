"""Community-organisation incubation (社区社会组织孵化): organisations, their members, the filing with the street
(备案), the incubation path, needs surveys, capacity assessments and annual reviews.

Every write with rules goes through ``orgs.services``; the models hold the database rules.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from station.fields import LimitedTextField
from station.models import Activity, Community, Person, Rubric, RubricCriterion, Station


def category_choices():
    return list(settings.ORGS_CATEGORIES)


class Stage(models.Model):
    """One step of a station's incubation path, with its short checklist. Data, so a station can rename and
    reorder its path without code; the seven defaults come from ``settings.ORGS_DEFAULT_STAGES``."""

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="org_stages", verbose_name=_("station")
    )
    name = models.CharField(_("stage name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"))
    checklist = LimitedTextField(
        _("checklist"), blank=True, help_text=_("One item per line: what must be done before moving on.")
    )
    graduates = models.BooleanField(
        _("graduation stage"),
        default=False,
        help_text=_("Reaching this stage means the group has graduated."),
    )

    class Meta:
        verbose_name = _("incubation stage")
        verbose_name_plural = _("incubation stages")
        ordering = ["station", "order"]
        constraints = [
            models.UniqueConstraint(fields=["station", "order"], name="orgs_stage_unique_order"),
            models.UniqueConstraint(fields=["station", "name"], name="orgs_stage_unique_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def checklist_items(self) -> list[str]:
        return [line.strip() for line in self.checklist.splitlines() if line.strip()]


class CommunityOrg(models.Model):
    class LedBy(models.TextChoices):
        STATION = "station", _("led by the station")
        SELF = "self", _("develops on its own")

    class Tier(models.TextChoices):
        LOOSE = "loose", _("loose group under the party branch")
        FILED = "filed", _("filed with the street")
        REGISTERED = "registered", _("registered with civil affairs")

    class Incubation(models.TextChoices):
        NOT_STARTED = "not_started", _("not in incubation")
        IN_PROGRESS = "in_progress", _("in incubation")
        GRADUATED = "graduated", _("graduated")
        EXITED = "exited", _("left incubation")

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="community_orgs", verbose_name=_("station")
    )
    name = models.CharField(_("organisation name"), max_length=100)
    category = models.CharField(_("category"), max_length=30, choices=category_choices)
    led_by = models.CharField(_("growth led by"), max_length=10, choices=LedBy.choices, blank=True)
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="community_orgs", verbose_name=_("home community")
    )
    communities_served = models.ManyToManyField(
        Community, blank=True, related_name="community_orgs_serving", verbose_name=_("communities served")
    )
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    rhythm = models.CharField(_("activity rhythm"), max_length=100, blank=True)
    party_link = models.CharField(_("party link"), max_length=200, blank=True)
    charter = models.FileField(_("charter"), upload_to="orgs/charters/%Y/", blank=True)
    roster = models.FileField(_("roster"), upload_to="orgs/rosters/%Y/", blank=True)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="community_orgs",
        verbose_name=_("responsible worker"),
    )
    tier = models.CharField(_("legal standing"), max_length=12, choices=Tier.choices, default=Tier.LOOSE)
    loose_since = models.DateField(_("loose group since"), null=True, blank=True)
    filing_number = models.CharField(_("filing number"), max_length=50, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    incubation = models.CharField(
        _("incubation"), max_length=12, choices=Incubation.choices, default=Incubation.NOT_STARTED
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="orgs", verbose_name=_("stage")
    )
    stage_since = models.DateTimeField(_("in this stage since"), null=True, blank=True)
    stage_checked = models.JSONField(_("checklist items done"), default=list, blank=True)
    incubation_ended_on = models.DateField(_("incubation ended on"), null=True, blank=True)
    exit_reason = models.CharField(_("reason for leaving"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("community organisation")
        verbose_name_plural = _("community organisations")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["station", "name"], name="orgs_org_unique_name"),
            models.CheckConstraint(
                condition=~Q(tier="filed") | (Q(filing_number__gt="") & Q(filed_on__isnull=False)),
                name="orgs_org_filed_has_number",
            ),
            models.CheckConstraint(
                condition=~Q(tier="registered") | (Q(credit_code__gt="") & Q(registered_on__isnull=False)),
                name="orgs_org_registered_has_code",
            ),
            models.CheckConstraint(
                condition=~Q(incubation="in_progress") | Q(stage__isnull=False),
                name="orgs_org_incubating_has_stage",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.community_id and self.station_id and self.community.station_id != self.station_id:
            raise ValidationError({"community": _("This community belongs to another station.")})
        if not self.led_by and self.category:
            self.led_by = self.default_led_by(self.category)
        if self.tier == self.Tier.FILED and not (self.filing_number and self.filed_on):
            raise ValidationError(_("A filed organisation needs its filing number and date."))
        if self.tier == self.Tier.REGISTERED and not (self.credit_code and self.registered_on):
            raise ValidationError(_("A registered organisation needs its credit code and registration date."))

    @staticmethod
    def default_led_by(category: str) -> str:
        if category in settings.ORGS_STATION_LED_CATEGORIES:
            return CommunityOrg.LedBy.STATION
        return CommunityOrg.LedBy.SELF

    @property
    def unchecked_items(self) -> list[str]:
        if self.stage is None or self.incubation != self.Incubation.IN_PROGRESS:
            return []
        done = set(self.stage_checked or [])
        return [item for item in self.stage.checklist_items if item not in done]


class Membership(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("leader")
        BACKBONE = "backbone", _("backbone member")
        MEMBER = "member", _("member")

    org = models.ForeignKey(
        CommunityOrg, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="org_memberships", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["org", "role", "joined_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "person"], condition=Q(left_on__isnull=True), name="orgs_member_once_active"
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="orgs_member_left_after_joined",
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.get_role_display()})"

    def clean(self):
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            raise ValidationError({"left_on": _("A member cannot leave before joining.")})


class Filing(models.Model):
    """The filing with the street (备案): draft → submitted → community reviewed → street approved, or returned
    with a reason. A returned filing stays as it was; the worker opens a new one."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        COMMUNITY_REVIEWED = "community_reviewed", _("reviewed by the community")
        APPROVED = "approved", _("approved by the street")
        RETURNED = "returned", _("returned")

    org = models.ForeignKey(
        CommunityOrg, on_delete=models.CASCADE, related_name="filings", verbose_name=_("organisation")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    materials = models.JSONField(_("materials on file"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("submitted by"),
    )  # fmt: skip
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    members_at_submission = models.PositiveIntegerField(_("members at submission"), default=0)
    community_opinion = LimitedTextField(_("community's opinion"), blank=True)
    community_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("community review recorded by"),
    )  # fmt: skip
    community_reviewed_at = models.DateTimeField(_("community reviewed at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    filing_number = models.CharField(_("filing number"), max_length=50, blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    return_reason = models.CharField(_("reason for returning"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("filing")
        verbose_name_plural = _("filings with the street")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["org"],
                condition=Q(status__in=["draft", "submitted", "community_reviewed"]),
                name="orgs_filing_one_open",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | Q(return_reason__gt=""),
                name="orgs_filing_returned_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | (Q(filing_number__gt="") & Q(filed_on__isnull=False)),
                name="orgs_filing_approved_has_number",
            ),
        ]

    def __str__(self):
        return f"{self.org} · {self.get_status_display()}"

    @property
    def missing_materials(self) -> list[str]:
        have = set(self.materials or [])
        return [label for key, label in settings.ORGS_FILING_MATERIALS.items() if key not in have]


class StageMove(models.Model):
    """An authored, dated record of a step on the path: the start, each move to the next stage, or leaving."""

    class Kind(models.TextChoices):
        START = "start", _("entered incubation")
        ADVANCE = "advance", _("moved to the next stage")
        EXIT = "exit", _("left incubation")

    org = models.ForeignKey(
        CommunityOrg, on_delete=models.CASCADE, related_name="stage_moves", verbose_name=_("organisation")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    from_stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("from stage")
    )
    to_stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("to stage")
    )
    done = LimitedTextField(_("what was done"), blank=True)
    checked = models.JSONField(_("checklist items done"), default=list, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("moved by")
    )
    moved_at = models.DateTimeField(_("moved at"), default=timezone.now)

    class Meta:
        verbose_name = _("stage move")
        verbose_name_plural = _("stage moves")
        ordering = ["org", "moved_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="exit") | Q(reason__gt=""), name="orgs_stagemove_exit_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.org}: {self.from_stage or ''} → {self.to_stage or self.get_kind_display()}"


class NeedsSurvey(models.Model):
    """What residents said they want (需求调研): the reason a group was started."""

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="org_surveys", verbose_name=_("station")
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="org_surveys", verbose_name=_("community")
    )
    category = models.CharField(_("kind of group wanted"), max_length=30, choices=category_choices)
    wish = models.CharField(_("what residents asked for"), max_length=200)
    asked_count = models.PositiveIntegerField(_("how many asked"))
    surveyed_on = models.DateField(_("surveyed on"), default=timezone.localdate)
    org = models.ForeignKey(
        CommunityOrg, on_delete=models.SET_NULL, null=True, blank=True, related_name="surveys",
        verbose_name=_("organisation started"),
    )  # fmt: skip
    note = LimitedTextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("recorded by"), editable=False,
    )  # fmt: skip

    class Meta:
        verbose_name = _("needs survey entry")
        verbose_name_plural = _("needs survey")
        ordering = ["-surveyed_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(asked_count__gt=0), name="orgs_survey_asked_positive"),
        ]

    def __str__(self):
        return f"{self.community}: {self.wish} ({self.asked_count})"


class OrgActivity(models.Model):
    """An organisation's part in a station activity of platform "orgs": it provided it or took part; a
    training for leaders and members is one too."""

    class Role(models.TextChoices):
        PROVIDER = "provider", _("provider")
        PARTICIPANT = "participant", _("participant")

    class Kind(models.TextChoices):
        SERVICE = "service", _("service activity")
        TRAINING = "training", _("training")

    activity = models.OneToOneField(
        Activity, on_delete=models.PROTECT, related_name="org_activity", verbose_name=_("activity")
    )
    org = models.ForeignKey(
        CommunityOrg, on_delete=models.PROTECT, null=True, blank=True, related_name="org_activities",
        verbose_name=_("organisation"), help_text=_("Empty for a training open to every group."),
    )  # fmt: skip
    role = models.CharField(
        _("organisation's role"), max_length=12, choices=Role.choices, default=Role.PROVIDER
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SERVICE)

    class Meta:
        verbose_name = _("organisation activity")
        verbose_name_plural = _("organisation activities and trainings")
        ordering = ["-activity__starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="training") | Q(org__isnull=False), name="orgs_activity_has_org"
            ),
        ]

    def __str__(self):
        return self.activity.title


class CapacityAssessment(models.Model):
    """能力评估: a worker scores the organisation against a capacity rubric (one score row per criterion)."""

    class Occasion(models.TextChoices):
        INTAKE = "intake", _("intake")
        REVIEW = "review", _("review")

    org = models.ForeignKey(
        CommunityOrg, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("organisation")
    )
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="+", verbose_name=_("rubric"))
    occasion = models.CharField(_("occasion"), max_length=10, choices=Occasion.choices)
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assessed by")
    )
    total = models.DecimalField(_("weighted total (of 100)"), max_digits=5, decimal_places=2)
    note = LimitedTextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("capacity assessment")
        verbose_name_plural = _("capacity assessments")
        ordering = ["org", "-assessed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__gte=0) & Q(total__lte=100), name="orgs_assessment_total"
            ),
        ]

    def __str__(self):
        return f"{self.org} {self.assessed_on} {self.total}"


class AssessmentScore(models.Model):
    assessment = models.ForeignKey(
        CapacityAssessment, on_delete=models.CASCADE, related_name="scores", verbose_name=_("assessment")
    )
    criterion = models.ForeignKey(
        RubricCriterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["assessment", "criterion__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="orgs_score_once"),
            models.CheckConstraint(condition=Q(score__gte=0), name="orgs_score_not_negative"),
        ]

    def __str__(self):
        return f"{self.criterion.label}: {self.score}"


class AnnualReview(models.Model):
    """年度评议: the two committees', residents' and resident units' satisfaction, the year's activities and the
    assessment, with the result a worker records."""

    class Result(models.TextChoices):
        PASSED = "passed", _("passed")
        RECTIFY = "rectify", _("rectify")
        EXIT = "exit", _("exit")

    org = models.ForeignKey(
        CommunityOrg, on_delete=models.CASCADE, related_name="annual_reviews", verbose_name=_("organisation")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    committees_satisfaction = models.DecimalField(
        _("two committees' satisfaction (%)"), max_digits=5, decimal_places=2
    )
    residents_satisfaction = models.DecimalField(
        _("residents' satisfaction (%)"), max_digits=5, decimal_places=2
    )
    units_satisfaction = models.DecimalField(
        _("resident units' satisfaction (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    activities_count = models.PositiveIntegerField(_("activities in the year"), default=0, editable=False)
    assessment = models.ForeignKey(
        CapacityAssessment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("capacity assessment"),
    )  # fmt: skip
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    note = LimitedTextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"),
        editable=False,
    )  # fmt: skip
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("annual review")
        verbose_name_plural = _("annual reviews")
        ordering = ["org", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="orgs_review_once_a_year"),
            models.CheckConstraint(
                condition=Q(committees_satisfaction__gte=0, committees_satisfaction__lte=100)
                & Q(residents_satisfaction__gte=0, residents_satisfaction__lte=100)
                & (
                    Q(units_satisfaction__isnull=True)
                    | Q(units_satisfaction__gte=0, units_satisfaction__lte=100)
                ),
                name="orgs_review_satisfaction_percent",
            ),
        ]

    def __str__(self):
        return f"{self.org} {self.year}: {self.get_result_display()}"
