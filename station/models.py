from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from . import idnumbers
from .fields import LimitedTextField
from .kept import KeptFieldsMixin
from .phones import validate_phone


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class Station(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    street = models.CharField(_("street"), max_length=100)
    district = models.CharField(_("district"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)

    class Meta:
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Community(models.Model):
    class Kind(models.TextChoices):
        VILLAGE = "village", _("village")
        COMMUNITY = "community", _("community")

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="communities", verbose_name=_("station")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMMUNITY)
    population = models.PositiveIntegerField(_("population"), default=0)
    households = models.PositiveIntegerField(_("households"), default=0)

    class Meta:
        verbose_name = _("village or community")
        verbose_name_plural = _("villages and communities")
        ordering = ["station", "name"]
        constraints = [
            models.UniqueConstraint(fields=["station", "name"], name="community_unique_name_in_station")
        ]

    def __str__(self):
        return self.name


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .selectors import person_list_visible_to

        return person_list_visible_to(user, queryset=self)


class Person(KeptFieldsMixin, models.Model):
    class Gender(models.TextChoices):
        MALE = "M", _("male")
        FEMALE = "F", _("female")

    class Residency(models.TextChoices):
        RESETTLED = "resettled", _("resettled villager")
        TENANT = "tenant", _("tenant")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="people", verbose_name=_("community")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    residency = models.CharField(
        _("residency"), max_length=20, choices=Residency.choices, default=Residency.OTHER
    )
    # Encrypted at rest; the library stores an empty number as NULL.
    id_number = EncryptedCharField(_("ID number"), max_length=18, blank=True, null=True)
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    registered_on = models.DateField(
        _("registered on"),
        null=True,
        blank=True,
        help_text=_(
            "The day the person was entered on the community's register; empty for those on it from the start."
        ),
    )
    moved_out_on = models.DateField(
        _("moved out on"),
        null=True,
        blank=True,
        help_text=_("The day the person left the community's register."),
    )
    # Kept by the database (station/first_attendance.py): never written by the application.
    kept_fields = ("first_attended_at",)
    first_attended_at = models.DateTimeField(
        _("first attendance"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When the person's earliest recorded activity started; empty before any."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "pk"]
        permissions = [("reveal_id_number", _("Can reveal full ID numbers"))]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"], condition=~Q(id_number_hash=""), name="person_unique_id_number"
            ),
        ]
        # The rollup counts each community's register at a month's end from this index alone.
        indexes = [
            models.Index(
                fields=["community", "residency", "registered_on", "moved_out_on"], name="person_register"
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.id_number_hash = idnumbers.keyed_hash(self.id_number)
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.registered_on and self.moved_out_on and self.moved_out_on < self.registered_on:
            errors["moved_out_on"] = [_("A person cannot move out before being registered.")]
        if self.phone:
            try:
                self.phone = validate_phone(self.phone)
            except ValidationError as exc:
                errors["phone"] = exc.messages
        if self.id_number:
            try:
                self.id_number = idnumbers.validate_id_number(self.id_number, self.birth_date)
            except ValidationError as exc:
                errors["id_number"] = exc.messages
            else:
                if self.birth_date is None:
                    self.birth_date = idnumbers.birth_date_of(self.id_number)
                digest = idnumbers.keyed_hash(self.id_number)
                # An import checks its whole file at once and hands the numbers already registered here.
                known = getattr(self, "registered_id_hashes", None)
                if known is not None and self.pk is None:
                    clash = digest in known
                else:
                    clash = Person.objects.filter(id_number_hash=digest).exclude(pk=self.pk).exists()
                if clash:
                    errors["id_number"] = [_("A person with this ID number is already registered.")]
        if errors:
            raise ValidationError(errors)

    @property
    def masked_id_number(self):
        return idnumbers.mask(self.id_number)

    # Derived questions the rules ask, for any day.
    def age_on(self, day: date) -> int | None:
        if not self.birth_date:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def is_low_age_elderly_on(self, day: date) -> bool:
        age = self.age_on(day)
        low, high = settings.LOW_AGE_ELDERLY_AGES
        return age is not None and low <= age <= high

    def designations_on(self, day: date):
        return [d for d in self.designations.all() if d.is_active_on(day)]

    def is_in_difficulty_on(self, day: date) -> bool:
        counted = set(settings.DIFFICULTY_DESIGNATIONS)
        return any(d.kind in counted for d in self.designations_on(day))


class Designation(models.Model):
    class Kind(models.TextChoices):
        LIVING_ALONE_ELDERLY = "living_alone_elderly", _("elderly living alone")
        DISABLED = "disabled", _("disabled")
        LOW_INCOME = "low_income", _("low-income (dibao)")
        EXTREME_POVERTY = "extreme_poverty", _("extreme poverty (tekun)")
        LEFT_BEHIND_CHILD = "left_behind_child", _("left-behind child")
        ORPHAN = "orphan", _("orphan or de facto unsupported child")
        SERIOUS_ILLNESS = "serious_illness", _("serious illness")
        EMPTY_NEST = "empty_nest", _("empty-nest elderly")

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="designations", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("confirmed by"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("designation")
        verbose_name_plural = _("designations")
        ordering = ["person", "kind", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="designation_end_after_start",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.start_date}–{self.end_date or ''})"

    def is_active_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


class StaffProfile(models.Model):
    class Role(models.TextChoices):
        STATION_HEAD = "station_head", _("station head")
        SOCIAL_WORKER = "social_worker", _("social worker")
        SUPERVISOR = "supervisor", _("supervisor")
        CADRE = "cadre", _("community cadre")
        DISTRICT_VIEWER = "district_viewer", _("district viewer")

    class Employment(models.TextChoices):
        FULL_TIME = "full_time", _("full-time")
        PART_TIME = "part_time", _("part-time")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    employment = models.CharField(_("employment"), max_length=20, choices=Employment.choices, blank=True)
    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("station"),
    )
    communities = models.ManyToManyField(
        Community, blank=True, related_name="cadres", verbose_name=_("communities")
    )
    district = models.CharField(
        _("district"), max_length=100, blank=True, help_text=_("For district viewers.")
    )
    person = models.OneToOneField(
        Person,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_profile",
        verbose_name=_("person"),
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"

    def clean(self):
        if self.user_id and not self.user.is_staff:
            # A volunteer's account (their phone number) never holds a staff role: a volunteer who becomes a
            # social worker gets a staff account of their own, and their Person links both.
            raise ValidationError({"user": _("Only a staff account can hold a staff role.")})
        if self.role == self.Role.DISTRICT_VIEWER:
            if not self.district:
                raise ValidationError({"district": _("A district viewer needs a district.")})
        elif not self.station_id:
            raise ValidationError({"station": _("This role needs a station.")})


class ActivityKind(models.TextChoices):
    """The kinds of event in the service ledger, as workers choose them; ``Activity.kind`` stores the code."""

    PUBLIC_SERVICE = "public_service", _("public welfare service")
    VOLUNTEER_SERVICE = "volunteer_service", _("volunteer service")
    GROUP_SESSION = "group_session", _("group session")
    PARTY_DAY = "party_day", _("themed party day")
    CULTURE_SPORTS = "culture_sports", _("culture and sports")
    FESTIVAL = "festival", _("festival event")
    LECTURE = "lecture", _("talk or training")
    CONSULTATION = "consultation", _("advice and health checks")
    SERVICE = "service", _("service activity")
    PUBLICITY = "publicity", _("publicity")
    OTHER = "other", _("other")
    # Set by the platforms on their own events (not chosen on the activity page).
    PROJECT_SERVICE = "project_service", _("project service activity")
    PROJECT_PUBLICITY = "project_publicity", _("project publicity")
    STUDY_TUTORING = "study_tutoring", _("study group tutoring")
    STUDY_QA = "study_qa", _("study group questions and answers")
    STUDY_MOCK_EXAM = "study_mock_exam", _("mock exam")
    TRAINING = "training", _("training")


class Activity(KeptFieldsMixin, models.Model):
    """The station's service ledger (服务台账): every event delivered, on any platform."""

    class Platform(models.TextChoices):
        CASEWORK = "casework", _("casework")
        PARTYBUILD = "partybuild", _("party-mass co-building")
        PROJECTS = "projects", _("charity projects")
        VOLUNTEERS = "volunteers", _("volunteer service")
        ORGS = "orgs", _("organisation incubation")
        TALENT = "talent", _("social worker talent")
        STATION = "station", _("station")

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="activities", verbose_name=_("station")
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices, db_index=True)
    kind = models.CharField(_("kind"), max_length=50, blank=True)
    title = models.CharField(_("title"), max_length=200)
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("community"),
        help_text=_("Leave empty for a station-wide event."),
    )
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organised_activities",
        verbose_name=_("organiser"),
    )
    partners = models.CharField(_("cooperating organisations"), max_length=300, blank=True)
    headcount = models.PositiveIntegerField(
        _("anonymous head-count"), default=0, help_text=_("People who came but were not recorded by name.")
    )
    # Kept by the database (station/named_attendance.py): never written by the application.
    kept_fields = ("named_count",)
    named_count = models.PositiveIntegerField(
        _("named attendees"),
        default=0,
        editable=False,
        help_text=_("How many people the activity's attendance names."),
    )
    attendees = models.ManyToManyField(
        Person,
        through="Attendance",
        related_name="activities_attended",
        blank=True,
        verbose_name=_("attendees"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities (service ledger)")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="activity_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["station", "starts_at"])]

    def __str__(self):
        return self.title

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": _("An activity cannot end before it starts.")})
        if self.community_id and self.station_id and self.community.station_id != self.station_id:
            raise ValidationError({"community": _("This community belongs to another station.")})

    @property
    def kind_label(self) -> str:
        """The kind in words; a kind typed before the list existed reads as typed."""
        return str(dict(ActivityKind.choices).get(self.kind, self.kind))

    @property
    def person_times(self) -> int:
        """人次: named attendance plus the anonymous head-count."""
        return self.attendances.count() + self.headcount


