"""The party-mass co-building platform (党群共建): party organisations and members, reporting to the community,
service posts, practice bases, themed party days, two-way courses and the quarterly report back to units.

Resident units, sponsors and funders are one directory: ``station.PartnerUnit``. Needs are ``station.Need``;
themed party days are ``station.Activity`` rows of platform "partybuild". Every write with rules goes
through ``partybuild.services``; the models hold the database rules.
"""

import re
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from station.fields import LimitedTextField
from station.models import Activity, Community, Household, PartnerUnit, Person, Station

SKILL_SEPARATORS = re.compile(r"[,，、;；\s]+")


def skill_tokens(text: str) -> set[str]:
    """Skills as comparable tokens: split on , ， 、 ; and spaces, trimmed, case-folded."""
    return {part.strip().casefold() for part in SKILL_SEPARATORS.split(text or "") if part.strip()}


def normalise_skills(text: str) -> str:
    """The stored form: tokens in their first spelling, once each, joined by a comma."""
    seen, kept = set(), []
    for part in SKILL_SEPARATORS.split(text or ""):
        part = part.strip()
        if part and part.casefold() not in seen:
            seen.add(part.casefold())
            kept.append(part)
    return ",".join(kept)


def post_categories():
    """The post categories are a setting (PARTYBUILD_POST_CATEGORIES); a callable so migrations stay put."""
    return [(code, _(label)) for code, label in settings.PARTYBUILD_POST_CATEGORIES]


