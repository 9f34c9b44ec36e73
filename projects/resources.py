"""Excel import and export of projects and linked resources: all rows or none, errors by Excel row number,
Chinese column headings. Imports save through projects.services."""

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from import_export import fields, widgets

from station.models import Community, PartnerUnit
from station.resources import ChoiceLabelWidget, StrictResource, UserScopedResource

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
    """A record of the importing station found by its name (a partner unit, a community, a project)."""

    def __init__(self, model, station=None, required=False, missing="", unknown="", **kwargs):
        self.model, self.station, self.required = model, station, required
        self.missing, self.unknown = missing, unknown
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        name = str(value or "").strip()
        if not name:
            if self.required:
                raise ValueError(self.missing)
            return None
        field = "title" if self.model is Project else "name"
        qs = self.model.objects.filter(**{field: name})
        if self.station is not None:
            qs = qs.filter(station=self.station)
        found = list(qs[:2])
        if len(found) != 1:
            raise ValueError(self.unknown % {"name": name})
        return found[0]

    def render(self, value, obj=None, **kwargs):
        return str(value) if value else ""


class CommunitiesWidget(widgets.Widget):
    """The communities a project serves, by name, separated by 、 or a comma (empty: station-wide)."""

    def __init__(self, station=None, **kwargs):
        self.station = station
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        names = [n.strip() for n in re.split(r"[、,，;；]", str(value or "")) if n.strip()]
        found = []
        for name in dict.fromkeys(names):
            qs = Community.objects.filter(name=name)
            if self.station is not None:
                qs = qs.filter(station=self.station)
            community = qs.first()
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

    def __init__(self, station=None, user=None, **kwargs):
        super().__init__(station=station, user=user, **kwargs)
        self.fields["introduced_from"].widget = ByNameWidget(
            PartnerUnit, station, unknown=_("Unknown partner unit “%(name)s”.")
        )
        self.fields["communities"].widget = CommunitiesWidget(station)

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
            partner = PartnerUnit.objects.filter(station=self.station, name=instance.runner_name).first()
            if partner is not None:
                instance.runner_partner = partner

    def save_instance(self, instance, is_create, row, **kwargs):
        project = services.project_save(
            project=instance, actor=self.user, communities=getattr(instance, "import_communities", None) or []
        )
        instance.pk = project.pk

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

    def __init__(self, station=None, user=None, **kwargs):
        super().__init__(station=station, user=user, **kwargs)
        self.fields["partner"].widget = ByNameWidget(
            PartnerUnit, station, unknown=_("Unknown partner unit “%(name)s”.")
        )
        self.fields["project"].widget = ByNameWidget(
            Project, station, unknown=_("Unknown project “%(name)s”.")
        )

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

    def save_instance(self, instance, is_create, row, **kwargs):
        saved = services.resource_record(resource=instance, actor=self.user)
        instance.pk = saved.pk

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
        clean_model_instances = False  # checked here and in services.beneficiary_record
        skip_unchanged = False

    def __init__(self, station=None, user=None, **kwargs):
        super().__init__(user=user, **kwargs)
        self.station = station
        self.fields["project"].widget = ByNameWidget(
            Project, station, required=True, missing=_("The project is missing."),
            unknown=_("Unknown project “%(name)s”."),
        )  # fmt: skip
        self._seen = {}

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
        person = getattr(instance, "person", None) if not anonymous_only else None
        if person is not None:
            key = (instance.import_project.pk, title, instance.import_activity_date, person.pk)
            number = kwargs.get("row_number")
            if key in self._seen:
                raise ValidationError(
                    {"person": _("%(name)s is already on row %(row)s for this activity.")
                     % {"name": person.name, "row": self._seen[key]}}
                )  # fmt: skip
            self._seen[key] = (number or 0) + 1  # Excel numbering: the headings are row 1

    def save_instance(self, instance, is_create, row, **kwargs):
        try:
            link = services.project_activity_for_day(
                project=instance.import_project,
                title=instance.import_activity_title,
                day=instance.import_activity_date,
                actor=self.user,
            )
            attendance = services.beneficiary_record(
                link=link,
                person=instance.person if instance.person_id else None,
                headcount=instance.import_headcount or 0,
                actor=self.user,
            )
        except ValidationError as exc:
            raise ValidationError({"person": exc.messages}) from None
        except PermissionDenied as exc:
            raise ValidationError({"project": [str(exc)]}) from None
        if attendance is not None:
            instance.pk = attendance.pk
            instance.activity_id = attendance.activity_id

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
