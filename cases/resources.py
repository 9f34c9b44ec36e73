"""Excel import of visit logs and needs (all rows or none), export of visits, cases and needs."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from import_export import fields, widgets

from station import idnumbers
from station.models import Person
from station.resources import ChoiceLabelWidget, PersonRowResource, StrictResource

from . import services
from .models import Case, Risk, Visit


class StrictDateWidget(widgets.DateWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(_("“%(value)s” is not a date (write 2026-03-05).") % {"value": value}) from None


class StrictMinutesWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            number = super().clean(value, row, **kwargs)
        except (ValueError, ArithmeticError):
            number = -1
        if number is not None and number < 0:
            raise ValueError(_("“%(value)s” is not a number of minutes (write 15).") % {"value": value})
        return number


class VisitResource(PersonRowResource):
    kind = fields.Field(
        attribute="kind",
        column_name=pgettext_lazy("excel column", "kind of visit"),
        widget=ChoiceLabelWidget(Visit.Kind.choices),
    )
    visited_on = fields.Field(
        attribute="visited_on", column_name=pgettext_lazy("excel column", "date"), widget=StrictDateWidget()
    )
    duration_minutes = fields.Field(
        attribute="duration_minutes",
        column_name=pgettext_lazy("excel column", "duration (minutes)"),
        widget=StrictMinutesWidget(),
    )
    findings = fields.Field(attribute="findings", column_name=pgettext_lazy("excel column", "what was found"))
    risk = fields.Field(
        attribute="risk",
        column_name=pgettext_lazy("excel column", "risk judgement"),
        widget=ChoiceLabelWidget(Risk.choices),
    )
    follow_up_on = fields.Field(
        attribute="follow_up_on",
        column_name=pgettext_lazy("excel column", "follow up by"),
        widget=StrictDateWidget(),
    )
    worker = fields.Field(
        attribute="worker__username", column_name=pgettext_lazy("excel column", "worker"), readonly=True
    )

    class Meta:
        model = Visit
        fields = ("person", "phone", "community", "kind", "visited_on", "duration_minutes", "findings", "risk",
                  "follow_up_on", "worker")  # fmt: skip
        import_id_fields = ()
        clean_model_instances = True
        skip_unchanged = False
        use_bulk = True

    def import_instance(self, instance, row, **kwargs):
        instance.worker = self.user
        super().import_instance(instance, row, **kwargs)
        if not instance.kind:
            raise ValidationError({"kind": _("The kind of visit is missing.")})
        if instance.visited_on is None:
            raise ValidationError({"visited_on": _("The date is missing.")})
        instance.risk = instance.risk or Risk.NONE
        instance.duration_minutes = instance.duration_minutes or 0
        instance.findings = instance.findings or ""

    def duplicate_key(self, instance):
        return (instance.person_id, instance.kind, instance.visited_on, instance.findings or "")

    def check_batch(self, instances):
        services.visit_check_many(visits=instances, actor=self.user)

    def save_batch(self, instances):
        services.visit_record_many(visits=instances, actor=self.user)

    def get_queryset(self):
        return Visit.objects.select_related("person__community", "worker")


class CaseExportResource(StrictResource):
    """Cases for reporting: no notes, no assessment text, ID numbers masked."""

    number = fields.Field(column_name=pgettext_lazy("excel column", "case number"), readonly=True)
    person = fields.Field(
        attribute="person__name", column_name=pgettext_lazy("excel column", "client"), readonly=True
    )
    id_number = fields.Field(column_name=pgettext_lazy("excel column", "ID number"), readonly=True)
    community = fields.Field(
        attribute="person__community__name",
        column_name=pgettext_lazy("excel column", "community"),
        readonly=True,
    )
    worker = fields.Field(column_name=pgettext_lazy("excel column", "assigned worker"), readonly=True)
    supervisor = fields.Field(column_name=pgettext_lazy("excel column", "supervisor"), readonly=True)
    source = fields.Field(attribute="source", column_name=pgettext_lazy("excel column", "source"), readonly=True,
                          widget=ChoiceLabelWidget(Case.Source.choices))  # fmt: skip
    problem_areas = fields.Field(column_name=pgettext_lazy("excel column", "problem areas"), readonly=True)
    risk_level = fields.Field(attribute="risk_level", column_name=pgettext_lazy("excel column", "risk level"), readonly=True,
                              widget=ChoiceLabelWidget(Risk.choices))  # fmt: skip
    stage = fields.Field(attribute="stage", column_name=pgettext_lazy("excel column", "stage"), readonly=True,
                         widget=ChoiceLabelWidget(Case.Stage.choices))  # fmt: skip
    opened_on = fields.Field(attribute="opened_on", column_name=pgettext_lazy("excel column", "opened on"), readonly=True,
                             widget=widgets.DateWidget())  # fmt: skip
    closed_on = fields.Field(attribute="closed_on", column_name=pgettext_lazy("excel column", "closed on"), readonly=True,
                             widget=widgets.DateWidget())  # fmt: skip
    outcome = fields.Field(attribute="outcome", column_name=pgettext_lazy("excel column", "outcome"), readonly=True,
                           widget=ChoiceLabelWidget(Case.Outcome.choices))  # fmt: skip

    class Meta:
        model = Case
        fields = ("number", "person", "id_number", "community", "worker", "supervisor", "source", "problem_areas",
                  "risk_level", "stage", "opened_on", "closed_on", "outcome")  # fmt: skip

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def dehydrate_number(self, case):
        return case.number

    def dehydrate_id_number(self, case):
        return idnumbers.mask(case.person.id_number)

    def dehydrate_worker(self, case):
        return case.worker.get_full_name() or case.worker.username

    def dehydrate_supervisor(self, case):
        return case.supervisor.get_full_name() or case.supervisor.username

    def dehydrate_problem_areas(self, case):
        return "、".join(case.problem_area_labels())

    def get_queryset(self):
        return Case.objects.select_related("person__community", "worker", "supervisor")


__all__ = ["VisitResource", "CaseExportResource", "Person"]
