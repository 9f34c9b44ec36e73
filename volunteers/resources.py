"""Excel import and export: volunteers, and historical hours. Whole files or nothing (StrictResource).

Column headings carry their own translation context ("volunteers excel column") so no other catalogue can rename them.
"""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from import_export import fields, widgets

from station import idnumbers
from station.batching import in_chunks
from station.models import Community, Person
from station.phones import validate_phone
from station.resources import StrictResource, column_values

from . import services
from .models import ServiceRecord, Volunteer


def _text(value) -> str:
    text = "" if value is None else str(value).strip()
    return text.removesuffix(".0") if text.replace(".", "", 1).isdigit() else text


def _column(row, label) -> str:
    return _text(row.get(str(label)))


User = get_user_model()

READ_ONLY_ATTRIBUTES = {
    "person__name",
    "person__phone",
    "person__community__name",
    "person__masked_id_number",
    "volunteer__person__name",
    "volunteer__person__phone",
    "hours",
}


class VolunteerResource(StrictResource):
    # Columns read from the person: shown in the preview and the export, written through the person.
    name = fields.Field(
        attribute="person__name", column_name=pgettext_lazy("volunteers excel column", "name")
    )
    phone = fields.Field(
        attribute="person__phone", column_name=pgettext_lazy("volunteers excel column", "phone")
    )
    community = fields.Field(
        attribute="person__community__name", column_name=pgettext_lazy("volunteers excel column", "community")
    )
    id_number = fields.Field(
        attribute="person__masked_id_number",
        column_name=pgettext_lazy("volunteers excel column", "ID number"),
    )
    joined_on = fields.Field(
        attribute="joined_on",
        column_name=pgettext_lazy("volunteers excel column", "joined on"),
        widget=widgets.DateWidget(),
    )
    skills = fields.Field(
        attribute="skills",
        column_name=pgettext_lazy("volunteers excel column", "skills"),
        widget=widgets.CharWidget(),
    )
    trainings = fields.Field(
        attribute="trainings",
        column_name=pgettext_lazy("volunteers excel column", "trainings completed"),
        widget=widgets.CharWidget(),
    )
    availability = fields.Field(
        attribute="availability",
        column_name=pgettext_lazy("volunteers excel column", "availability"),
        widget=widgets.CharWidget(),
    )
    points_balance = fields.Field(
        attribute="points_balance", column_name=pgettext_lazy("volunteers excel column", "points balance")
    )

    class Meta:
        model = Volunteer
        fields = (
            "name",
            "phone",
            "community",
            "id_number",
            "joined_on",
            "skills",
            "trainings",
            "availability",
            "points_balance",
        )
        import_id_fields = ()
        clean_model_instances = False
        skip_unchanged = False
        use_bulk = True

    def __init__(self, station=None, user=None, **kwargs):
        super().__init__(**kwargs)
        self.station = station
        self.user = user
        self._phones_seen: dict[str, int] = {}
        self._ids_seen: dict[str, int] = {}

    def before_import(self, dataset, **kwargs):
        """Look up once for the whole file what each row is checked against: the people of the station by ID
        number and by phone, which of them already volunteer, the accounts' names, the communities."""
        column = lambda name: column_values(dataset, pgettext("volunteers excel column", name))  # noqa: E731
        phones = {_text(v) for v in column("phone")} - {""}
        digests = {idnumbers.keyed_hash(idnumbers.normalize(_text(v))) for v in column("ID number")} - {""}
        people = (
            Person.objects.filter(community__station=self.station) if self.station else Person.objects.all()
        )
        self._by_hash, self._by_phone = {}, {}
        for chunk in in_chunks(digests):
            for person in people.filter(id_number_hash__in=chunk).order_by("pk"):
                self._by_hash.setdefault(person.id_number_hash, person)
        for chunk in in_chunks(phones):
            for person in people.filter(phone__in=chunk).order_by("pk"):
                self._by_phone.setdefault(person.phone, person)
        self._registered = set()
        for chunk in in_chunks(digests):
            self._registered.update(
                Person.objects.filter(id_number_hash__in=chunk).values_list("id_number_hash", flat=True)
            )
        known = [p.pk for p in [*self._by_hash.values(), *self._by_phone.values()]]
        self._volunteering = set()
        for chunk in in_chunks(known):
            self._volunteering.update(
                Volunteer.objects.filter(person__in=chunk).values_list("person_id", flat=True)
            )
        self._accounts = set()
        for chunk in in_chunks(phones):
            self._accounts.update(User.objects.filter(username__in=chunk).values_list("username", flat=True))
        communities = Community.objects.filter(Q(station=self.station) if self.station else Q())
        self._communities = {}
        for community in communities.order_by("pk"):
            self._communities.setdefault(community.name, community)

    def get_queryset(self):
        return Volunteer.objects.select_related("person__community")

    def get_instance(self, instance_loader, row):
        return None

    def get_import_fields(self):
        names = (
            "name",
            "phone",
            "community",
            "id_number",
            "joined_on",
            "skills",
            "trainings",
            "availability",
        )
        return [self.fields[n] for n in names]

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute in READ_ONLY_ATTRIBUTES:
            return  # read in import_instance, written through the services
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if instance.joined_on is None:
            instance.joined_on = timezone.localdate()
        name = _column(row, pgettext("volunteers excel column", "name"))
        phone = _column(row, pgettext("volunteers excel column", "phone"))
        community_name = _column(row, pgettext("volunteers excel column", "community"))
        id_number = idnumbers.normalize(_column(row, pgettext("volunteers excel column", "ID number")))
        row_number = self.excel_row(kwargs)
        if not phone:
            errors.setdefault("phone", []).append(_("The phone number is missing."))
        elif self._phones_seen.setdefault(phone, row_number) != row_number:
            errors.setdefault("phone", []).append(
                _("This phone number is already in row %(row)d of the file.")
                % {"row": self._phones_seen[phone]}
            )
        person = self._by_hash.get(idnumbers.keyed_hash(id_number)) if id_number else None
        if person is None and phone:
            person = self._by_phone.get(phone)
        if person is None:
            community = self._communities.get(community_name)
            if community is None:
                errors.setdefault("community", []).append(
                    _("Unknown community “%(name)s”.") % {"name": community_name}
                )
            if not name:
                errors.setdefault("name", []).append(_("The name is missing."))
            if not id_number:
                errors.setdefault("id_number", []).append(
                    _("A new resident needs an ID number; or register the person first.")
                )
            elif self._ids_seen.setdefault(id_number, row_number) != row_number:
                errors.setdefault("id_number", []).append(
                    _("This ID number is already in row %(row)d of the file.")
                    % {"row": self._ids_seen[id_number]}
                )
            person = Person(name=name, phone=phone, community=community, id_number=id_number)
            person.registered_id_hashes = self._registered
            if community is not None and name:
                try:
                    person.full_clean(
                        exclude=["community"], validate_unique=False, validate_constraints=False
                    )
                except ValidationError as exc:
                    errors = exc.update_error_dict(errors)
        elif person.pk in self._volunteering:
            errors.setdefault("phone", []).append(
                _("%(name)s is already a volunteer.") % {"name": person.name}
            )
        if phone and "phone" not in errors:
            try:
                if validate_phone(phone) in self._accounts:
                    errors.setdefault("phone", []).append(
                        _("The phone number %(phone)s is already used by an account.") % {"phone": phone}
                    )
            except ValidationError as exc:
                errors.setdefault("phone", []).extend(exc.messages)
        instance.person = person
        try:  # the volunteer's own columns (lengths): the check writes nothing, so the database cannot say
            instance.full_clean(
                exclude=["person", "user", *errors], validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def save_batch(self, instances):
        services.volunteer_register_many(volunteers=instances, actor=self.user)


class ServiceHoursResource(StrictResource):
    """Historical hours: phone, service date, hours, what was done. Imported hours wait for approval."""

    name = fields.Field(
        attribute="volunteer__person__name", column_name=pgettext_lazy("volunteers excel column", "name")
    )
    phone = fields.Field(
        attribute="volunteer__person__phone", column_name=pgettext_lazy("volunteers excel column", "phone")
    )
    service_date = fields.Field(
        attribute="service_date",
        column_name=pgettext_lazy("volunteers excel column", "service date"),
        widget=widgets.DateWidget(),
    )
    hours = fields.Field(attribute="hours", column_name=pgettext_lazy("volunteers excel column", "hours"))
    description = fields.Field(
        attribute="description",
        column_name=pgettext_lazy("volunteers excel column", "what was done"),
        widget=widgets.CharWidget(),
    )
    status = fields.Field(
        column_name=pgettext_lazy("volunteers excel column", "status"), dehydrate_method="dehydrate_status"
    )

    class Meta:
        model = ServiceRecord
        fields = ("name", "phone", "service_date", "hours", "description", "status")
        import_id_fields = ()
        clean_model_instances = False
        skip_unchanged = False
        use_bulk = True

    def __init__(self, station=None, user=None, **kwargs):
        super().__init__(**kwargs)
        self.station = station
        self.user = user

    def before_import(self, dataset, **kwargs):
        phones = {_text(v) for v in column_values(dataset, pgettext("volunteers excel column", "phone"))} - {
            ""
        }
        volunteers = Volunteer.objects.select_related("person__community")
        if self.station is not None:
            volunteers = volunteers.filter(person__community__station=self.station)
        self._by_phone = {}
        for chunk in in_chunks(phones):
            for volunteer in volunteers.filter(person__phone__in=chunk).order_by("pk"):
                self._by_phone.setdefault(volunteer.person.phone, volunteer)

    def get_queryset(self):
        return ServiceRecord.objects.select_related("volunteer__person")

    def get_instance(self, instance_loader, row):
        return None

    def get_import_fields(self):
        return [self.fields[n] for n in ("name", "phone", "service_date", "hours", "description")]

    def error_headings(self):
        return {**super().error_headings(), "minutes": str(self.fields["hours"].column_name)}

    def dehydrate_status(self, record):
        return record.get_status_display()

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.attribute in READ_ONLY_ATTRIBUTES:
            return  # read in import_instance, written through the services
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if isinstance(instance.service_date, datetime):
            instance.service_date = instance.service_date.date()
        if instance.service_date is None and "service_date" not in errors:
            errors["service_date"] = [_("The service date is missing.")]
        phone = _column(row, pgettext("volunteers excel column", "phone"))
        volunteer = self._by_phone.get(phone) if phone else None
        if volunteer is None:
            errors.setdefault("phone", []).append(
                _("No volunteer with the phone number “%(phone)s”.") % {"phone": phone}
            )
        raw_hours = _column(row, pgettext("volunteers excel column", "hours"))
        try:
            hours = Decimal(raw_hours)
        except (InvalidOperation, ValueError):
            hours = None
        if hours is None or not hours.is_finite() or hours <= 0 or hours > 24:
            errors.setdefault("minutes", []).append(
                _("Hours must be a number more than 0 and at most 24 (got “%(value)s”).")
                % {"value": raw_hours}
            )
        else:
            instance.minutes = int(hours * 60)
        instance.volunteer = volunteer
        instance.description = instance.description or ""
        if instance.service_date and instance.service_date > timezone.localdate():
            errors.setdefault("service_date", []).append(
                _("Hours cannot be entered for a day still to come.")
            )
        if not errors:
            key = (volunteer.pk, instance.service_date, instance.minutes, instance.description)
            refusal = self.repeated_row(key, kwargs)
            if refusal:
                errors["__all__"] = [refusal]
            else:
                try:
                    instance.full_clean(
                        exclude=["shift", "volunteer", "entered_by"],
                        validate_unique=False,
                        validate_constraints=False,
                    )
                except ValidationError as exc:
                    errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def save_batch(self, instances):
        services.service_record_backfill_many(records=instances, actor=self.user)
