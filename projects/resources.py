"""Excel import and export of projects, linked resources and beneficiaries: all rows or none, errors by Excel
row number, Chinese column headings.

The imports are batched: what a file names (partner units, communities, projects, people, the activities of a
sign-in sheet and who is already recorded at them) is looked up once for the file, each row is checked in
memory, and the rows are written through the ``*_many`` services of projects.services in a few queries. On
the imports bench (PostgreSQL, 20,000 rows, check then confirm) a file costs 16 to 25 s of the process's CPU;
2,000 rows cost 90 to 126 s before, at several queries and a savepoint a row."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from import_export import fields, widgets

from station.batching import in_chunks
from station.models import Attendance, Community, PartnerUnit
from station.resources import ChoiceLabelWidget, StrictResource, UserScopedResource, column_values

from . import services
from .models import Beneficiary, Project, Resource


class DateCellWidget(widgets.DateWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(_("“%(value)s” is not a date (write 2026-03-05).") % {"value": value}) from None


class NumberCellWidget(widgets.DecimalWidget):
    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except (ValueError, ArithmeticError):
            raise ValueError(_("“%(value)s” is not a number.") % {"value": value}) from None


class ByNameWidget(widgets.Widget):
    """A record of the importing station found by its name (a partner unit, a community, a project).

    ``preload(names)`` looks up every name of the file at once; ``clean`` then reads from memory."""

    def __init__(self, model, station=None, required=False, missing="", unknown="", **kwargs):
        self.model, self.station, self.required = model, station, required
        self.missing, self.unknown = missing, unknown
        self.field = "title" if model is Project else "name"
        self._by_name = None
        super().__init__(**kwargs)

    def _queryset(self):
        qs = self.model.objects.order_by(*(self.model._meta.ordering or ["pk"]), "pk")
        return qs.filter(station=self.station) if self.station is not None else qs

    def preload(self, names) -> list:
        """The station's records of these names, looked up at once (and returned)."""
        self._by_name = {}
        for chunk in in_chunks({str(n).strip() for n in names if str(n or "").strip()}):
            for record in self._queryset().filter(**{f"{self.field}__in": chunk}):
                self._by_name.setdefault(getattr(record, self.field), []).append(record)
        return [record for found in self._by_name.values() for record in found]

    def named(self, name) -> list:
        """The station's records of that name (from the file's lookup once ``preload`` ran)."""
        if self._by_name is None:
            return list(self._queryset().filter(**{self.field: name})[:2])
        return self._by_name.get(name, [])

    def clean(self, value, row=None, **kwargs):
        name = str(value or "").strip()
        if not name:
            if self.required:
                raise ValueError(self.missing)
            return None
        found = self.named(name)
        if len(found) != 1:
            raise ValueError(self.unknown % {"name": name})
        return found[0]

    def render(self, value, obj=None, **kwargs):
        return str(value) if value else ""


class CommunitiesWidget(widgets.Widget):
    """The communities a project serves, by name, separated by 、 or a comma (empty: station-wide)."""

    def __init__(self, station=None, **kwargs):
        self.station = station
        self._by_name = None
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if self._by_name is None:  # the station's communities, looked up once per file
            qs = Community.objects.order_by("station", "name", "pk")
            if self.station is not None:
                qs = qs.filter(station=self.station)
            self._by_name = {}
            for community in qs:
                self._by_name.setdefault(community.name, community)
        names = [n.strip() for n in re.split(r"[、,，;；]", str(value or "")) if n.strip()]
        found = []
        for name in dict.fromkeys(names):
            community = self._by_name.get(name)
            if community is None:
                raise ValueError(_("Unknown community “%(name)s”.") % {"name": name})
            found.append(community)
        return found

    def render(self, value, obj=None, **kwargs):
        return "、".join(c.name for c in value or [])


class StationResource(StrictResource):
    def __init__(self, station=None, user=None, **kwargs):
        super().__init__(**kwargs)
        self.station, self.user = station, user

    def get_instance(self, instance_loader, row):
        return None  # imports only add rows

    def import_instance(self, instance, row, **kwargs):
        if self.station is None:
            raise ValidationError(_("Only a station's staff import records."))
        instance.station = self.station
        super().import_instance(instance, row, **kwargs)


