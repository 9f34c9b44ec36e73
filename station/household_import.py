"""Excel import of households with their members (户): one row per member, in the household admin.

Columns: household number, address, community, name, phone (to tell namesakes apart), relation to the head.
Rows with the same number in the same community are one household (a household without a number is known
by its address). The households and heads already in the ledger are looked up once for the file, each row is
checked against them and against the rows before it, and the file is written through
``services.household_members_set_many`` (a household created once, a person moved out of any other). The whole file is imported or nothing: a person unknown or of
another community, a second head, a household left without a head, an address that differs between two rows
of one household, a person on two rows are errors named by the row's Excel number.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from . import services
from .models import Community, Household, HouseholdMember, Person
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
        clean_model_instances = False  # each row is cleaned below, once its household is known
        skip_unchanged = False
        skip_diff = True
        use_bulk = True  # the rows are written together by services.household_members_set_many
        batch_size = None  # in one batch: a head may move out on a late row of the file

    def __init__(self, station=None, user=None, **kwargs):
        super().__init__(**kwargs)
        self.station, self.user = station, user
        self.fields["community"].widget = StationCommunityWidget(station=station)
        self.fields["person"].widget = PersonByNameWidget(
            user=user, phone_column=str(self.fields["phone"].column_name)
        )
        self.households: dict = {}  # key -> (household, first row's address, its Excel row)
        self.headless: dict = {}  # Excel row of a household's first row -> its number or address
        self.existing: dict = {}  # key -> a household already in the ledger
        self.heads: dict = {}  # household key -> (its head's person id, the Excel row naming them, or None)
        self.people_rows: dict = {}  # person id -> the first Excel row naming them

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
        self._preload_households(first_rows)

    def _preload_households(self, keys):
        """The households of the file already in the ledger, and their heads: two queries for the file."""
        communities = {c.name: c for c in Community.objects.filter(station=self.station)}
        numbers = {value for _c, by, value in keys if by == "number"}
        addresses = {value for _c, by, value in keys if by == "address"}
        found = Household.objects.filter(community__in=communities.values()).filter(
            Q(number__in=numbers) | Q(number="", address__in=addresses)
        )
        names = {c.pk: name for name, c in communities.items()}
        for household in found.select_related("community"):
            by, value = ("number", household.number) if household.number else ("address", household.address)
            self.existing[(names[household.community_id], by, value)] = household
        keys_of = {h.pk: key for key, h in self.existing.items()}
        for household_id, person_id in HouseholdMember.objects.filter(
            household_id__in=keys_of, relation=HEAD
        ).values_list("household_id", "person_id"):
            self.heads[keys_of[household_id]] = (person_id, None)

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
        self._check_member(instance, key, excel_row)

    def _check_member(self, instance, key, excel_row):
        """The rules ``household_member_set`` applies one row at a time, for the whole file: one head a
        household (the ledger's or an earlier row's, unless that person moves out earlier in the file), a
        person on one row, and the member's own checks (their community is the household's)."""
        errors = {}
        head = self.heads.get(key)
        if head and head[1] is None and self.people_rows.get(head[0], excel_row) < excel_row:
            head = None  # the ledger's head was moved to another household by an earlier row
        if instance.relation == HEAD:
            if head and head[0] != instance.person.pk:
                name = Person.objects.filter(pk=head[0]).values_list("name", flat=True).first()
                errors["relation"] = [_("%(name)s is already the head of this household.") % {"name": name}]
            else:
                self.heads[key] = (instance.person.pk, excel_row)
        elif excel_row in self.headless and not head:
            errors["relation"] = [_("This household has no head: mark one member as the head of household.")]
        first = self.people_rows.setdefault(instance.person.pk, excel_row)
        if first != excel_row:
            errors["person"] = [
                _("%(name)s is already on row %(row)d of the file: a person belongs to one household.")
                % {"name": instance.person.name, "row": first}
            ]
        if errors:
            raise ValidationError(errors)
        instance.full_clean(
            exclude={"household", "person"}, validate_unique=False, validate_constraints=False
        )

    def _household(self, community, key, address) -> Household:
        """The household the row names: the one in the ledger (its address corrected through the service when
        the file gives another), or a new one, saved with its members."""
        household = self.existing.get(key)
        if household is None:
            return Household(
                community=community, number=key[2] if key[1] == "number" else "", address=address
            )
        if address and household.address != address:
            household.address = address
            household = self._run(services.household_save, household=household, actor=self.user)
        return household

    def _run(self, service, **kwargs):
        try:
            return service(**kwargs)
        except PermissionDenied as exc:
            raise ValidationError({"community": [str(exc)]}) from None
        except ValidationError as exc:
            raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None

    def check_batch(self, instances):
        self._run(services.household_members_check_many, members=instances, actor=self.user)

    def save_batch(self, instances):
        self._run(services.household_members_set_many, members=instances, actor=self.user)
