"""The social-worker talent platform: the people the station grows, the national exam as data, certificates
and their registration, continuing education, supervision, mentoring and rotation training."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from station.fields import LimitedTextField
from station.models import Activity, Person, Station

SCORE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


def default_pass_mark():
    """The pass mark a new exam year starts with (``TALENT_DEFAULT_PASS_MARK``); each year keeps its own."""
    from decimal import Decimal

    return Decimal(settings.TALENT_DEFAULT_PASS_MARK)


def score_range(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0, f"{field}__lte": 100}), name=name
    )


class TalentProfile(models.Model):
    """Anyone the station grows: staff, part-timers, community workers, two-committee members, candidates."""

    class TeamRole(models.TextChoices):
        FULL_TIME = "full_time", _("full-time social worker")
        PART_TIME = "part_time", _("part-time social worker")
        COMMUNITY_WORKER = "community_worker", _("community worker")
        TRAINEE = "trainee", _("trainee")

    class Background(models.TextChoices):
        TWO_COMMITTEES = "two_committees", _("two-committee member")
        VOLUNTEER_LEADER = "volunteer_leader", _("volunteer leader")
        ORG_LEADER = "org_leader", _("organisation leader")
        STAFF = "staff", _("station staff")
        OTHER = "other", _("other")

    class Education(models.TextChoices):
        HIGH_SCHOOL = "high_school", _("high school or below")
        JUNIOR_COLLEGE = "junior_college", _("junior college")
        BACHELOR = "bachelor", _("bachelor's degree")
        MASTER = "master", _("master's degree or above")

    person = models.OneToOneField(
        Person, on_delete=models.PROTECT, related_name="talent_profile", verbose_name=_("person")
    )
    team_role = models.CharField(_("role in the team"), max_length=20, choices=TeamRole.choices)
    background = models.CharField(
        _("background"), max_length=20, choices=Background.choices, default=Background.OTHER
    )
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    major = models.CharField(_("major"), max_length=100, blank=True)
    social_work_major = models.BooleanField(_("social work major"), default=False)
    work_started_on = models.DateField(
        _("social-work experience since"),
        null=True,
        blank=True,
        help_text=_("Counts the years of experience."),
    )
    is_local = models.BooleanField(
        _("from the station's communities"), default=True, help_text=_("Lives or works in a community here.")
    )
    supported_since = models.DateField(_("supported by the station since"), null=True, blank=True)
    part_time_since = models.DateField(_("part-time social worker since"), null=True, blank=True)
    left_on = models.DateField(_("left the team on"), null=True, blank=True)
    local_counted_on = models.DateField(
        _("counted as a local social worker on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The day it first became true; never counted again."),
    )
    note = LimitedTextField(_("note"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("talent profile")
        verbose_name_plural = _("talent profiles")
        ordering = ["person__name", "pk"]

    def __str__(self):
        return f"{self.person} ({self.get_team_role_display()})"

    def clean(self):
        if self.team_role == self.TeamRole.PART_TIME and not self.part_time_since:
            raise ValidationError({"part_time_since": _("Say since when they work part-time.")})


class ExamLevel(models.Model):
    """A level of the national exam and its rule for passing."""

    class Code(models.TextChoices):
        ASSISTANT = "assistant", _("assistant social worker")
        INTERMEDIATE = "intermediate", _("social worker")
        SENIOR = "senior", _("senior social worker")

    code = models.CharField(_("level"), max_length=20, choices=Code.choices, unique=True)
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("exam level")
        verbose_name_plural = _("exam levels")
        ordering = ["order"]

    def __str__(self):
        return self.name


class ExamSubject(models.Model):
    level = models.ForeignKey(
        ExamLevel, on_delete=models.PROTECT, related_name="subjects", verbose_name=_("level")
    )
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("exam subject")
        verbose_name_plural = _("exam subjects")
        ordering = ["level__order", "order"]

    def __str__(self):
        return self.name


class ExamYear(models.Model):
    """One year's national exam: its calendar (the dates change every year) and its pass mark."""

    year = models.PositiveSmallIntegerField(_("exam year"), unique=True)
    registration_opens = models.DateField(_("registration opens"))
    registration_closes = models.DateField(_("registration closes"))
    exam_starts = models.DateField(_("first exam day"))
    exam_ends = models.DateField(_("last exam day"))
    results_on = models.DateField(_("results published"), null=True, blank=True)
    pass_mark = models.DecimalField(
        _("pass mark"), max_digits=4, decimal_places=1, default=default_pass_mark, validators=SCORE_VALIDATORS
    )

    class Meta:
        verbose_name = _("exam year")
        verbose_name_plural = _("exam calendar")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(registration_closes__gte=models.F("registration_opens")),
                name="talent_examyear_registration_window",
            ),
            models.CheckConstraint(
                condition=Q(exam_starts__gt=models.F("registration_closes")),
                name="talent_examyear_exam_after_registration",
            ),
            models.CheckConstraint(
                condition=Q(exam_ends__gte=models.F("exam_starts")), name="talent_examyear_exam_days"
            ),
            models.CheckConstraint(
                condition=Q(results_on__isnull=True) | Q(results_on__gte=models.F("exam_ends")),
                name="talent_examyear_results_after_exam",
            ),
            score_range("pass_mark", "talent_examyear_pass_mark_range"),
        ]

    def __str__(self):
        return str(self.year)

    def clean(self):
        errors = {}
        if (
            self.registration_opens
            and self.registration_closes
            and self.registration_closes < self.registration_opens
        ):
            errors["registration_closes"] = _("Registration cannot close before it opens.")
        if self.exam_starts and self.registration_closes and self.exam_starts <= self.registration_closes:
            errors["exam_starts"] = _("The exam must come after its registration window.")
        if self.exam_starts and self.exam_ends and self.exam_ends < self.exam_starts:
            errors["exam_ends"] = _("The last exam day cannot come before the first.")
        if self.results_on and self.exam_ends and self.results_on < self.exam_ends:
            errors["results_on"] = _("Results cannot come before the exam.")
        if self.year and self.exam_starts and self.exam_starts.year != self.year:
            errors["exam_starts"] = _("The exam days must fall in the exam year.")
        if errors:
            raise ValidationError(errors)


