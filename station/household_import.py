"""Excel import of households with their members (户): one row per member, in the household admin.

Columns: household number, address, community, name, phone (to tell namesakes apart), relation to the head.
Rows with the same number in the same community are one household (a household without a number is known
by its address). A household is found or created, then each member is put in it through the core's services
(a person moves out of any other household). The whole file is imported or nothing: a person unknown or of
another community, a second head, a household left without a head, an address that differs between two rows
of one household are errors named by the row's Excel number.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from . import services
from .models import Household, HouseholdMember
from .resources import (
    ChoiceLabelWidget,
    PersonByNameWidget,
    StationCommunityWidget,
    StrictResource,
    column_values,
)

HEAD = HouseholdMember.Relation.HEAD


def _text(value) -> str:
    return str(value if value is not None else "").strip().removesuffix(".0")


class HouseholdMemberResource(StrictResource):
    number = fields.Field(column_name=gettext_lazy("household number"), widget=widgets.CharWidget())
    address = fields.Field(column_name=gettext_lazy("address"), widget=widgets.CharWidget())
    community = fields.Field(column_name=gettext_lazy("community"))
    person = fields.Field(attribute="person", column_name=gettext_lazy("name"))
    phone = fields.Field(column_name=gettext_lazy("phone"), widget=widgets.CharWidget())
    relation = fields.Field(
        attribute="relation",
        column_name=gettext_lazy("relation to the head"),
        widget=ChoiceLabelWidget(HouseholdMember.Relation.choices),
    )

    class Meta:
        model = HouseholdMember
        fields = ("number", "address", "community", "person", "phone", "relation")
        import_id_fields = ()
        clean_model_instances = False  # the services clean what they save
        skip_unchanged = False
        skip_diff = True

    def __init__(self, station=None, user=None, **kwargs):
        super().__init__(**kwargs)
        self.station, self.user = station, user
        self.fields["community"].widget = StationCommunityWidget(station=station)
        self.fields["person"].widget = PersonByNameWidget(
            user=user, phone_column=str(self.fields["phone"].column_name)
        )
        self.households: dict = {}  # key -> (household, first row's address, its Excel row)
        self.headless: dict = {}  # Excel row of a household's first row -> its number or address

    def get_instance(self, instance_loader, row):
        return None  # each row puts one person in a household

    def _key(self, row) -> tuple:
        number = _text(row.get(str(self.fields["number"].column_name)))
        address = _text(row.get(str(self.fields["address"].column_name)))
        community = _text(row.get(str(self.fields["community"].column_name)))
        return (community, "number", number) if number else (community, "address", address)

    def before_import(self, dataset, **kwargs):
        """Check the columns, and note each household of the file with no head in it (it may have one)."""
        missing = [
            str(f.column_name) for f in self.fields.values() if str(f.column_name) not in dataset.headers
        ]
        if missing:
            raise ValidationError(
                _("The sheet has no column “%(columns)s”; the first row must hold the column names.")
                % {"columns": "”、“".join(missing)}
            )
        relation = self.fields["relation"]
        heads, first_rows = set(), {}
        for index, values in enumerate(dataset.dict, start=2):
            key = self._key(values)
            first_rows.setdefault(key, index)
            try:
                if relation.widget.clean(values.get(str(relation.column_name))) == HEAD:
                    heads.add(key)
            except ValueError:
                pass  # the row's own error is reported on it
        self.headless = {row: key for key, row in first_rows.items() if key not in heads}
        person = self.fields["person"]
        person.widget.preload(column_values(dataset, person.column_name))  # every name of the file at once

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            community = self.fields["community"].clean(row)
        except ValueError as exc:
            errors["community"] = [str(exc)]
            community = None
        if not instance.relation and "relation" not in errors:
            errors["relation"] = [_("The relation to the head is missing.")]
        key = self._key(row)
        address = _text(row.get(str(self.fields["address"].column_name)))
        if not address and key[1] == "address":
            errors["address"] = [_("A household needs a number or an address.")]
        excel_row = kwargs.get("row_number", 0) + 1
        seen = self.households.get(key)
        if seen and address and seen[1] and address != seen[1]:
            errors["address"] = [
                _("Row %(row)d gives this household the address “%(address)s”.")
                % {"row": seen[2], "address": seen[1]}
            ]
        if errors:
            raise ValidationError(errors)
        if seen is None:
            self.households[key] = (self._household(community, key, address), address, excel_row)
        instance.household = self.households[key][0]
        if excel_row in self.headless and not instance.household.memberships.filter(relation=HEAD).exists():
            raise ValidationError(
                {"relation": [_("This household has no head: mark one member as the head of household.")]}
            )

    def _household(self, community, key, address) -> Household:
        """The household the row names, found in its community or created (through the service)."""
        _community, by, value = key
        found = Household.objects.filter(community=community)
        found = found.filter(number=value) if by == "number" else found.filter(number="", address=value)
        household = found.first() or Household(community=community, number=value if by == "number" else "")
        if household.pk is None or (address and household.address != address):
            household.address = address or household.address
            household = self._run(services.household_save, household=household, actor=self.user)
        return household

    def _run(self, service, **kwargs):
        try:
            return service(**kwargs)
        except PermissionDenied as exc:
            raise ValidationError({"community": [str(exc)]}) from None
        except ValidationError as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None

    def save_instance(self, instance, is_create, row, **kwargs):
        member = self._run(
            services.household_member_set,
            household=instance.household,
            person=instance.person,
            relation=instance.relation,
            actor=self.user,
        )
        instance.pk = member.pk
