"""Excel import and export: exam candidates, exam results and continuing-education hours.

Whole files or nothing (StrictResource): any bad row rolls every row back, and errors name Excel row numbers.
Column headings carry their own translation context ("talent excel column").
"""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from import_export import fields

from station.batching import in_chunks
from station.models import Person
from station.resources import StrictResource, column_values

from . import services
from .models import CEHours, ExamAttempt, ExamLevel, ExamSubject, ExamYear, SubjectScore

CONTEXT = "talent excel column"


def _heading(text):
    return pgettext_lazy(CONTEXT, text)


def _text(value) -> str:
    text = "" if value is None else str(value).strip()
    return text.removesuffix(".0") if text.replace(".", "", 1).isdigit() else text


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
    """Shared: find the person by name and phone in the importer's station; read the columns by heading.

    Batched (``use_bulk``): ``before_import`` looks up once for the whole file the people it names, the exam
    calendar, the levels and the subjects; each row is checked in Python against them and against the file's
    earlier rows (a row repeating one is refused with that row's number), and the rows are written through the
    services' ``*_many`` in a few queries per thousand rows. A file of 20,000 rows costs the web process about
    15 s of CPU for the check and the confirm together (``bench/imports_bench.py --only candidates``, and
    ``exam_results``, ``ce_hours``), where 2,000 rows cost 35 to 50 s row by row."""

    class Meta:
        abstract = True

    def __init__(self, station=None, user=None, **kwargs):
        super().__init__(**kwargs)
        self.station = station
        self.user = user
        self._headings: dict[str, str] = {}

    def before_import(self, dataset, **kwargs):
        names = {_text(v) for v in column_values(dataset, pgettext(CONTEXT, "name"))} - {""}
        people = (
            Person.objects.filter(community__station=self.station) if self.station else Person.objects.all()
        )
        self._people: dict[str, list[Person]] = {}
        for chunk in in_chunks(names):
            for person in people.filter(name__in=chunk).defer("id_number").order_by("pk"):
                self._people.setdefault(person.name, []).append(person)
        self._exam_years = {exam.year: exam for exam in ExamYear.objects.all()}
        self._levels = list(ExamLevel.objects.all())
        self._subjects = list(ExamSubject.objects.select_related("level"))

    def get_instance(self, instance_loader, row):
        return None

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        return  # every column is read in import_instance and written through the services

    def _raw(self, row, heading):
        """The row's cell under a heading (translated once per file: once per cell cost more than the rest)."""
        if heading not in self._headings:
            self._headings[heading] = pgettext(CONTEXT, heading)
        return row.get(self._headings[heading])

    def _cell(self, row, heading) -> str:
        return _text(self._raw(row, heading))

    def _person(self, row, errors) -> Person | None:
        name, phone = self._cell(row, "name"), self._cell(row, "phone")
        found = [p for p in self._people.get(name, []) if not phone or p.phone == phone]
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
        raw = self._cell(row, "exam year")
        exam = self._exam_years.get(int(raw)) if raw.isdigit() else None
        if exam is None:
            errors.setdefault("exam_year", []).append(
                _("The exam year “%(year)s” is not in the exam calendar.") % {"year": raw}
            )
        return exam

    def _by_name(self, choices, row, heading, field, errors):
        """The level or subject the row names (the first of that name), or an error listing them all."""
        text = self._cell(row, heading)
        found = next((choice for choice in choices if choice.name == text), None)
        if found is None:
            allowed = "、".join(choice.name for choice in choices)
            errors.setdefault(field, []).append(
                _("“%(value)s” is not one of: %(allowed)s") % {"value": text, "allowed": allowed}
            )
        return found

    def _once_in_file(self, key, errors, kwargs):
        refusal = self.repeated_row(key, kwargs)
        if refusal:
            errors.setdefault(NON_FIELD_ERRORS, []).append(refusal)


