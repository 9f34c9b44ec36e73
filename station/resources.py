"""Excel import and export in the core (django-import-export): people, the needs list, and the pieces every
platform's imports share (all rows or none, choices by their Chinese label, a person found by name)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from import_export import fields, resources, widgets

from . import idnumbers
from .models import AuditEvent, Community, Need, Person
from .phones import normalise_phone
from .selectors import person_list_visible_to
from .services import audit_record, need_raise, person_snapshot


class StrictResource(resources.ModelResource):
    """Import all rows or none: any invalid row rolls the whole file back.

    Errors name rows as Excel numbers them: the headings are row 1, the first data row is row 2.
    """

    def import_data(self, dataset, **kwargs):
        kwargs["rollback_on_validation_errors"] = True
        result = super().import_data(dataset, **kwargs)
        for row in [*result.invalid_rows, *result.error_rows]:
            row.number += 1
        return result


class ChoiceLabelWidget(widgets.Widget):
    """Read and write a choice by its Chinese label (or its code), as workers type it in Excel."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return ""
        for code, label in self.choices:
            if text in (str(code), str(label)):
                return code
        allowed = "、".join(str(label) for _code, label in self.choices)
        raise ValueError(_("“%(value)s” is not one of: %(allowed)s") % {"value": text, "allowed": allowed})

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class StationCommunityWidget(widgets.ForeignKeyWidget):
    def __init__(self, station=None, **kwargs):
        self.station = station
        super().__init__(Community, field="name", **kwargs)

    def get_queryset(self, value, row, *args, **kwargs):
        qs = Community.objects.all()
        return qs.filter(station=self.station) if self.station is not None else qs

    def clean(self, value, row=None, **kwargs):
        if not str(value or "").strip():
            raise ValueError(_("The community is missing."))
        try:
            return super().clean(str(value).strip(), row, **kwargs)
        except Community.DoesNotExist:
            raise ValueError(_("Unknown community “%(name)s”.") % {"name": value}) from None


class PersonResource(StrictResource):
    name = fields.Field(attribute="name", widget=widgets.CharWidget(), column_name=gettext_lazy("name"))
    gender = fields.Field(
        attribute="gender",
        column_name=gettext_lazy("gender"),
        widget=ChoiceLabelWidget(Person.Gender.choices),
    )
    birth_date = fields.Field(
        attribute="birth_date", column_name=gettext_lazy("birth date"), widget=widgets.DateWidget()
    )
    phone = fields.Field(attribute="phone", widget=widgets.CharWidget(), column_name=gettext_lazy("phone"))
    community = fields.Field(attribute="community", column_name=gettext_lazy("community"))
    address = fields.Field(
        attribute="address", widget=widgets.CharWidget(), column_name=gettext_lazy("address")
    )
    residency = fields.Field(
        attribute="residency",
        column_name=gettext_lazy("residency"),
        widget=ChoiceLabelWidget(Person.Residency.choices),
    )
    id_number = fields.Field(
        attribute="id_number", widget=widgets.CharWidget(), column_name=gettext_lazy("ID number")
    )

    class Meta:
        model = Person
        fields = ("name", "gender", "birth_date", "phone", "community", "address", "residency", "id_number")
        import_id_fields = ()
        clean_model_instances = True
        skip_unchanged = False

    def __init__(self, station=None, user=None, **kwargs):
        super().__init__(**kwargs)
        self.station = station
        self.user = user
        self.fields["community"].widget = StationCommunityWidget(station=station)

    def get_instance(self, instance_loader, row):
        return None  # import creates people; an existing ID number is reported as a duplicate

    def dehydrate_id_number(self, person):
        return idnumbers.mask(person.id_number)

    def dehydrate_community(self, person):
        return person.community.name

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.id_number = idnumbers.normalize(instance.id_number)
        instance.phone = (instance.phone or "").strip().removesuffix(".0")

    def after_save_instance(self, instance, row, **kwargs):
        if not kwargs.get("dry_run"):
            audit_record(
                actor=kwargs.get("user") or self.user,
                action=AuditEvent.Action.IMPORT,
                target=instance,
                changes=person_snapshot(instance),
            )

    def get_queryset(self):
        return Person.objects.select_related("community")


# Imports that name a person the importing user may see (visit logs, needs, rosters of every platform).


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
        phone = normalise_phone((row or {}).get(self.phone_column)) if self.phone_column else ""
        if phone:
            qs = qs.filter(phone=phone)
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
