"""Excel import of party members (a community's list or a unit's roster) and export of quarterly sheets.

Whole files or nothing (StrictResource): any bad row, and nothing is saved; errors name the Excel row. The
members' import is batched (``use_bulk``): the file's people, members, organisations, units and communities are
looked up once, each row is checked in Python, and the rows are written by ``services.member_register_many``.
Column headings carry their own translation context ("partybuild excel column").
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from import_export import fields, widgets

from station import idnumbers
from station.batching import in_chunks
from station.models import Community, PartnerUnit, Person
from station.resources import StrictResource, column_values

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
        use_bulk = True

    def __init__(self, station=None, user=None, **kwargs):
        super().__init__(**kwargs)
        self.station = station
        self.user = user
        self._ids_seen: set[str] = set()

    def before_import(self, dataset, **kwargs):
        """Look up once for the whole file what each row is checked against: the people by ID number, which
        of them are members already, and the party organisations, units and communities the file names."""
        self._today = timezone.localdate()  # each new member is registered today (asked once, not per row)
        self._headings = {label: str(pgettext(CONTEXT, label)) for _name, label, _attr in COLUMNS}
        self._links = {}  # a link by its code or its label, translated once per file
        for code, label in PartyMember.Link.choices:
            self._links.setdefault(code, code)
            self._links.setdefault(str(label), code)
        column = lambda label: {_text(v) for v in column_values(dataset, self._headings[label])} - {""}  # noqa: E731
        self._by_hash = {}
        for chunk in in_chunks({idnumbers.keyed_hash(v) for v in column("ID number")}):
            people = Person.objects.filter(id_number_hash__in=chunk).select_related("community")
            for person in people.defer("id_number"):  # not read here; decrypting them all took seconds
                self._by_hash[person.id_number_hash] = person
        self._members = set()
        for chunk in in_chunks(person.pk for person in self._by_hash.values()):
            self._members.update(
                PartyMember.objects.filter(person_id__in=chunk).order_by().values_list("person", flat=True)
            )
        self._orgs = self._by_name(PartyOrg, column("party organisation"))
        self._units = self._by_name(PartnerUnit, column("work unit"))
        self._communities = self._by_name(Community, column("community"))

    def _by_name(self, model, names) -> dict:
        """The station's records of ``model`` by name (the first of namesakes, in the model's order)."""
        found = {}
        records = model.objects.filter(**({"station": self.station} if self.station is not None else {}))
        for chunk in in_chunks(names):
            chosen = records.filter(name__in=chunk)
            for record in chosen if chosen.ordered else chosen.order_by("pk"):
                found.setdefault(record.name, record)
        return found

    def get_queryset(self):
        return PartyMember.objects.select_related("person__community", "org", "work_unit")

    def get_instance(self, instance_loader, row):
        return None

    def dehydrate_link(self, member):
        return member.get_link_display()

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        return  # every column is read in import_instance and written through the services

    def _column(self, row, label) -> str:
        return _text(row.get(self._headings[label]))

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

        link = self._links.get(link_text)
        if link is None:
            allowed = "、".join(str(label) for _code, label in PartyMember.Link.choices)
            error(
                "link", _("“%(value)s” is not one of: %(allowed)s") % {"value": link_text, "allowed": allowed}
            )

        org = self._orgs.get(org_name) if org_name else None
        if org_name and org is None:
            error("org", _("Unknown party organisation “%(name)s”.") % {"name": org_name})
        unit = self._units.get(unit_name) if unit_name else None
        if unit_name and unit is None:
            error(
                "work_unit",
                _("Unknown unit “%(name)s”: add it to the partner units first.") % {"name": unit_name},
            )

        person = self._by_hash.get(idnumbers.keyed_hash(id_number)) if id_number else None
        if person is not None:
            person.id_number = id_number  # theirs (the digest matched): the preview shows it masked, no query
        if person is not None and self.station is not None and person.community.station_id != self.station.pk:
            error("id_number", _("This person is registered at another station."))
        elif person is not None and person.pk in self._members:
            error("id_number", _("%(name)s is already registered as a party member.") % {"name": person.name})
        if person is None and id_number:
            community = self._communities.get(community_name)
            if community is None:
                error("community", _("Unknown community “%(name)s”.") % {"name": community_name})
            if not name:
                error("name", _("The name is missing."))
            person = Person(name=name, phone=phone, community=community, id_number=id_number)
            person.registered_id_hashes = self._by_hash  # its number is not among them: it was looked up
            if community is not None and name:
                try:  # the community came from the lookup; the file's numbers were checked above
                    person.full_clean(
                        exclude=["community"], validate_unique=False, validate_constraints=False
                    )
                except ValidationError as exc:
                    errors = exc.update_error_dict(errors)
        if person is not None:
            instance.person = person
        instance.org, instance.work_unit, instance.link = org, unit, link or ""
        instance.skills = self._column(row, "skills")
        instance.preferences = self._column(row, "service preferences")
        instance.availability = self._column(row, "availability")
        instance.joined_on = self._today
        try:  # the member's own columns, in the form the service stores them
            services.member_prepare(instance)
            instance.full_clean(
                exclude=["person", "org", "work_unit", *errors],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def check_batch(self, instances):
        services.member_check_many(members=instances, actor=self.user)

    def save_batch(self, instances):
        services.member_register_many(members=instances, actor=self.user)


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
