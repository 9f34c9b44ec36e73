"""Excel import and export of people (django-import-export)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from . import idnumbers
from .models import AuditEvent, Community, Person
from .services import audit_record, person_snapshot


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