class ExamAttempt(models.Model):
    """A candidate's registration for one level in one exam year; the result is computed by the pass rule."""

    class Result(models.TextChoices):
        PENDING = "pending", _("waiting for results")
        PASSED = "passed", _("passed the level")
        NOT_YET = "not_yet", _("not passed yet")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="exam_attempts", verbose_name=_("candidate")
    )
    exam_year = models.ForeignKey(
        ExamYear, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("exam year")
    )
    level = models.ForeignKey(
        ExamLevel, on_delete=models.PROTECT, related_name="attempts", verbose_name=_("level")
    )
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    review_passed = models.BooleanField(
        _("review panel passed"), null=True, blank=True, help_text=_("Senior level only.")
    )
    result = models.CharField(
        _("result"), max_length=10, choices=Result.choices, default=Result.PENDING, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("exam attempt")
        verbose_name_plural = _("exam attempts")
        ordering = ["-exam_year__year", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "exam_year", "level"], name="talent_attempt_once_a_year"
            ),
        ]

    def __str__(self):
        return f"{self.person} {self.exam_year} {self.level}"


class SubjectScore(models.Model):
    attempt = models.ForeignKey(
        ExamAttempt, on_delete=models.CASCADE, related_name="scores", verbose_name=_("exam attempt")
    )
    subject = models.ForeignKey(
        ExamSubject, on_delete=models.PROTECT, related_name="+", verbose_name=_("subject")
    )
    score = models.DecimalField(
        _("score"), max_digits=4, decimal_places=1, null=True, blank=True, validators=SCORE_VALIDATORS,
        help_text=_("Out of 100; empty if absent or not yet published."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("subject score")
        verbose_name_plural = _("subject scores")
        ordering = ["attempt", "subject__order"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "subject"], name="talent_score_once_per_subject"),
            score_range("score", "talent_score_range"),
        ]

    def __str__(self):
        return f"{self.subject}: {self.score if self.score is not None else '-'}"

    def clean(self):
        if self.attempt_id and self.subject_id and self.subject.level_id != self.attempt.level_id:
            raise ValidationError({"subject": _("This subject belongs to another level.")})


class Certificate(models.Model):
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="sw_certificates", verbose_name=_("holder")
    )
    level = models.ForeignKey(ExamLevel, on_delete=models.PROTECT, related_name="+", verbose_name=_("level"))
    year_passed = models.PositiveSmallIntegerField(_("year passed"))
    number = models.CharField(_("certificate number"), max_length=50, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-year_passed", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "level"], name="talent_certificate_once_per_level"),
            models.UniqueConstraint(
                fields=["number"], condition=~Q(number=""), name="talent_certificate_number"
            ),
        ]

    def __str__(self):
        return f"{self.person} {self.level} ({self.year_passed})"