class ProjectResource(StationResource):
    title = fields.Field(
        attribute="title",
        column_name=pgettext_lazy("excel column", "project title"),
        widget=widgets.CharWidget(),
    )
    origin = fields.Field(
        attribute="origin",
        column_name=pgettext_lazy("excel column", "origin"),
        widget=ChoiceLabelWidget(Project.Origin.choices),
    )
    category = fields.Field(
        attribute="category",
        column_name=pgettext_lazy("excel column", "category"),
        widget=ChoiceLabelWidget(settings.PROJECTS_CATEGORIES),
    )
    introduced_from = fields.Field(
        attribute="introduced_from", column_name=pgettext_lazy("excel column", "introduced from")
    )
    introduced_on = fields.Field(
        attribute="introduced_on",
        column_name=pgettext_lazy("excel column", "introduced on"),
        widget=DateCellWidget(),
    )
    communities = fields.Field(
        attribute="import_communities", column_name=pgettext_lazy("excel column", "community")
    )
    runner_name = fields.Field(
        attribute="runner_name",
        column_name=pgettext_lazy("excel column", "run by"),
        widget=widgets.CharWidget(),
    )
    target_groups = fields.Field(
        attribute="target_groups",
        column_name=pgettext_lazy("excel column", "target groups"),
        widget=widgets.CharWidget(),
    )
    starts_on = fields.Field(
        attribute="starts_on", column_name=pgettext_lazy("excel column", "starts on"), widget=DateCellWidget()
    )
    ends_on = fields.Field(
        attribute="ends_on", column_name=pgettext_lazy("excel column", "ends on"), widget=DateCellWidget()
    )
    status = fields.Field(
        attribute="status",
        column_name=pgettext_lazy("excel column", "status"),
        widget=ChoiceLabelWidget(Project.Status.choices),
        readonly=True,
    )

    class Meta:
        model = Project
        fields = ("title", "origin", "category", "introduced_from", "introduced_on", "communities", "runner_name",
                  "target_groups", "starts_on", "ends_on", "status")  # fmt: skip
        import_id_fields = ()
        clean_model_instances = True
        skip_unchanged = False
        use_bulk = True

    def __init__(self, station=None, user=None, **kwargs):
        super().__init__(station=station, user=user, **kwargs)
        self.fields["introduced_from"].widget = ByNameWidget(
            PartnerUnit, station, unknown=_("Unknown partner unit “%(name)s”.")
        )
        self.fields["communities"].widget = CommunitiesWidget(station)

    def before_import(self, dataset, **kwargs):
        """The partner units the file names, as introducing a project or running it, looked up at once."""
        self.fields["introduced_from"].widget.preload(
            column_values(dataset, self.fields["introduced_from"].column_name)
            + column_values(dataset, self.fields["runner_name"].column_name)
        )

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.title = (instance.title or "").strip()
        instance.runner_name = (instance.runner_name or "").strip()
        instance.target_groups = instance.target_groups or ""
        if not instance.title:
            raise ValidationError({"title": _("The project title is missing.")})
        if not instance.origin:
            raise ValidationError({"origin": _("The origin is missing.")})
        if not instance.category:
            raise ValidationError({"category": _("The category is missing.")})
        if instance.runner_name:
            partners = self.fields["introduced_from"].widget.named(instance.runner_name)
            if partners:
                instance.runner_partner = partners[0]

    @staticmethod
    def _with_communities(instances):
        return [(project, getattr(project, "import_communities", None) or []) for project in instances]

    def check_batch(self, instances):
        services.project_check_many(projects=self._with_communities(instances), actor=self.user)

    def save_batch(self, instances):
        services.project_create_many(projects=self._with_communities(instances), actor=self.user)

    def dehydrate_communities(self, project):
        return project.community_names

    def get_queryset(self):
        return Project.objects.select_related("introduced_from").prefetch_related("communities")