class CandidateResource(_TalentResource):
    """Candidates: name, phone, exam year, level, registered on. A candidate already registered for that level
    and year stays as they are."""

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
        clean_model_instances = True
        skip_unchanged = False
        use_bulk = True

    def get_queryset(self):
        return ExamAttempt.objects.select_related("person", "exam_year", "level")

    def get_import_fields(self):
        return [self.fields[n] for n in ("name", "phone", "exam_year", "level", "registered_on")]

    def dehydrate_result(self, attempt):
        return attempt.get_result_display()

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        person, exam = self._person(row, errors), self._exam_year(row, errors)
        level = self._by_name(self._levels, row, "level", "level", errors)
        instance.person, instance.exam_year, instance.level = person, exam, level
        raw = self._raw(row, "registered on")
        instance.registered_on = _date(raw)
        if _text(raw) and instance.registered_on is None:
            errors.setdefault("registered_on", []).append(_("“%(value)s” is not a date.") % {"value": raw})
        if person and exam and level:
            self._once_in_file((person.pk, exam.pk, level.pk), errors, kwargs)
        if errors:
            raise ValidationError(errors)

    def check_batch(self, instances):
        services.attempts_check_many(attempts=instances, actor=self.user)

    def save_batch(self, instances):
        services.attempts_register_many(attempts=instances, actor=self.user)


class ExamResultResource(_TalentResource):
    """Exam results: name, phone, exam year, subject, score (out of 100). Registers the candidate if needed;
    a score already recorded for that candidate, year and subject is replaced."""

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
        clean_model_instances = True
        skip_unchanged = False
        use_bulk = True

    def get_queryset(self):
        return SubjectScore.objects.select_related("attempt__person", "attempt__exam_year", "subject")

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        person = self._person(row, errors)
        exam = self._exam_year(row, errors)
        subject = self._by_name(self._subjects, row, "subject", "subject", errors)
        raw = self._cell(row, "score")
        try:
            score = Decimal(raw) if raw else None
        except InvalidOperation:
            score = None
        if score is None or not score.is_finite() or not (0 <= score <= 100):
            errors.setdefault("score", []).append(
                _("A score must be a number from 0 to 100 (got “%(value)s”).") % {"value": raw}
            )
        instance.score = score
        if person and exam and subject:
            instance.attempt = ExamAttempt(person=person, exam_year=exam, level=subject.level)
            instance.subject = subject
            self._once_in_file((person.pk, exam.pk, subject.pk), errors, kwargs)
        if errors:
            raise ValidationError(errors)

    def check_batch(self, instances):
        services.scores_check_many(scores=instances, actor=self.user)

    def save_batch(self, instances):
        services.scores_record_many(scores=instances, actor=self.user)


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
        clean_model_instances = True
        skip_unchanged = False
        use_bulk = True

    def get_queryset(self):
        return CEHours.objects.select_related("person")

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        person = instance.person = self._person(row, errors)
        instance.provider = self._cell(row, "provider")
        instance.course = self._cell(row, "course")
        raw_day = self._raw(row, "completed on")
        instance.completed_on = _date(raw_day)
        if instance.completed_on is None:
            errors.setdefault("completed_on", []).append(
                _("“%(value)s” is not a date.") % {"value": _text(raw_day)}
            )
        raw = self._cell(row, "hours")
        try:
            instance.hours = Decimal(raw)
        except InvalidOperation:
            instance.hours = None
        if instance.hours is None or not instance.hours.is_finite() or not (0 < instance.hours <= 200):
            errors.setdefault("hours", []).append(
                _("Hours must be a number more than 0 and at most 200 (got “%(value)s”).") % {"value": raw}
            )
        if person and instance.completed_on:
            key = (person.pk, instance.provider, instance.course, instance.completed_on)
            self._once_in_file(key, errors, kwargs)
        if errors:
            raise ValidationError(errors)

    def check_batch(self, instances):
        services.ce_hours_check_many(entries=instances, actor=self.user)

    def save_batch(self, instances):
        services.ce_hours_record_many(entries=instances, actor=self.user)
