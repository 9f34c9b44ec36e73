"""Excel import and export of organisations and their rosters: all rows or none, errors by Excel row number,
Chinese column headings.

Both imports are batched (``use_bulk``): what a file refers to (communities, organisations, people, names
already taken, current members) is looked up once in ``before_import``, each row is checked in Python against
it and against the file's earlier rows, and the rows are written through ``orgs.services``
(``org_create_many``, ``membership_create_many``) a thousand at a time, with no query per row. 20,000 rows
of either, check plus confirm, cost about 23 s of CPU on PostgreSQL (bench/imports_orgs.py), where a row
at a time cost over 70 s of CPU for 2,000.
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from station.batching import in_chunks
from station.resources import (
    ChoiceLabelWidget,
    PersonByNameWidget,
    StrictResource,
    column_values,
)
from station.selectors import community_list_visible_to

from . import selectors, services
from .models import CommunityOrg, Membership, category_choices


class StrictDateWidget(widgets.DateWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(_("“%(value)s” is not a date (write 2026-03-05).") % {"value": value}) from None


class NamedWidget(widgets.Widget):
    """A record the importing user may see, found by its name (the first one, in the records' order).

    ``preload(names)`` looks up every name of the file at once; ``clean`` then reads from memory."""

    def __init__(self, lookup, missing, unknown, **kwargs):
        self.lookup, self.missing, self.unknown = lookup, missing, unknown
        self.user = None
        self._by_name = None
        super().__init__(**kwargs)

    def preload(self, names) -> list:
        """The records found for the file's names, one a name."""
        self._by_name = {}
        for chunk in in_chunks(sorted({str(n).strip() for n in names if str(n or "").strip()})):
            found = self.lookup(self.user).filter(name__in=chunk)
            for record in found if found.ordered else found.order_by("pk"):
                self._by_name.setdefault(record.name, record)
        return list(self._by_name.values())

    def clean(self, value, row=None, **kwargs):
        name = str(value or "").strip()
        if not name:
            raise ValueError(self.missing)
        if self._by_name is None:
            found = self.lookup(self.user).filter(name=name).first()
        else:
            found = self._by_name.get(name)
        if found is None:
            raise ValueError(self.unknown % {"name": name})
        return found

    def render(self, value, obj=None, **kwargs):
        return getattr(value, "name", "") if value else ""


class PersonWidget(PersonByNameWidget):
    """A person the importing user may see, by name, with the phone number to tell namesakes apart (a phone
    typed as a number, 13800138000.0, is read as the number)."""

    def clean(self, value, row=None, **kwargs):
        if row and self.phone_column:
            row = {**row, self.phone_column: str(row.get(self.phone_column) or "").strip().removesuffix(".0")}
        return super().clean(value, row, **kwargs)


class UserResource(StrictResource):
    def __init__(self, station=None, user=None, **kwargs):
        super().__init__(**kwargs)
        self.station, self.user = station, user
        for field in self.fields.values():
            if hasattr(field.widget, "user"):
                field.widget.user = user
        self._refusals: dict = {}
        self._rows: dict = {}

    def get_instance(self, instance_loader, row):
        return None  # imports add records; corrections are made in the admin

    def refusal(self, station_id) -> str:
        """Why the user may not write to this station's organisations ("" when they may), once a station."""
        if station_id not in self._refusals:
            try:
                services.require_staff(self.user, station_id)
                self._refusals[station_id] = ""
            except PermissionDenied as exc:
                self._refusals[station_id] = str(exc)
        return self._refusals[station_id]

    def first_row(self, key, kwargs) -> int | None:
        """The earlier row of the file with the same key, or None when this row is the first."""
        first = self._rows.setdefault(key, self.excel_row(kwargs))
        return None if first == self.excel_row(kwargs) else first


class OrgResource(UserResource):
    name = fields.Field(
        attribute="name", column_name=gettext_lazy("organisation name"), widget=widgets.CharWidget()
    )
    category = fields.Field(
        attribute="category",
        column_name=gettext_lazy("category"),
        widget=ChoiceLabelWidget(category_choices()),
    )
    community = fields.Field(
        attribute="community",
        column_name=gettext_lazy("home community"),
        widget=NamedWidget(
            community_list_visible_to,
            gettext_lazy("The community is missing."),
            gettext_lazy("Unknown community “%(name)s”."),
        ),
    )
    founded_on = fields.Field(
        attribute="founded_on", column_name=gettext_lazy("founded on"), widget=StrictDateWidget()
    )
    venue = fields.Field(attribute="venue", column_name=gettext_lazy("venue"), widget=widgets.CharWidget())
    rhythm = fields.Field(
        attribute="rhythm", column_name=gettext_lazy("activity rhythm"), widget=widgets.CharWidget()
    )
    party_link = fields.Field(
        attribute="party_link", column_name=gettext_lazy("party link"), widget=widgets.CharWidget()
    )
    tier = fields.Field(
        attribute="tier",
        column_name=gettext_lazy("legal standing"),
        widget=ChoiceLabelWidget(CommunityOrg.Tier.choices),
    )
    filing_number = fields.Field(
        attribute="filing_number", column_name=gettext_lazy("filing number"), widget=widgets.CharWidget()
    )
    filed_on = fields.Field(
        attribute="filed_on", column_name=gettext_lazy("filed on"), widget=StrictDateWidget()
    )
    credit_code = fields.Field(
        attribute="credit_code",
        column_name=gettext_lazy("unified social credit code"),
        widget=widgets.CharWidget(),
    )
    registered_on = fields.Field(
        attribute="registered_on", column_name=gettext_lazy("registered on"), widget=StrictDateWidget()
    )

    class Meta:
        model = CommunityOrg
        fields = ("name", "category", "community", "founded_on", "venue", "rhythm", "party_link", "tier",
                  "filing_number", "filed_on", "credit_code", "registered_on")  # fmt: skip
        import_id_fields = ()
        clean_model_instances = True
        skip_unchanged = False
        use_bulk = True

    def before_import(self, dataset, **kwargs):
        """The file's communities and, in their stations, the organisation names already taken."""
        field = self.fields["community"]
        stations = {c.station_id for c in field.widget.preload(column_values(dataset, field.column_name))}
        names = {str(n or "").strip() for n in column_values(dataset, self.fields["name"].column_name)} - {""}
        self._taken = set()
        for chunk in in_chunks(sorted(names)):
            saved = CommunityOrg.objects.filter(station_id__in=stations, name__in=chunk)
            self._taken.update(saved.values_list("station_id", "name"))

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        instance.tier = instance.tier or CommunityOrg.Tier.LOOSE
        services.org_tidy(instance)
        if instance.community_id:
            instance.station = instance.community.station
            refusal = self.refusal(instance.station_id)
            if refusal:
                errors.setdefault(NON_FIELD_ERRORS, []).append(refusal)
            elif instance.name and "name" not in errors:
                key = (instance.station_id, instance.name)
                first = self.first_row(key, kwargs)
                if key in self._taken:
                    message = _("The station already has an organisation named “%(name)s”.")
                    errors["name"] = [message % {"name": instance.name}]
                elif first is not None:
                    message = _("The organisation “%(name)s” is already in row %(row)d of the file.")
                    errors["name"] = [message % {"name": instance.name, "row": first}]
        if errors:
            raise ValidationError(errors)

    def check_batch(self, instances):
        services.org_check_many(orgs=instances, actor=self.user)

    def save_batch(self, instances):
        services.org_create_many(orgs=instances, actor=self.user)

    def get_queryset(self):
        return selectors.org_list_visible_to(self.user).select_related("community")


class MembershipResource(UserResource):
    org = fields.Field(
        attribute="org",
        column_name=gettext_lazy("community organisation"),
        widget=NamedWidget(
            selectors.org_list_visible_to, gettext_lazy("The organisation is missing."),
            gettext_lazy("Unknown organisation “%(name)s”."),
        ),
    )  # fmt: skip
    person = fields.Field(attribute="person", column_name=gettext_lazy("name"), widget=PersonWidget())
    phone = fields.Field(column_name=gettext_lazy("phone"), readonly=True)
    role = fields.Field(
        attribute="role", column_name=gettext_lazy("role"), widget=ChoiceLabelWidget(Membership.Role.choices)
    )
    joined_on = fields.Field(
        attribute="joined_on", column_name=gettext_lazy("joined on"), widget=StrictDateWidget()
    )
    left_on = fields.Field(
        attribute="left_on", column_name=gettext_lazy("left on"), widget=StrictDateWidget()
    )

    class Meta:
        model = Membership
        fields = ("org", "person", "phone", "role", "joined_on", "left_on")
        import_id_fields = ()
        clean_model_instances = True
        skip_unchanged = False
        use_bulk = True

    def before_import(self, dataset, **kwargs):
        """The file's organisations and people, and which of those people are already current members."""
        orgs, people = self.fields["org"], self.fields["person"]
        org_ids = {org.pk for org in orgs.widget.preload(column_values(dataset, orgs.column_name))}
        people.widget.phone_column = str(self.fields["phone"].column_name)
        people.widget.preload(column_values(dataset, people.column_name))
        person_ids = {person.pk for found in people.widget._by_name.values() for person in found}
        self._current = set()
        for chunk in in_chunks(sorted(person_ids)):
            saved = Membership.objects.filter(left_on__isnull=True, org_id__in=org_ids, person_id__in=chunk)
            self._current.update(saved.values_list("org_id", "person_id"))

    def dehydrate_phone(self, membership):
        return membership.person.phone

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        instance.role = instance.role or Membership.Role.MEMBER
        if instance.joined_on is None and "joined_on" not in errors:
            errors["joined_on"] = [_("The date of joining is missing.")]
        org = instance.org if instance.org_id else None
        refusal = self.refusal(org.station_id) if org else ""
        if refusal:
            errors.setdefault(NON_FIELD_ERRORS, []).append(refusal)
        elif org and instance.person_id:
            person = instance.person
            names = {"name": person.name, "org": org.name}
            if person.community.station_id != org.station_id:
                errors["person"] = [_("%(name)s lives in another station.") % names]
            elif instance.left_on is None:
                key = (org.pk, person.pk)
                first = self.first_row(key, kwargs)
                if key in self._current:
                    errors["person"] = [_("%(name)s is already a member of %(org)s.") % names]
                elif first is not None:
                    message = _("%(name)s is already a member of %(org)s in row %(row)d of the file.")
                    errors["person"] = [message % {**names, "row": first}]
        if errors:
            raise ValidationError(errors)

    def check_batch(self, instances):
        services.membership_check_many(memberships=instances, actor=self.user)

    def save_batch(self, instances):
        services.membership_create_many(memberships=instances, actor=self.user)

    def get_queryset(self):
        return selectors.membership_list_visible_to(self.user).select_related("org", "person")