class PartyOrg(models.Model):
    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("party committee")
        GENERAL_BRANCH = "general_branch", _("general party branch")
        BRANCH = "branch", _("party branch")
        GROUP = "group", _("party group")

    class Owner(models.TextChoices):
        COMMUNITY = "community", _("the community's own")
        RESIDENT_UNIT = "resident_unit", _("a resident unit's")
        SOCIAL_ORG = "social_org", _("a social organisation's")
        STATION = "station", _("the station's")

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="party_orgs", verbose_name=_("station")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.BRANCH)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent organisation"),
    )
    owner = models.CharField(_("whose organisation"), max_length=20, choices=Owner.choices)
    unit = models.ForeignKey(
        PartnerUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_orgs",
        verbose_name=_("unit"),
        help_text=_("The resident unit or social organisation it belongs to."),
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_orgs",
        verbose_name=_("community"),
    )
    secretary = models.CharField(_("secretary"), max_length=50, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    active_from = models.DateField(_("active from"), null=True, blank=True)
    active_to = models.DateField(_("active to"), null=True, blank=True)

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["station", "name"]
        constraints = [
            models.UniqueConstraint(fields=["station", "name"], name="partyorg_unique_name_in_station"),
            models.CheckConstraint(
                condition=~Q(owner__in=["resident_unit", "social_org"]) | Q(unit__isnull=False),
                name="partyorg_unit_owner_has_unit",
                violation_error_message=_("A unit's party organisation needs its unit."),
            ),
            models.CheckConstraint(
                condition=Q(active_to__isnull=True)
                | Q(active_from__isnull=True)
                | Q(active_to__gte=F("active_from")),
                name="partyorg_active_to_after_from",
            ),
        ]

    def __str__(self):
        return self.name


class PartyMember(models.Model):
    """A party member: one-to-one with the person (one person, every role)."""

    class Link(models.TextChoices):
        ON_DUTY = "on_duty", _("serving member reporting to the community")
        SENT_DOWN = "sent_down", _("cadre sent down to the community")
        FLOATING = "floating", _("floating member")
        RETIRED = "retired", _("retired member")
        COMMUNITY = "community", _("community member")

    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, related_name="party_member", verbose_name=_("person")
    )
    org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("own party organisation"),
    )
    work_unit = models.ForeignKey(
        PartnerUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_members",
        verbose_name=_("work unit"),
    )
    link = models.CharField(_("link to the community"), max_length=20, choices=Link.choices)
    skills = models.CharField(
        _("skills"), max_length=300, blank=True, help_text=_("Separate with commas, 、 or spaces.")
    )
    preferences = models.CharField(_("service preferences"), max_length=300, blank=True)
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    joined_on = models.DateField(_("registered on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["person__name", "pk"]

    def __str__(self):
        return self.person.name

    @property
    def skill_set(self) -> set[str]:
        return skill_tokens(self.skills)


class MemberReport(models.Model):
    """A member's report to the community (个人报到): submitted → accepted → active → lapsed."""

    CURRENT = ("submitted", "accepted", "active")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", _("accepted")
        ACTIVE = "active", _("active")
        LAPSED = "lapsed", _("lapsed")

    member = models.ForeignKey(
        PartyMember, on_delete=models.PROTECT, related_name="reports", verbose_name=_("party member")
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="member_reports", verbose_name=_("community")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    submitted_on = models.DateField(_("submitted on"))
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    active_from = models.DateField(_("active from"), null=True, blank=True)
    last_reported_on = models.DateField(_("last reported on"), null=True, blank=True)
    deadline = models.DateField(_("re-report by"), null=True, blank=True, db_index=True)
    lapsed_on = models.DateField(_("lapsed on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("member report")
        verbose_name_plural = _("member reports")
        ordering = ["-submitted_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status__in=["submitted", "accepted", "active"]),
                name="memberreport_one_current_per_member",
                violation_error_message=_("This member already has a current report."),
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(deadline__isnull=False),
                name="memberreport_active_has_deadline",
            ),
        ]

    def __str__(self):
        return f"{self.member} {self.get_status_display()}"


class UnitReport(models.Model):
    """A unit's report to the community (单位报到): the signed form, the receipt, needs and resources."""

    unit = models.ForeignKey(
        PartnerUnit, on_delete=models.PROTECT, related_name="community_reports", verbose_name=_("unit")
    )
    party_org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="unit_reports",
        verbose_name=_("party organisation"),
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="unit_reports", verbose_name=_("community")
    )
    signed_on = models.DateField(_("report form signed on"))
    receipt_on = models.DateField(_("receipt returned on"), null=True, blank=True)
    needs_sheet = LimitedTextField(_("the unit's needs"), max_length=3000, blank=True)
    resources_sheet = LimitedTextField(_("the unit's resources"), max_length=3000, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("unit report")
        verbose_name_plural = _("unit reports")
        ordering = ["-signed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "community"], name="unitreport_once_per_community"),
            models.CheckConstraint(
                condition=Q(receipt_on__isnull=True) | Q(receipt_on__gte=F("signed_on")),
                name="unitreport_receipt_after_signing",
            ),
        ]

    def __str__(self):
        return f"{self.unit} → {self.community}"


class ServicePost(models.Model):
    """A community service post (社区服务岗位) offered to party members."""

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="service_posts", verbose_name=_("station")
    )
    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="service_posts", verbose_name=_("community")
    )
    title = models.CharField(_("title"), max_length=100)
    category = models.CharField(_("category"), max_length=30, choices=post_categories)
    skills_needed = models.CharField(
        _("skills needed"), max_length=300, blank=True, help_text=_("Separate with commas, 、 or spaces.")
    )
    places = models.IntegerField(_("number of places"), default=1)
    schedule = models.CharField(_("schedule"), max_length=200, blank=True)
    offered_by_org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_posts",
        verbose_name=_("offered by (party organisation)"),
    )
    offered_by_unit = models.ForeignKey(
        PartnerUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_posts",
        verbose_name=_("offered by (unit)"),
    )
    published_from = models.DateField(_("published from"))
    published_to = models.DateField(_("published to"), null=True, blank=True)

    class Meta:
        verbose_name = _("service post")
        verbose_name_plural = _("service posts")
        ordering = ["-published_from", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(places__gte=0),
                name="servicepost_places_not_negative",
                violation_error_message=_("The number of places cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(published_to__isnull=True) | Q(published_to__gte=F("published_from")),
                name="servicepost_published_to_after_from",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def skill_set(self) -> set[str]:
        return skill_tokens(self.skills_needed)


class PostHolder(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", _("applied")
        HOLDING = "holding", _("holding the post")
        ENDED = "ended", _("ended")
        DECLINED = "declined", _("declined")

    class How(models.TextChoices):
        APPLIED = "applied", _("applied")
        ASSIGNED = "assigned", _("assigned by a worker")

    post = models.ForeignKey(
        ServicePost, on_delete=models.PROTECT, related_name="holders", verbose_name=_("service post")
    )
    member = models.ForeignKey(
        PartyMember, on_delete=models.PROTECT, related_name="posts_held", verbose_name=_("party member")
    )
    how = models.CharField(_("how"), max_length=10, choices=How.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, db_index=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    match_reason = models.CharField(_("why matched"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("post holder")
        verbose_name_plural = _("post holders")
        ordering = ["post", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "member"],
                condition=Q(status__in=["applied", "holding"]),
                name="postholder_once_per_post",
                violation_error_message=_("This member is already on this post."),
            ),
            models.CheckConstraint(
                condition=~Q(status="holding") | Q(started_on__isnull=False),
                name="postholder_holding_started",
            ),
        ]

    def __str__(self):
        return f"{self.member} @ {self.post}"


class PostHours(models.Model):
    """Hours a holder served on a post, one entry per day of service."""

    holder = models.ForeignKey(
        PostHolder, on_delete=models.PROTECT, related_name="hours", verbose_name=_("post holder")
    )
    served_on = models.DateField(_("served on"), db_index=True)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    note = models.CharField(_("what was done"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False
    )
    # The volunteers app's service record these hours were entered as (PARTYBUILD_VOLUNTEER_POINTS), by id:
    # this app reaches the volunteers app only through its services and selectors, never its models.
    volunteer_record_id = models.BigIntegerField(
        _("volunteer service record"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("post service hours")
        verbose_name_plural = _("post service hours")
        ordering = ["-served_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="posthours_between_0_and_24"
            ),
            models.UniqueConstraint(fields=["holder", "served_on"], name="posthours_once_per_day"),
            models.UniqueConstraint(fields=["volunteer_record_id"], name="posthours_volunteer_record_once"),
        ]

    def __str__(self):
        return f"{self.holder} {self.served_on} {self.hours}"


class PracticeBase(models.Model):
    """A unit's practice base (实践基地) at the station."""

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="practice_bases", verbose_name=_("station")
    )
    unit = models.ForeignKey(
        PartnerUnit, on_delete=models.PROTECT, related_name="practice_bases", verbose_name=_("unit")
    )
    party_org = models.ForeignKey(
        PartyOrg,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="practice_bases",
        verbose_name=_("party organisation"),
    )
    name = models.CharField(_("name"), max_length=100)
    agreement_from = models.DateField(_("agreement from"))
    agreement_to = models.DateField(_("agreement to"), null=True, blank=True)
    offers = LimitedTextField(_("what it offers"), max_length=2000, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("practice base")
        verbose_name_plural = _("practice bases")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["station", "name"], name="practicebase_unique_name_in_station"),
            models.CheckConstraint(
                condition=Q(agreement_to__isnull=True) | Q(agreement_to__gte=F("agreement_from")),
                name="practicebase_agreement_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.name


class PartyActivity(models.Model):
    """The party side of a station activity (platform "partybuild"): a themed party day or 党建+公益."""

    class Kind(models.TextChoices):
        PARTY_DAY = "party_day", _("themed party day")
        CHARITY = "charity", _("party building + public welfare")

    activity = models.OneToOneField(
        Activity, on_delete=models.PROTECT, related_name="party_activity", verbose_name=_("activity")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PARTY_DAY)
    orgs = models.ManyToManyField(
        PartyOrg, related_name="party_activities", verbose_name=_("party organisations that ran it")
    )
    base = models.ForeignKey(
        PracticeBase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_activities",
        verbose_name=_("practice base"),
    )
    households_served = models.ManyToManyField(
        Household, blank=True, related_name="party_activities", verbose_name=_("households served")
    )
    summary = LimitedTextField(_("what was done"), max_length=3000, blank=True)

    class Meta:
        verbose_name = _("themed party day or activity")
        verbose_name_plural = _("themed party days and activities")
        ordering = ["-activity__starts_at"]

    def __str__(self):
        return self.activity.title


class PartyDayVolunteerRecord(models.Model):
    """A member's themed party day entered as a service record of the volunteers app (by id), once per member
    and day (PARTYBUILD_VOLUNTEER_POINTS)."""

    party_activity = models.ForeignKey(
        PartyActivity,
        on_delete=models.PROTECT,
        related_name="volunteer_records",
        verbose_name=_("themed party day or activity"),
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person"))
    volunteer_record_id = models.BigIntegerField(_("volunteer service record"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("party day entered as volunteer hours")
        verbose_name_plural = _("party days entered as volunteer hours")
        constraints = [
            models.UniqueConstraint(
                fields=["party_activity", "person"], name="partydayrecord_once_per_person"
            ),
            models.UniqueConstraint(fields=["volunteer_record_id"], name="partydayrecord_record_once"),
        ]

    def __str__(self):
        return f"{self.party_activity} {self.person}"


class Course(models.Model):
    """A two-way course (双向课程)."""

    class Audience(models.TextChoices):
        SOCIAL_WORKERS = "social_workers", _("for social workers (社工党员课)")
        MEMBERS = "members", _("for party members (党员社工课)")

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="party_courses", verbose_name=_("station")
    )
    title = models.CharField(_("title"), max_length=100)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    teacher = models.CharField(_("teacher"), max_length=50, blank=True)
    description = LimitedTextField(_("description"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("two-way course")
        verbose_name_plural = _("two-way courses")
        ordering = ["title"]

    def __str__(self):
        return self.title


class CourseSession(models.Model):
    class Length(models.TextChoices):
        FULL_DAY = "full_day", _("full day")
        HALF_DAY = "half_day", _("half day")
        HOURS = "hours", _("by the hour")

    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("course")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    held_on = models.DateField(_("held on"), editable=False, db_index=True)
    length = models.CharField(_("length"), max_length=10, choices=Length.choices, default=Length.HOURS)
    study_hours = models.DecimalField(_("study hours"), max_digits=4, decimal_places=1, editable=False)
    teacher = models.CharField(_("teacher"), max_length=50, blank=True)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    attendees = models.ManyToManyField(
        Person, through="CourseAttendance", related_name="party_course_sessions", verbose_name=_("attendees")
    )

    class Meta:
        verbose_name = _("course session")
        verbose_name_plural = _("course sessions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="coursesession_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(study_hours__gte=0), name="coursesession_hours_not_negative"),
        ]

    def __str__(self):
        return f"{self.course} {self.held_on}"


class CourseAttendance(models.Model):
    session = models.ForeignKey(
        CourseSession, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("course session")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="party_course_attendance", verbose_name=_("person")
    )

    class Meta:
        verbose_name = _("course attendance")
        verbose_name_plural = _("course attendance")
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="courseattendance_once")]

    def __str__(self):
        return f"{self.person} @ {self.session}"


class QuarterlySheet(models.Model):
    """The report back to a member's unit (反馈): one per member and quarter, one per unit and quarter."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SENT = "sent", _("sent")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="party_sheets", verbose_name=_("station")
    )
    member = models.ForeignKey(
        PartyMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sheets",
        verbose_name=_("party member"),
    )
    unit = models.ForeignKey(
        PartnerUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_sheets",
        verbose_name=_("unit"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    comment = LimitedTextField(_("the community's comment"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    acknowledged_on = models.DateField(_("acknowledged on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quarterly report sheet")
        verbose_name_plural = _("quarterly report sheets")
        ordering = ["-year", "-quarter", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(member__isnull=False) & Q(unit__isnull=True))
                | (Q(member__isnull=True) & Q(unit__isnull=False)),
                name="quarterlysheet_member_or_unit",
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="quarterlysheet_quarter"
            ),
            models.UniqueConstraint(
                fields=["member", "year", "quarter"],
                condition=Q(member__isnull=False),
                name="quarterlysheet_once_per_member",
            ),
            models.UniqueConstraint(
                fields=["unit", "year", "quarter"],
                condition=Q(unit__isnull=False),
                name="quarterlysheet_once_per_unit",
            ),
        ]

    def __str__(self):
        return f"{self.member or self.unit} {self.year}Q{self.quarter}"


ZERO = Decimal("0")