class Attendance(models.Model):
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("activity")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("person")
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="attendance_once_per_activity")
        ]

    def __str__(self):
        return f"{self.person} @ {self.activity}"


class Participation(models.Model):
    """How many activities of one station, platform and local month a person attended: the attendance summed
    up per person and month, kept by the database (``station.participation``) and never written by the
    application. The rollup counts a month's people from the month's rows of its stations (an index range)
    instead of searching all the attendance."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("person"))
    station = models.ForeignKey(  # indexed first in the constraint's index
        Station, on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("station")
    )
    month = models.DateField(_("month"))
    platform = models.CharField(_("platform"), max_length=20, choices=Activity.Platform.choices)
    times = models.PositiveIntegerField(_("times"))

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participation")
        constraints = [
            models.UniqueConstraint(
                fields=["station", "month", "person", "platform"], name="participation_once_per_month"
            )
        ]

    def __str__(self):
        return f"{self.person} {self.month:%Y-%m} {self.platform} ×{self.times}"


def evidence_path(instance, filename):
    return f"evidence/{timezone.now():%Y/%m}/{instance.activity_id}-{filename}"


class Evidence(models.Model):
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("activity")
    )
    file = models.FileField(_("file"), upload_to=evidence_path)
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveIntegerField(editable=False, default=0)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, editable=False
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self):
        return self.caption or self.file.name

    def clean(self):
        from .files import sniff_evidence

        if self.file and not self.content_type:
            self.content_type, self.size = sniff_evidence(self.file)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    key = models.CharField(
        _("reminder key"), max_length=200, unique=True, help_text=_("Makes a reminder exist only once.")
    )
    title = models.CharField(_("title"), max_length=200)
    body = LimitedTextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_sent_at = models.DateTimeField(_("email sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title

    @property
    def safe_url(self) -> str:
        """The link, only when it stays on this site (a path such as /cases/12/), else nothing."""
        return self.url if is_site_relative(self.url) else ""


def is_site_relative(url: str) -> bool:
    return (
        bool(url)
        and url.startswith("/")
        and not url.startswith("//")
        and "\\" not in url
        and url.isprintable()
    )


class AuditEvent(models.Model):
    """Append-only trail: changes to people; every reveal, export and view of sensitive data."""

    class Action(models.TextChoices):
        CREATE = "create", _("create")
        UPDATE = "update", _("update")
        DELETE = "delete", _("delete")
        REVEAL = "reveal", _("reveal")
        EXPORT = "export", _("export")
        IMPORT = "import", _("import")
        VIEW = "view", _("view")

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("actor")
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    target_type = models.CharField(_("record type"), max_length=100)
    target_id = models.CharField(_("record id"), max_length=50, blank=True)
    target_repr = models.CharField(_("record"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-at"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Audit events cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Audit events cannot be deleted."))


class Need(models.Model):
    """The residents' difficulty list (群众困难清单): any platform may take an item from it."""

    class Category(models.TextChoices):
        DAILY_CARE = "daily_care", _("daily care")
        HEALTH = "health", _("health and medical")
        INCOME = "income", _("income and assistance")
        HOUSING = "housing", _("housing and repairs")
        CHILD = "child", _("children and study")
        PSYCHOLOGICAL = "psychological", _("emotional support")
        LEGAL = "legal", _("legal and policy")
        EMPLOYMENT = "employment", _("employment")
        OTHER = "other", _("other")

    class Urgency(models.TextChoices):
        LOW = "low", _("low")
        NORMAL = "normal", _("normal")
        HIGH = "high", _("high")
        URGENT = "urgent", _("urgent")

    class Source(models.TextChoices):
        VISIT = "visit", _("visit")
        CASE = "case", _("case")
        CADRE = "cadre", _("community cadre")
        RESIDENT = "resident", _("the resident")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        TAKEN = "taken", _("taken")
        MET = "met", _("met")
        CLOSED = "closed", _("closed without meeting")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="needs", verbose_name=_("person")
    )
    household_note = models.CharField(_("household"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = LimitedTextField(_("what is needed"))
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_ref = models.CharField(_("source reference"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs_raised",
        verbose_name=_("raised by"),
    )
    # The taker, general: a worker now; a party member, volunteer or organisation once their platforms exist.
    taker_type = models.ForeignKey(
        "contenttypes.ContentType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("taker type"),
    )
    taker_id = models.PositiveBigIntegerField(_("taker id"), null=True, blank=True)
    taker_name = models.CharField(_("taken by"), max_length=100, blank=True)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    outcome = LimitedTextField(_("what was done"), blank=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("residents' needs list")
        ordering = ["-raised_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | Q(taker_name__gt=""),
                name="need_taken_has_taker",
            ),
        ]

    def __str__(self):
        return f"{self.person}: {self.get_category_display()}"


class Household(models.Model):
    """A household (户): the unit real station reports count beside people (户 and 户次)."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="household_records", verbose_name=_("community")
    )
    number = models.CharField(
        _("household number"), max_length=40, blank=True, help_text=_("The community's own number, if any.")
    )
    address = models.CharField(_("address"), max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["community", "address", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "number"], condition=~Q(number=""), name="household_unique_number"
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.address}".strip()


class HouseholdMember(models.Model):
    """A person's place in a household: a person belongs to one household at most, a household has one head."""

    class Relation(models.TextChoices):
        HEAD = "head", _("head of household")
        SPOUSE = "spouse", _("spouse")
        CHILD = "child", _("child")
        PARENT = "parent", _("parent")
        GRANDCHILD = "grandchild", _("grandchild")
        OTHER = "other", _("other relative or resident")

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("household")
    )
    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="household_membership", verbose_name=_("person")
    )
    relation = models.CharField(_("relation to the head"), max_length=20, choices=Relation.choices)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["household", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(relation="head"), name="household_one_head"
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.get_relation_display()})"

    def clean(self):
        # A household being added in the same form has no id yet, but it is already on the member.
        household = self.household if self.household_id or HouseholdMember.household.is_cached(self) else None
        if self.person_id and household is not None and self.person.community_id != household.community_id:
            raise ValidationError(
                {
                    "person": _("%(name)s lives in another community than this household.")
                    % {"name": self.person.name}
                }
            )