class ResourceResource(StationResource):
    on = fields.Field(
        attribute="on", column_name=pgettext_lazy("excel column", "date"), widget=DateCellWidget()
    )
    direction = fields.Field(
        attribute="direction",
        column_name=pgettext_lazy("excel column", "in or out"),
        widget=ChoiceLabelWidget(Resource.Direction.choices),
    )
    kind = fields.Field(
        attribute="kind",
        column_name=pgettext_lazy("excel column", "money or goods"),
        widget=ChoiceLabelWidget(Resource.Kind.choices),
    )
    partner = fields.Field(attribute="partner", column_name=pgettext_lazy("excel column", "partner unit"))
    project = fields.Field(attribute="project", column_name=pgettext_lazy("excel column", "project"))
    description = fields.Field(
        attribute="description",
        column_name=pgettext_lazy("excel column", "what"),
        widget=widgets.CharWidget(),
    )
    quantity = fields.Field(
        attribute="quantity", column_name=pgettext_lazy("excel column", "how many"), widget=NumberCellWidget()
    )
    amount = fields.Field(
        attribute="amount",
        column_name=pgettext_lazy("excel column", "amount or value (元)"),
        widget=NumberCellWidget(),
    )
    recipient = fields.Field(
        attribute="recipient",
        column_name=pgettext_lazy("excel column", "given to"),
        widget=widgets.CharWidget(),
    )
    note = fields.Field(
        attribute="note", column_name=pgettext_lazy("excel column", "note"), widget=widgets.CharWidget()
    )

    class Meta:
        model = Resource
        fields = ("on", "direction", "kind", "partner", "project", "description", "quantity", "amount", "recipient",
                  "note")  # fmt: skip
        import_id_fields = ()
        clean_model_instances = True
        skip_unchanged = False
        use_bulk = True

    def __init__(self, station=None, user=None, **kwargs):
        super().__init__(station=station, user=user, **kwargs)
        self.fields["partner"].widget = ByNameWidget(
            PartnerUnit, station, unknown=_("Unknown partner unit “%(name)s”.")
        )
        self.fields["project"].widget = ByNameWidget(
            Project, station, unknown=_("Unknown project “%(name)s”.")
        )

    def before_import(self, dataset, **kwargs):
        for name in ("partner", "project"):  # the partner units and projects the file names, at once
            self.fields[name].widget.preload(column_values(dataset, self.fields[name].column_name))

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        instance.direction = instance.direction or Resource.Direction.IN
        instance.description = instance.description or ""
        instance.recipient = instance.recipient or ""
        instance.note = instance.note or ""
        if instance.on is None:
            raise ValidationError({"on": _("The date is missing.")})
        if not instance.kind:
            raise ValidationError({"kind": _("Say whether it is money or goods.")})

    def check_batch(self, instances):
        services.resource_check_many(resources=instances, actor=self.user)

    def save_batch(self, instances):
        services.resource_record_many(resources=instances, actor=self.user)

    def get_queryset(self):
        return Resource.objects.select_related("partner", "project")


class HeadcountWidget(widgets.IntegerWidget):
    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return 0
        try:
            number = super().clean(value, row, **kwargs)
        except (ValueError, ArithmeticError):
            number = None
        if number is None or number < 0:
            raise ValueError(_("“%(value)s” is not a head-count (write a whole number).") % {"value": value})
        return number


