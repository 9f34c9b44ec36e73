"""Excel import of party members (a community's list or a unit's roster) and export of quarterly sheets.

Whole files or nothing (StrictResource): any bad row, and nothing is saved; errors name the Excel row.
Column headings carry their own translation context ("partybuild excel column").
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from import_export import fields, widgets

from station import idnumbers
from station.models import Community, PartnerUnit, Person
from station.resources import StrictResource
from station.services import person_save

from . import services
from .models import PartyMember, PartyOrg, QuarterlySheet

CONTEXT = "partybuild excel column"
COLUMNS = [
    ("name", "name", "person__name"),
    ("phone", "phone", "person__phone"),
    ("community", "community", "person__community__name"),
    ("id_number", "ID number", "person__masked_id_number"),
    ("link", "link to the community", "link"),
    ("org", "party organisation", "org__name"),
    ("work_unit", "work unit", "work_unit__name"),
    ("skills", "skills", "skills"),
    ("preferences", "service preferences", "preferences"),
    ("availability", "availability", "availability"),
]


def _text(value) -> str:
    text = "" if value is None else str(value).strip()
    return text.removesuffix(".0") if text.replace(".", "", 1).isdigit() else text


class MemberResource(StrictResource):
    name = fields.Field(attribute="person__name", column_name=pgettext_lazy(CONTEXT, "name"))
    phone = fields.Field(attribute="person__phone", column_name=pgettext_lazy(CONTEXT, "phone"))
    community = fields.Field(
        attribute="person__community__name", column_name=pgettext_lazy(CONTEXT, "community")
    )
    id_number = fields.Field(
        attribute="person__masked_id_number", column_name=pgettext_lazy(CONTEXT, "ID number")
    )
    link = fields.Field(attribute="link", column_name=pgettext_lazy(CONTEXT, "link to the community"))
    org = fields.Field(attribute="org__name", column_name=pgettext_lazy(CONTEXT, "party organisation"))
    work_unit = fields.Field(attribute="work_unit__name", column_name=pgettext_lazy(CONTEXT, "work unit"))
    skills = fields.Field(
        attribute="skills", column_name=pgettext_lazy(CONTEXT, "skills"), widget=widgets.CharWidget()
    )
    preferences = fields.Field(
        attribute="preferences",
        column_name=pgettext_lazy(CONTEXT, "service preferences"),
        widget=widgets.CharWidget(),
    )
    availability = fields.Field(
        attribute="availability",
        column_name=pgettext_lazy(CONTEXT, "availability"),
        widget=widgets.CharWidget(),
    )

    class Meta:
        model = PartyMember
        fields = tuple(name for name, _label, _attr in COLUMNS)
        import_id_fields = ()
        clean_model_instances = False
        skip_unchanged = False

    def __init__(self, station=None, user=None, **kwargs):
        super().__init__(**kwargs)
        self.station = station
        self.user = user
        self._ids_seen: set[str] = set()

    def get_queryset(self):
        return PartyMember.objects.select_related("person__community", "org", "work_unit")

    def get_instance(self, instance_loader, row):
        return None

    def dehydrate_link(self, member):
        return member.get_link_display()

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        return  # every column is read in import_instance and written through the services

    def _column(self, row, label) -> str:
        return _text(row.get(str(pgettext(CONTEXT, label))))

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, list] = {}

        def error(field, message):
            errors.setdefault(field, []).append(message)

        name = self._column(row, "name")
        phone = self._column(row, "phone")
        community_name = self._column(row, "community")
        raw_id = idnumbers.normalize(self._column(row, "ID number"))
        link_text = self._column(row, "link to the community")
        org_name = self._column(row, "party organisation")
        unit_name = self._column(row, "work unit")

        id_number = ""
        if not raw_id:
            error("id_number", _("The ID number is missing."))
        else:
            try:
                id_number = idnumbers.validate_id_number(raw_id)
            except ValidationError as exc:
                error("id_number", " ".join(exc.messages))
            else:
                if id_number in self._ids_seen:
                    error("id_number", _("This ID number appears twice in the file."))
                self._ids_seen.add(id_number)

        link = next(
            (code for code, label in PartyMember.Link.choices if link_text in (code, str(label))), None
        )
        if link is None:
            allowed = "、".join(str(label) for _code, label in PartyMember.Link.choices)
            error(
                "link", _("“%(value)s” is not one of: %(allowed)s") % {"value": link_text, "allowed": allowed}
            )

        station_filter = {"station": self.station} if self.station is not None else {}
        org = None
        if org_name:
            org = PartyOrg.objects.filter(name=org_name, **station_filter).first()
            if org is None:
                error("org", _("Unknown party organisation “%(name)s”.") % {"name": org_name})
        unit = None
        if unit_name:
            unit = PartnerUnit.objects.filter(name=unit_name, **station_filter).first()
            if unit is None:
                error(
                    "work_unit",
                    _("Unknown unit “%(name)s”: add it to the partner units first.") % {"name": unit_name},
                )

        person = None
        if id_number:
            people = Person.objects.filter(id_number_hash=idnumbers.keyed_hash(id_number))
            person = people.first()
            if (
                person is not None
                and self.station is not None
                and person.community.station_id != self.station.pk
            ):
                error("id_number", _("This person is registered at another station."))
            elif person is not None and PartyMember.objects.filter(person=person).exists():
                error(
                    "id_number",
                    _("%(name)s is already registered as a party member.") % {"name": person.name},
                )
        if person is None and id_number:
            community = Community.objects.filter(name=community_name, **station_filter).first()
            if community is None:
                error("community", _("Unknown community “%(name)s”.") % {"name": community_name})
            if not name:
                error("name", _("The name is missing."))
            person = Person(name=name, phone=phone, community=community, id_number=id_number)
            if community is not None and name:
                try:
                    person.full_clean()
                except ValidationError as exc:
                    errors = exc.update_error_dict(errors)
        instance._person = person
        instance._org, instance._unit, instance._link = org, unit, link
        instance.skills = self._column(row, "skills")
        instance.preferences = self._column(row, "service preferences")
        instance.availability = self._column(row, "availability")
        if errors:
            raise ValidationError(errors)

    def do_instance_save(self, instance, is_create):
        person = instance._person
        if person.pk is None:
            person_save(person=person, actor=self.user)
        created = services.member_register(
            person=person,
            link=instance._link,
            actor=self.user,
            org=instance._org,
            work_unit=instance._unit,
            skills=instance.skills,
            preferences=instance.preferences,
            availability=instance.availability,
        )
        instance.pk = created.pk
        instance.person = person


class QuarterlySheetResource(StrictResource):
    """The sheet the station sends to the work unit, one row per member or unit and quarter."""

    who = fields.Field(column_name=pgettext_lazy(CONTEXT, "member or unit"))
    unit = fields.Field(column_name=pgettext_lazy(CONTEXT, "work unit"))
    quarter = fields.Field(column_name=pgettext_lazy(CONTEXT, "quarter"))
    hours = fields.Field(column_name=pgettext_lazy(CONTEXT, "hours served"))
    posts = fields.Field(column_name=pgettext_lazy(CONTEXT, "posts held"))
    needs_met = fields.Field(column_name=pgettext_lazy(CONTEXT, "needs met"))
    party_days = fields.Field(column_name=pgettext_lazy(CONTEXT, "themed party days attended"))
    course_sessions = fields.Field(column_name=pgettext_lazy(CONTEXT, "course sessions attended"))
    study_hours = fields.Field(column_name=pgettext_lazy(CONTEXT, "study hours"))
    comment = fields.Field(attribute="comment", column_name=pgettext_lazy(CONTEXT, "the community's comment"))
    status = fields.Field(column_name=pgettext_lazy(CONTEXT, "status"))

    class Meta:
        model = QuarterlySheet
        fields = ("who", "unit", "quarter", "hours", "posts", "needs_met", "party_days", "course_sessions",
                  "study_hours", "comment", "status")  # fmt: skip

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def get_queryset(self):
        return QuarterlySheet.objects.select_related("member__person", "member__work_unit", "unit")

    def dehydrate_who(self, sheet):
        return sheet.member.person.name if sheet.member_id else sheet.unit.name

    def dehydrate_unit(self, sheet):
        if sheet.member_id:
            return sheet.member.work_unit.name if sheet.member.work_unit_id else ""
        return sheet.unit.name

    def dehydrate_quarter(self, sheet):
        return f"{sheet.year}Q{sheet.quarter}"

    def dehydrate_status(self, sheet):
        return sheet.get_status_display()

    def _figure(self, sheet, key):
        return sheet.figures.get(key, "")

    def dehydrate_hours(self, sheet):
        return self._figure(sheet, "hours")

    def dehydrate_posts(self, sheet):
        return self._figure(sheet, "posts")

    def dehydrate_needs_met(self, sheet):
        return self._figure(sheet, "needs_met")

    def dehydrate_party_days(self, sheet):
        return self._figure(sheet, "party_days")

    def dehydrate_course_sessions(self, sheet):
        return self._figure(sheet, "course_sessions")

    def dehydrate_study_hours(self, sheet):
        return self._figure(sheet, "study_hours")
