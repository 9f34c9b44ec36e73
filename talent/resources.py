"""Excel import and export: exam candidates, exam results and continuing-education hours.

Whole files or nothing (StrictResource): any bad row rolls every row back, and errors name Excel row numbers.
Column headings carry their own translation context ("talent excel column").
"""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from import_export import fields

from station.models import Person
from station.resources import StrictResource

from . import services
from .models import CEHours, ExamAttempt, ExamLevel, ExamSubject, ExamYear, SubjectScore

CONTEXT = "talent excel column"


def _heading(text):
    return pgettext_lazy(CONTEXT, text)


def _text(value) -> str:
    text = "" if value is None else str(value).strip()
    return text.removesuffix(".0") if text.replace(".", "", 1).isdigit() else text


def _cell(row, heading) -> str:
    return _text(row.get(pgettext(CONTEXT, heading)))


def _date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    try:
        return date.fromisoformat(text.replace("/", "-")[:10])
    except ValueError:
        return None


class _TalentResource(StrictResource):
    """Shared: find the person by name and phone in the importer's station; read the columns by heading."""

    class Meta:
        abstract = True

    def __init__(self, station=None, user=None, **kwargs):
        super().__init__(**kwargs)
        self.station = station
        self.user = user

    def get_instance(self, instance_loader, row):
        return None

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        return  # every column is read in import_instance and written through the services

    def _person(self, row, errors) -> Person | None:
        name, phone = _cell(row, "name"), _cell(row, "phone")
        people = Person.objects.filter(name=name)
        if self.station is not None:
            people = people.filter(community__station=self.station)
        if phone:
            people = people.filter(phone=phone)
        found = list(people[:2]) if name else []
        if len(found) != 1:
            errors.setdefault("person", []).append(
                _("No single resident named “%(name)s” with the phone “%(phone)s” in this station.")
                % {"name": name, "phone": phone}
                if not found
                else _("Several residents are named “%(name)s”; add the phone number.") % {"name": name}
            )
            return None
        return found[0]

    def _exam_year(self, row, errors) -> ExamYear | None:
        raw = _cell(row, "exam year")
        exam = ExamYear.objects.filter(year=int(raw)).first() if raw.isdigit() else None
        if exam is None:
            errors.setdefault("exam_year", []).append(
                _("The exam year “%(year)s” is not in the exam calendar.") % {"year": raw}
            )
        return exam


class CandidateResource(_TalentResource):
    """Candidates: name, phone, exam year, level, registered on."""

    name = fields.Field(attribute="person__name", column_name=_heading("name"))
    phone = fields.Field(attribute="person__phone", column_name=_heading("phone"))
    exam_year = fields.Field(attribute="exam_year__year", column_name=_heading("exam year"))
    level = fields.Field(attribute="level__name", column_name=_heading("level"))
    registered_on = fields.Field(attribute="registered_on", column_name=_heading("registered on"))
    result = fields.Field(column_name=_heading("result"), dehydrate_method="dehydrate_result")

    class Meta:
        model = ExamAttempt
        name = _heading("exam candidates")
        fields = ("name", "phone", "exam_year", "level", "registered_on", "result")
        import_id_fields = ()
        clean_model_instances = False
        skip_unchanged = False

    def get_queryset(self):
        return ExamAttempt.objects.select_related("person", "exam_year", "level")

    def get_import_fields(self):
        return [self.fields[n] for n in ("name", "phone", "exam_year", "level", "registered_on")]

    def dehydrate_result(self, attempt):
        return attempt.get_result_display()

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        instance.person = self._person(row, errors)
        instance.exam_year = self._exam_year(row, errors)
        level_text = _cell(row, "level")
        level = ExamLevel.objects.filter(name=level_text).first()
        if level is None:
            allowed = "、".join(ExamLevel.objects.values_list("name", flat=True))
            errors.setdefault("level", []).append(
                _("“%(value)s” is not one of: %(allowed)s") % {"value": level_text, "allowed": allowed}
            )
        instance.level = level
        raw = row.get(pgettext(CONTEXT, "registered on"))
        instance.registered_on = _date(raw)
        if _text(raw) and instance.registered_on is None:
            errors.setdefault("registered_on", []).append(_("“%(value)s” is not a date.") % {"value": raw})
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance, is_create):
        attempt = services.attempt_register(
            person=instance.person,
            exam_year=instance.exam_year,
            level=instance.level,
            registered_on=instance.registered_on,
            actor=self.user,
        )
        instance.pk = attempt.pk