class BeneficiaryResource(UserScopedResource):
    """One row per person at a project's service activity, as on a sign-in sheet.

    The project is found by its title in the importing user's station; the activity by its title and date
    within that project, and created (as a service activity that day) when it is not recorded yet; the
    person by name, with the phone number to tell namesakes apart, among the people the user may see. A row
    may instead (or also) give a head-count of people who came but were not named. The same person twice at
    the same activity is refused with its row number."""

    project = fields.Field(
        attribute="import_project", column_name=pgettext_lazy("excel column", "project"), readonly=False
    )
    activity_title = fields.Field(
        attribute="import_activity_title",
        column_name=pgettext_lazy("excel column", "activity"),
        widget=widgets.CharWidget(),
    )
    activity_date = fields.Field(
        attribute="import_activity_date",
        column_name=pgettext_lazy("excel column", "activity date"),
        widget=DateCellWidget(),
    )
    person = fields.Field(attribute="person", column_name=pgettext_lazy("excel column", "name"))
    phone = fields.Field(
        attribute="person__phone", column_name=pgettext_lazy("excel column", "phone"), readonly=True
    )
    headcount = fields.Field(
        attribute="import_headcount",
        column_name=pgettext_lazy("excel column", "people not named (head-count)"),
        widget=HeadcountWidget(),
    )

    class Meta:
        model = Beneficiary
        fields = ("project", "activity_title", "activity_date", "person", "phone", "headcount")
        import_id_fields = ()
        clean_model_instances = False  # checked here and in services.beneficiary_check_many
        skip_unchanged = False
        use_bulk = True

    def __init__(self, station=None, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.station = station
        self.fields["project"].widget = ByNameWidget(
            Project, station, required=True, missing=_("The project is missing."),
            unknown=_("Unknown project “%(name)s”."),
        )  # fmt: skip
        self._seen = {}
        self._links, self._recorded = {}, set()

    def before_import(self, dataset, **kwargs):
        """The people, projects and activities the sheet names, and who is already recorded at those
        activities, looked up once for the file."""
        super().before_import(dataset, **kwargs)
        field = self.fields["project"]
        projects = field.widget.preload(column_values(dataset, field.column_name))
        titles = column_values(dataset, self.fields["activity_title"].column_name)
        titles = {str(t).strip() for t in titles if str(t or "").strip()}
        if projects and titles:
            self._links = services.project_service_links(projects=projects, titles=titles)
        for chunk in in_chunks(link.activity_id for link in self._links.values()):
            recorded = Attendance.objects.filter(activity_id__in=chunk)
            self._recorded.update(recorded.values_list("activity_id", "person_id"))

    def import_instance(self, instance, row, **kwargs):
        if self.station is None:
            raise ValidationError(_("Only a station's staff import records."))
        name_column = str(self.fields["person"].column_name)
        count_column = str(self.fields["headcount"].column_name)
        anonymous_only = (
            not str(row.get(name_column) or "").strip() and str(row.get(count_column) or "").strip()
        )
        errors = {}
        for field in self.get_import_fields():
            if field is self.fields["person"] and anonymous_only:
                instance.person = None
                continue
            try:
                self.import_field(field, instance, row, **kwargs)
            except ValueError as exc:
                errors[field.attribute] = ValidationError(str(exc), code="invalid")
        title = (getattr(instance, "import_activity_title", "") or "").strip()
        if not title and "import_activity_title" not in errors:
            errors["import_activity_title"] = ValidationError(_("The activity is missing."))
        if getattr(instance, "import_activity_date", None) is None and "import_activity_date" not in errors:
            errors["import_activity_date"] = ValidationError(_("The activity date is missing."))
        if errors:
            raise ValidationError(errors)
        instance.import_activity_title = title
        instance.import_headcount = instance.import_headcount or 0
        person = getattr(instance, "person", None) if not anonymous_only else None
        instance.person = person
        day = (instance.import_project.pk, title, instance.import_activity_date)
        if day not in self._links:  # not recorded yet: created with the batch its first row is in
            self._links[day] = services.project_service_link_new(
                project=instance.import_project, title=title, day=instance.import_activity_date
            )
        instance.import_link = link = self._links[day]
        refusal = services.beneficiary_refusal(link, person, instance.import_headcount)
        if refusal:
            raise ValidationError({"person": refusal})
        if person is not None:
            key = (*day, person.pk)
            number = kwargs.get("row_number")
            if key in self._seen:
                raise ValidationError(
                    {"person": _("%(name)s is already on row %(row)s for this activity.")
                     % {"name": person.name, "row": self._seen[key]}}
                )  # fmt: skip
            if (link.activity_id, person.pk) in self._recorded:
                raise ValidationError(
                    {"person": _("%(name)s is already recorded at this activity.") % {"name": person.name}}
                )
            self._seen[key] = (number or 0) + 1  # Excel numbering: the headings are row 1

    @staticmethod
    def _rows(instances):
        return [(i.import_link, i.person if i.person_id else None, i.import_headcount) for i in instances]

    def check_batch(self, instances):
        services.beneficiary_check_many(rows=self._rows(instances), actor=self.user)

    def save_batch(self, instances):
        attendances = services.beneficiary_record_many(rows=self._rows(instances), actor=self.user)
        for instance, attendance in zip(instances, attendances, strict=True):
            if attendance is not None:  # the activity in memory: the admin's log names each row by it
                instance.pk, instance.activity = attendance.pk, attendance.activity

    def dehydrate_project(self, obj):
        link = getattr(obj.activity, "project_link", None)
        return link.project.title if link else ""

    def dehydrate_activity_title(self, obj):
        return obj.activity.title

    def dehydrate_activity_date(self, obj):
        return timezone.localdate(obj.activity.starts_at).isoformat()

    def dehydrate_headcount(self, obj):
        return ""

    def get_queryset(self):
        return Beneficiary.objects.select_related("person", "activity__project_link__project")
