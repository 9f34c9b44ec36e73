"""Excel import of visit logs and needs (all rows or none), export of visits, cases and needs."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from import_export import fields, widgets

from station import idnumbers
from station.models import Need, Person
from station.resources import ChoiceLabelWidget, StrictResource
from station.selectors import person_list_visible_to
from station.services import need_raise

from . import services
from .models import Case, Risk, Visit


class PersonByNameWidget(widgets.Widget):
    """Find a person the importing user may see by name, with the phone number to tell namesakes apart."""

    def __init__(self, user=None, phone_column=None, **kwargs):
        self.user = user
        self.phone_column = phone_column
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        name = str(value or "").strip()
        if not name:
            raise ValueError(_("The person's name is missing."))
        qs = person_list_visible_to(self.user).filter(name=name)
        phone = str((row or {}).get(self.phone_column) or "").strip() if self.phone_column else ""
        if phone:
            qs = qs.filter(Q(phone=phone))
        found = list(qs[:2])
        if not found:
            raise ValueError(_("Unknown person “%(name)s”.") % {"name": name})
        if len(found) > 1:
            raise ValueError(
                _("Several people are called “%(name)s”; add the phone number.") % {"name": name}
            )
        return found[0]

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


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


class UserScopedResource(StrictResource):
    person_field = "person"

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.fields[self.person_field].widget = PersonByNameWidget(
            user=user, phone_column=str(self.fields["phone"].column_name)
        )

    def get_instance(self, instance_loader, row):
        return None  # imports only add rows


class VisitResource(UserScopedResource):
    person = fields.Field(attribute="person", column_name=pgettext_lazy("excel column", "name"))
    phone = fields.Field(
        attribute="person__phone", column_name=pgettext_lazy("excel column", "phone"), readonly=True
    )
    community = fields.Field(
        attribute="person__community__name",
        column_name=pgettext_lazy("excel column", "community"),
        readonly=True,
    )
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

    def save_instance(self, instance, is_create, row, **kwargs):
        visit = services.visit_record(
            person=instance.person,
            kind=instance.kind,
            actor=self.user,
            visited_on=instance.visited_on,
            duration_minutes=instance.duration_minutes,
            findings=instance.findings,
            risk=instance.risk,
            follow_up_on=instance.follow_up_on,
        )
        instance.pk = visit.pk

    def get_queryset(self):
        return Visit.objects.select_related("person__community", "worker")


class NeedResource(UserScopedResource):
    person = fields.Field(attribute="person", column_name=pgettext_lazy("excel column", "name"))
    phone = fields.Field(
        attribute="person__phone", column_name=pgettext_lazy("excel column", "phone"), readonly=True
    )
    community = fields.Field(
        attribute="person__community__name",
        column_name=pgettext_lazy("excel column", "community"),
        readonly=True,
    )
    category = fields.Field(
        attribute="category",
        column_name=pgettext_lazy("excel column", "category"),
        widget=ChoiceLabelWidget(Need.Category.choices),
    )
    description = fields.Field(
        attribute="description", column_name=pgettext_lazy("excel column", "what is needed")
    )
    urgency = fields.Field(
        attribute="urgency",
        column_name=pgettext_lazy("excel column", "urgency"),
        widget=ChoiceLabelWidget(Need.Urgency.choices),
    )
    source = fields.Field(
        attribute="source",
        column_name=pgettext_lazy("excel column", "source"),
        widget=ChoiceLabelWidget(Need.Source.choices),
    )
    status = fields.Field(
        attribute="status", column_name=pgettext_lazy("excel column", "status"), widget=ChoiceLabelWidget(Need.Status.choices),
        readonly=True,
    )  # fmt: skip
    taker_name = fields.Field(
        attribute="taker_name", column_name=pgettext_lazy("excel column", "taken by"), readonly=True
    )
    outcome = fields.Field(
        attribute="outcome", column_name=pgettext_lazy("excel column", "what was done"), readonly=True
    )
    raised_at = fields.Field(
        attribute="raised_at",
        column_name=pgettext_lazy("excel column", "raised at"),
        widget=widgets.DateTimeWidget(),
        readonly=True,
    )

    class Meta:
        model = Need
        fields = ("person", "phone", "community", "category", "description", "urgency", "source", "status",
                  "taker_name", "outcome", "raised_at")  # fmt: skip
        import_id_fields = ()
        clean_model_instances = True
        skip_unchanged = False

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.urgency = instance.urgency or Need.Urgency.NORMAL
        instance.source = instance.source or Need.Source.OTHER

    def save_instance(self, instance, is_create, row, **kwargs):
        need = need_raise(
            person=instance.person,
            category=instance.category,
            description=instance.description,
            urgency=instance.urgency,
            source=instance.source,
            actor=self.user,
        )
        instance.pk = need.pk

    def get_queryset(self):
        return Need.objects.select_related("person__community")


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


__all__ = ["VisitResource", "NeedResource", "CaseExportResource", "Person"]