class PartnerUnit(models.Model):
    """The partner units directory: one list of companies, merchants, foundations, offices, schools and social
    organisations that every platform uses (sponsors of the rewards shop, funders of projects, party-building
    units). A unit located in the street is a resident unit (驻区单位)."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("enterprise")
        MERCHANT = "merchant", _("merchant")
        FOUNDATION = "foundation", _("foundation")
        GOVERNMENT = "government", _("government office or public institution")
        SCHOOL = "school", _("school")
        HOSPITAL = "hospital", _("hospital or clinic")
        SOCIAL_ORG = "social_org", _("social organisation")
        ORGANISATION = "organisation", _("other organisation")
        INDIVIDUAL = "individual", _("individual")

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="partner_units", verbose_name=_("station")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ENTERPRISE)
    resident_unit = models.BooleanField(
        _("resident unit"), default=False, help_text=_("Located in the street (驻区单位).")
    )
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    note = LimitedTextField(_("note"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partner unit")
        verbose_name_plural = _("partner units")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["station", "name"], name="partnerunit_unique_name_in_station")
        ]

    def __str__(self):
        return self.name


class Rubric(models.Model):
    """Criteria with a maximum score and a weight, shared by contests, capacity assessments and project
    evaluations. A contest round or an assessment works on its own copy (``copied_from``), so editing a
    template later leaves running rounds alone."""

    class Purpose(models.TextChoices):
        CONTEST = "contest", _("contest judging")
        CAPACITY = "capacity", _("organisation capacity assessment")
        EVALUATION = "evaluation", _("project evaluation")
        OTHER = "other", _("other")

    station = models.ForeignKey(
        Station,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rubrics",
        verbose_name=_("station"),
        help_text=_("Empty for a template every station may use."),
    )
    name = models.CharField(_("name"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    description = LimitedTextField(_("description"), max_length=2000, blank=True)
    is_template = models.BooleanField(_("template"), default=True)
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
        verbose_name=_("copied from"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")
        ordering = ["purpose", "name", "pk"]

    def __str__(self):
        return self.name


class RubricCriterion(models.Model):
    rubric = models.ForeignKey(
        Rubric, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("rubric")
    )
    label = models.CharField(_("criterion"), max_length=100)
    description = models.CharField(_("what earns the score"), max_length=500, blank=True)
    max_score = models.DecimalField(_("maximum score"), max_digits=6, decimal_places=2)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        ordering = ["rubric", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(max_score__gt=0), name="rubriccriterion_max_positive"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="rubriccriterion_weight_positive"),
            models.UniqueConstraint(fields=["rubric", "label"], name="rubriccriterion_unique_label"),
        ]

    def __str__(self):
        return f"{self.label} (≤{self.max_score})"


class ImportJob(models.Model):
    """An Excel import too big to check inside a web request (``IMPORT_BACKGROUND_ROWS``), run by a worker:
    the uploaded file, kept in the database (which every web and worker machine reads) until the job needs it
    no more, the progress and the result as the import page shows it. ``station.import_jobs`` runs it."""

    class Phase(models.TextChoices):
        CHECK = "check", _("check")
        IMPORT = "import", _("import")

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs", verbose_name=_("user")
    )
    model_label = models.CharField(
        _("records"), max_length=100, help_text=_("The admin page, e.g. cases.visit.")
    )
    resource_index = models.PositiveSmallIntegerField(_("resource"), default=0)
    format_index = models.PositiveSmallIntegerField(_("format"), default=0)
    file_name = models.CharField(_("file name"), max_length=255)
    file = models.BinaryField(_("file"), blank=True, default=b"")
    language = models.CharField(_("language"), max_length=16)
    phase = models.CharField(_("step"), max_length=10, choices=Phase.choices, default=Phase.CHECK)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    summary = models.JSONField(_("result"), default=dict, blank=True)
    report = models.BinaryField(_("error report"), blank=True, default=b"")
    message = models.CharField(_("why it failed"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now, db_index=True)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "queued_at"])]

    def __str__(self):
        return f"{self.file_name} ({self.get_phase_display()} {self.get_state_display()})"

    @property
    def can_confirm(self) -> bool:
        """The check found no error: the user may import the file."""
        return (
            self.phase == self.Phase.CHECK
            and self.state == self.State.DONE
            and not self.summary.get("invalid_count")
            and not self.summary.get("errors")
        )