class ExamResultResource(_TalentResource):
    """Exam results: name, phone, exam year, subject, score (out of 100). Registers the candidate if needed."""

    name = fields.Field(attribute="attempt__person__name", column_name=_heading("name"))
    phone = fields.Field(attribute="attempt__person__phone", column_name=_heading("phone"))
    exam_year = fields.Field(attribute="attempt__exam_year__year", column_name=_heading("exam year"))
    subject = fields.Field(attribute="subject__name", column_name=_heading("subject"))
    score = fields.Field(attribute="score", column_name=_heading("score"))

    class Meta:
        model = SubjectScore
        name = _heading("exam results")
        fields = ("name", "phone", "exam_year", "subject", "score")
        import_id_fields = ()
        clean_model_instances = False
        skip_unchanged = False

    def get_queryset(self):
        return SubjectScore.objects.select_related("attempt__person", "attempt__exam_year", "subject")

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        person = self._person(row, errors)
        exam = self._exam_year(row, errors)
        subject_text = _cell(row, "subject")
        subject = ExamSubject.objects.select_related("level").filter(name=subject_text).first()
        if subject is None:
            errors.setdefault("subject", []).append(
                _("“%(value)s” is not one of: %(allowed)s")
                % {
                    "value": subject_text,
                    "allowed": "、".join(ExamSubject.objects.values_list("name", flat=True)),
                }
            )
        raw = _cell(row, "score")
        try:
            score = Decimal(raw) if raw else None
        except InvalidOperation:
            score = None
        if score is None or not score.is_finite() or not (0 <= score <= 100):
            errors.setdefault("score", []).append(
                _("A score must be a number from 0 to 100 (got “%(value)s”).") % {"value": raw}
            )
        instance._person, instance._exam, instance.subject_id, instance.score = person, exam, None, score
        instance._subject = subject
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance, is_create):
        attempt = services.attempt_register(
            person=instance._person, exam_year=instance._exam, level=instance._subject.level, actor=self.user
        )
        services.scores_record(attempt=attempt, scores={instance._subject: instance.score}, actor=self.user)
        instance.pk = attempt.scores.get(subject=instance._subject).pk


class CEHoursResource(_TalentResource):
    """Continuing-education hours: name, phone, provider, course, completed on, hours."""

    name = fields.Field(attribute="person__name", column_name=_heading("name"))
    phone = fields.Field(attribute="person__phone", column_name=_heading("phone"))
    provider = fields.Field(attribute="provider", column_name=_heading("provider"))
    course = fields.Field(attribute="course", column_name=_heading("course"))
    completed_on = fields.Field(attribute="completed_on", column_name=_heading("completed on"))
    hours = fields.Field(attribute="hours", column_name=_heading("hours"))

    class Meta:
        model = CEHours
        name = _heading("continuing-education hours")
        fields = ("name", "phone", "provider", "course", "completed_on", "hours")
        import_id_fields = ()
        clean_model_instances = False
        skip_unchanged = False

    def get_queryset(self):
        return CEHours.objects.select_related("person")

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        instance.person = self._person(row, errors)
        instance.provider = _cell(row, "provider")
        instance.course = _cell(row, "course")
        raw_day = row.get(pgettext(CONTEXT, "completed on"))
        instance.completed_on = _date(raw_day)
        if instance.completed_on is None:
            errors.setdefault("completed_on", []).append(
                _("“%(value)s” is not a date.") % {"value": _text(raw_day)}
            )
        raw = _cell(row, "hours")
        try:
            instance.hours = Decimal(raw)
        except InvalidOperation:
            instance.hours = None
        if instance.hours is None or not instance.hours.is_finite() or not (0 < instance.hours <= 200):
            errors.setdefault("hours", []).append(
                _("Hours must be a number more than 0 and at most 200 (got “%(value)s”).") % {"value": raw}
            )
        if not errors:
            try:
                instance.full_clean(exclude=["evidence"])
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance, is_create):
        services.ce_hours_record(entry=instance, actor=self.user)
