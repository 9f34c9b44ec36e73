"""Excel import and export: volunteers, and historical hours. Whole files or nothing (StrictResource).

Column headings carry their own translation context ("volunteers excel column") so no other catalogue can rename them.
"""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from import_export import fields, widgets

from station import idnumbers
from station.models import Community, Person
from station.resources import StrictResource
from station.services import person_save

from . import services
from .models import ServiceRecord, Volunteer


def _text(value) -> str:
    text = "" if value is None else str(value).strip()
    return text.removesuffix(".0") if text.replace(".", "", 1).isdigit() else text


def _column(row, label) -> str:
    return _text(row.get(str(label)))


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

    def __init__(self, station=None, user=None, **kwargs):
        super().__init__(**kwargs)
        self.station = station
        self.user = user
        self._phones_seen: set[str] = set()

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
        if not phone:
            errors.setdefault("phone", []).append(_("The phone number is missing."))
        elif phone in self._phones_seen:
            errors.setdefault("phone", []).append(_("This phone number appears twice in the file."))
        self._phones_seen.add(phone)
        people = (
            Person.objects.filter(community__station=self.station) if self.station else Person.objects.all()
        )
        person = None
        if id_number:
            person = people.filter(id_number_hash=idnumbers.keyed_hash(id_number)).first()
        if person is None and phone:
            person = people.filter(phone=phone).first()
        if person is None:
            community = Community.objects.filter(
                Q(station=self.station) if self.station else Q(), name=community_name
            ).first()
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
            person = Person(name=name, phone=phone, community=community, id_number=id_number)
            if community is not None and name:
                try:
                    person.full_clean()
                except ValidationError as exc:
                    errors = exc.update_error_dict(errors)
        elif Volunteer.objects.filter(person=person).exists():
            errors.setdefault("phone", []).append(
                _("%(name)s is already a volunteer.") % {"name": person.name}
            )
        instance._person = person
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance, is_create):
        person = instance._person
        if person.pk is None:
            person_save(person=person, actor=self.user)
        created = services.volunteer_register(
            person=person,
            actor=self.user,
            joined_on=instance.joined_on,
            skills=instance.skills or "",
            trainings=instance.trainings or "",
            availability=instance.availability or "",
        )
        instance.pk = created.pk
        instance.person = person


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

    def __init__(self, station=None, user=None, **kwargs):
        super().__init__(**kwargs)
        self.station = station
        self.user = user

    def get_queryset(self):
        return ServiceRecord.objects.select_related("volunteer__person")

    def get_instance(self, instance_loader, row):
        return None

    def get_import_fields(self):
        return [self.fields[n] for n in ("name", "phone", "service_date", "hours", "description")]

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
        volunteers = Volunteer.objects.filter(person__phone=phone)
        if self.station is not None:
            volunteers = volunteers.filter(person__community__station=self.station)
        volunteer = volunteers.first() if phone else None
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
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance, is_create):
        record = services.service_record_backfill(
            volunteer=instance.volunteer,
            service_date=instance.service_date,
            minutes=instance.minutes,
            description=instance.description or "",
            actor=self.user,
            source=ServiceRecord.Source.IMPORT,
        )
        instance.pk = record.pk