class Registration(models.Model):
    """One registration (登记) of a certificate, first or renewal, through the national system's states."""

    class Kind(models.TextChoices):
        FIRST = "first", _("first registration")
        RENEWAL = "renewal", _("re-registration")

    class Status(models.TextChoices):
        NOT_APPLIED = "not_applied", _("not applied")
        PENDING = "pending", _("waiting for review")
        FIRST_APPROVED = "first_approved", _("first review passed")
        FIRST_REJECTED = "first_rejected", _("first review failed")
        FINAL_APPROVED = "final_approved", _("final review passed")
        FINAL_REJECTED = "final_rejected", _("final review failed")
        COMPLETED = "completed", _("completed")
        ISSUED = "issued", _("certificate issued")

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("certificate")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FIRST)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_APPLIED, editable=False
    )
    applied_on = models.DateField(_("applied on"), null=True, blank=True, editable=False)
    valid_from = models.DateField(_("valid from"), null=True, blank=True, editable=False)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, editable=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-valid_until", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="talent_registration_valid_range",
            ),
        ]

    def __str__(self):
        return f"{self.certificate} {self.get_kind_display()} {self.get_status_display()}"


def evidence_path(instance, filename):
    return f"talent/ce/{instance.person_id}-{filename}"


class CEHours(models.Model):
    """The continuing-education ledger: hours per person, counted into the registration cycle they fall in."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="ce_hours", verbose_name=_("person")
    )
    provider = models.CharField(_("provider"), max_length=100)
    course = models.CharField(_("course"), max_length=200)
    completed_on = models.DateField(_("completed on"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    evidence = models.FileField(_("evidence file"), upload_to=evidence_path, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("continuing-education hours")
        verbose_name_plural = _("continuing-education hours")
        ordering = ["-completed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=200), name="talent_ce_hours_range"
            ),
        ]

    def __str__(self):
        return f"{self.person} {self.course} {self.hours}"


class StudyGroup(models.Model):
    """An exam self-study group: members, a tutor, a schedule, an online group and a study room."""

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="study_groups", verbose_name=_("station")
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.ForeignKey(
        ExamLevel,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("target level"),
        null=True,
        blank=True,
    )
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="tutored_groups",
        verbose_name=_("tutor"),
    )
    schedule = models.CharField(_("schedule"), max_length=200, blank=True)
    online_group = models.CharField(_("online group"), max_length=100, blank=True)
    study_room = models.CharField(_("study room"), max_length=100, blank=True)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    members = models.ManyToManyField(
        Person, through="StudyGroupMember", related_name="study_groups", verbose_name=_("members")
    )

    class Meta:
        verbose_name = _("study group")
        verbose_name_plural = _("study groups")
        ordering = ["-started_on", "name"]
        constraints = [models.UniqueConstraint(fields=["station", "name"], name="talent_group_unique_name")]

    def __str__(self):
        return self.name


class StudyGroupMember(models.Model):
    group = models.ForeignKey(
        StudyGroup, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("study group")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="study_memberships", verbose_name=_("member")
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("study-group member")
        verbose_name_plural = _("study-group members")
        ordering = ["group", "person__name"]
        constraints = [models.UniqueConstraint(fields=["group", "person"], name="talent_member_once")]

    def __str__(self):
        return f"{self.person} @ {self.group}"


class StudySession(models.Model):
    """A session of a study group (tutoring, Q&A, mock exam): a station activity of platform "talent"."""

    class Kind(models.TextChoices):
        TUTORING = "tutoring", _("tutoring")
        QA = "qa", _("questions and answers")
        MOCK_EXAM = "mock_exam", _("mock exam")

    activity = models.OneToOneField(
        Activity, on_delete=models.PROTECT, related_name="study_session", verbose_name=_("activity")
    )
    group = models.ForeignKey(
        StudyGroup, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("study group")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TUTORING)
    subjects = models.ManyToManyField(ExamSubject, blank=True, related_name="+", verbose_name=_("subjects"))

    class Meta:
        verbose_name = _("study session")
        verbose_name_plural = _("study sessions")
        ordering = ["-activity__starts_at"]

    def __str__(self):
        return self.activity.title


class MockScore(models.Model):
    session = models.ForeignKey(
        StudySession, on_delete=models.CASCADE, related_name="mock_scores", verbose_name=_("study session")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="mock_scores", verbose_name=_("member")
    )
    subject = models.ForeignKey(
        ExamSubject, on_delete=models.PROTECT, related_name="+", verbose_name=_("subject")
    )
    score = models.DecimalField(_("score"), max_digits=4, decimal_places=1, validators=SCORE_VALIDATORS)

    class Meta:
        verbose_name = _("mock-exam score")
        verbose_name_plural = _("mock-exam scores")
        constraints = [
            models.UniqueConstraint(fields=["session", "person", "subject"], name="talent_mock_once"),
            score_range("score", "talent_mock_score_range"),
        ]

    def __str__(self):
        return f"{self.person} {self.subject} {self.score}"


class SupervisionSession(models.Model):
    """Supervision (督导): in-house or bought in, individual or group, with action items followed up."""

    class Source(models.TextChoices):
        IN_HOUSE = "in_house", _("in-house")
        UNIVERSITY = "university", _("university")
        AGENCY = "agency", _("agency")

    class Mode(models.TextChoices):
        INDIVIDUAL = "individual", _("individual supervision")
        GROUP = "group", _("group supervision")

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="supervision_sessions", verbose_name=_("station")
    )
    supervisor_name = models.CharField(_("supervisor"), max_length=100)
    source = models.CharField(
        _("supervisor from"), max_length=20, choices=Source.choices, default=Source.IN_HOUSE
    )
    mode = models.CharField(_("supervision form"), max_length=20, choices=Mode.choices, default=Mode.GROUP)
    held_on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    topic = models.CharField(_("topic"), max_length=200)
    supervisees = models.ManyToManyField(
        Person, related_name="supervisions", verbose_name=_("social workers supervised")
    )
    notes = LimitedTextField(_("notes"), max_length=4000, blank=True)

    class Meta:
        verbose_name = _("supervision session")
        verbose_name_plural = _("supervision sessions")
        ordering = ["-held_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="talent_supervision_hours"
            ),
        ]

    def __str__(self):
        return f"{self.held_on} {self.topic}"


class ActionItem(models.Model):
    session = models.ForeignKey(
        SupervisionSession,
        on_delete=models.CASCADE,
        related_name="action_items",
        verbose_name=_("supervision session"),
    )
    description = models.CharField(_("action to take"), max_length=300)
    owner = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("owner")
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    follow_up = models.CharField(_("follow-up"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["done_on", "due_on", "pk"]

    def __str__(self):
        return self.description


class MentoringPair(models.Model):
    """Mentoring (传帮带): a full-timer and a part-timer or trainee."""

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="mentoring_pairs", verbose_name=_("station")
    )
    mentor = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="mentees_as_mentor", verbose_name=_("mentor")
    )
    mentee = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="mentors_as_mentee", verbose_name=_("mentee")
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    goals = LimitedTextField(_("goals"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("mentoring pair")
        verbose_name_plural = _("mentoring pairs")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(mentor=models.F("mentee")), name="talent_mentor_not_self"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="talent_mentoring_dates",
            ),
        ]

    def __str__(self):
        return f"{self.mentor} → {self.mentee}"

    def clean(self):
        if self.mentor_id and self.mentor_id == self.mentee_id:
            raise ValidationError({"mentee": _("A mentor cannot mentor themselves.")})
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end cannot come before the start.")})


class CheckIn(models.Model):
    pair = models.ForeignKey(
        MentoringPair, on_delete=models.CASCADE, related_name="check_ins", verbose_name=_("mentoring pair")
    )
    held_on = models.DateField(_("date"))
    notes = LimitedTextField(_("notes"), max_length=2000)
    next_steps = models.CharField(_("next steps"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-held_on", "pk"]

    def __str__(self):
        return f"{self.pair} {self.held_on}"


class Rotation(models.Model):
    """Rotation on the job (岗位轮训) or a training course: who did which post or course, when, how long."""

    class Kind(models.TextChoices):
        POST = "post", _("post rotation")
        TRAINING = "training", _("training course")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="rotations", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    post_or_course = models.CharField(_("post or course"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1, default=0)
    activity = models.ForeignKey(
        Activity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("training activity"),
    )

    class Meta:
        verbose_name = _("rotation or training")
        verbose_name_plural = _("rotations and trainings")
        ordering = ["-starts_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="talent_rotation_dates",
            ),
            models.CheckConstraint(condition=Q(hours__gte=0), name="talent_rotation_hours"),
        ]

    def __str__(self):
        return f"{self.person} {self.post_or_course}"
