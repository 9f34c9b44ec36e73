"""Excel import and export in the core (django-import-export): people, the needs list, and the pieces every
platform's imports share (all rows or none, choices by their Chinese label, a person found by name)."""

from copy import copy

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _
from import_export import fields, resources, results, widgets

from . import idnumbers
from .batching import in_chunks
from .models import AuditEvent, Community, Need, Person
from .phones import normalise_phone
from .selectors import person_list_visible_to
from .services import need_check_many, need_raise_many, person_create_many

# The library's own English messages, in the user's language.
LIBRARY_MESSAGES = {
    "Value could not be parsed using defined formats.": gettext_lazy(
        "This is not a date the import understands; write it as 2026-03-05."
    ),
    "Value could not be parsed.": gettext_lazy("This value could not be read."),
}


def _chinese(message):
    return str(LIBRARY_MESSAGES.get(str(message), message))


def column_values(dataset, heading) -> list:
    """The cells of one column of the file by its heading (an empty list when the file has no such column)."""
    heading = str(heading)
    return dataset.get_col(dataset.headers.index(heading)) if heading in (dataset.headers or []) else []


class _RowResult(results.RowResult):
    """A row's result without the record's text: only Django before 5.1 wrote it into the admin log, and
    building it cost a translated label and a related name per row."""

    def add_instance_info(self, instance):
        self.object_id = getattr(instance, "pk", None)


class StrictResource(resources.ModelResource):
    """Import all rows or none: any invalid row rolls the whole file back.

    Errors name rows as Excel numbers them: the headings are row 1, the first data row is row 2.

    A resource that sets ``use_bulk`` in its Meta writes the file in batches: each row is read and checked
    in Python against what ``before_import`` looked up once for the whole file (no query per row, no
    savepoint per row), and ``save_batch`` writes the checked rows through the app's bulk service. The
    check (dry run) makes every one of those checks, and ``check_batch`` the bulk service's own, but writes
    nothing; the confirm writes, all rows or none. The database's own constraints still hold at the confirm;
    a uniqueness the model checks by a query is checked by the resource for the whole file instead.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._meta = copy(self._meta)  # this import's own options (the diff is switched per row below)
        self._rows_by_key: dict = {}

    def import_data(self, dataset, **kwargs):
        kwargs["rollback_on_validation_errors"] = True
        for field in self.fields.values():  # headings translated once per file, not once per cell
            if field.column_name is not None:
                field.column_name = str(field.column_name)
        self._diff_rows = settings.IMPORT_PAGE_ROWS if kwargs.get("dry_run") else 0
        result = super().import_data(dataset, **kwargs)
        headings = self.error_headings()
        masked = [
            dataset.headers.index(str(f.column_name))
            for f in self.fields.values()
            if "id_number" in (f.attribute or "") and str(f.column_name) in (dataset.headers or [])
        ]
        for row in result.invalid_rows:
            row.error_dict = {
                headings.get(key, key): [_chinese(message) for message in messages]
                for key, messages in row.error_dict.items()
            }
            row.values = tuple(
                idnumbers.mask(str(v)) if i in masked and v else v for i, v in enumerate(row.values)
            )
        for row in [*result.invalid_rows, *result.error_rows]:
            row.number += 1
        result.import_notes = getattr(dataset, "import_notes", [])
        result.file_headers = list(dataset.headers or [])
        return result

    def error_headings(self) -> dict:
        """Errors are keyed by model field or attribute; the page shows the file's column heading instead."""
        headings = {}
        for name, field in self.fields.items():
            heading = str(field.column_name)
            for key in {name, field.attribute, (field.attribute or "").split("__")[-1]} - {None, ""}:
                headings.setdefault(key, heading)
        for model_field in self._meta.model._meta.concrete_fields:
            headings.setdefault(model_field.name, str(model_field.verbose_name))
        return headings

    def get_row_result_class(self):
        return _RowResult

    def get_import_fields(self):
        if getattr(self, "_import_fields", None) is None:  # once per file, not once per row
            self._import_fields = super().get_import_fields()
        return self._import_fields

    def import_row(self, row, instance_loader, **kwargs):
        # Only the rows the check's page shows carry a diff: copying and rendering every row of a 20,000-row
        # file cost more than importing it.
        self._meta.skip_diff = kwargs.get("row_number", 0) > getattr(self, "_diff_rows", 0)
        return super().import_row(row, instance_loader, **kwargs)

    def excel_row(self, kwargs) -> int:
        """The row being imported as Excel numbers it."""
        return kwargs.get("row_number", 0) + 1

    def repeated_row(self, key, kwargs) -> str | None:
        """The refusal of a row that repeats an earlier row of the file (``key`` says which rows are the same
        record), else None."""
        first = self._rows_by_key.setdefault(key, self.excel_row(kwargs))
        if first == self.excel_row(kwargs):
            return None
        return _("This row repeats row %(row)d of the file; remove one of them.") % {"row": first}

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if not self._meta.use_bulk:
            return super().validate_instance(instance, import_validation_errors, validate_unique)
        errors = dict(import_validation_errors or {})
        if self._meta.clean_model_instances:
            # Related rows came from the lookups made for the file; Django would query each one again.
            related = {f.name for f in instance._meta.concrete_fields if f.is_relation}
            try:
                instance.full_clean(
                    exclude=set(errors) | related, validate_unique=False, validate_constraints=False
                )
            except ValidationError as exc:
                errors = exc.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.create_instances:
            try:
                if dry_run:
                    self.check_batch(list(self.create_instances))
                else:
                    self.save_batch(list(self.create_instances))
            except Exception as exc:  # noqa: BLE001 - reported on the page, and the file rolls back
                self.handle_import_error(result, exc, raise_errors)
            finally:
                self.create_instances.clear()

    def check_batch(self, instances):
        """The check (dry run) of a batch: the rules its bulk service applies beyond each row's own checks,
        without writing. Writing the file twice (once to roll it back) cost as much as the import itself."""

    def save_batch(self, instances):
        raise NotImplementedError


class ChoiceLabelWidget(widgets.Widget):
    """Read and write a choice by its Chinese label (or its code), as workers type it in Excel."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return ""
        language = get_language()
        if getattr(self, "_language", None) != language:  # labels translated once per language
            self._codes = {}
            for code, label in reversed(self.choices):
                self._codes[str(label)] = code
                self._codes[str(code)] = code
            self._language = language
        if text in self._codes:
            return self._codes[text]
        allowed = "、".join(str(label) for _code, label in self.choices)
        raise ValueError(_("“%(value)s” is not one of: %(allowed)s") % {"value": text, "allowed": allowed})

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class StationCommunityWidget(widgets.ForeignKeyWidget):
    def __init__(self, station=None, **kwargs):
        self.station = station
        super().__init__(Community, field="name", **kwargs)

        self._by_name = None

    def get_queryset(self, value, row, *args, **kwargs):
        qs = Community.objects.all()
        return qs.filter(station=self.station) if self.station is not None else qs

    def clean(self, value, row=None, **kwargs):
        name = str(value or "").strip()
        if not name:
            raise ValueError(_("The community is missing."))
        if self._by_name is None:  # the station's communities, looked up once per file
            self._by_name = {}
            for community in self.get_queryset(name, row):
                self._by_name.setdefault(community.name, []).append(community)
        found = self._by_name.get(name, [])
        if len(found) != 1:
            raise ValueError(_("Unknown community “%(name)s”.") % {"name": value})
        return found[0]


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
    # Optional columns: a file without them imports as before.
    registered_on = fields.Field(
        attribute="registered_on", column_name=gettext_lazy("registered on"), widget=widgets.DateWidget()
    )
    moved_out_on = fields.Field(
        attribute="moved_out_on", column_name=gettext_lazy("moved out on"), widget=widgets.DateWidget()
    )

    class Meta:
        model = Person
        fields = ("name", "gender", "birth_date", "phone", "community", "address", "residency", "id_number",
                  "registered_on", "moved_out_on")  # fmt: skip
        import_id_fields = ()
        clean_model_instances = True
        skip_unchanged = False
        use_bulk = True

    def __init__(self, station=None, user=None, **kwargs):
        super().__init__(**kwargs)
        self.station = station
        self.user = user
        self.fields["community"].widget = StationCommunityWidget(station=station)
        self._registered: set[str] = set()
        self._in_file: dict[str, int] = {}

    def before_import(self, dataset, **kwargs):
        digests = {
            idnumbers.keyed_hash(idnumbers.normalize(str(v)))
            for v in column_values(dataset, self.fields["id_number"].column_name)
            if str(v or "").strip()
        }
        for chunk in in_chunks(digests):
            self._registered.update(
                Person.objects.filter(id_number_hash__in=chunk).values_list("id_number_hash", flat=True)
            )

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
        if instance.id_number:
            digest = idnumbers.keyed_hash(instance.id_number)
            instance.registered_id_hashes = self._registered  # Person.clean looks here, not in the database
            first = self._in_file.setdefault(digest, self.excel_row(kwargs))
            if first != self.excel_row(kwargs):
                raise ValidationError(
                    {"id_number": _("This ID number is already in row %(row)d of the file.") % {"row": first}}
                )

    def save_batch(self, instances):
        person_create_many(people=instances, actor=self.user, action=AuditEvent.Action.IMPORT)

    def get_queryset(self):
        return Person.objects.select_related("community")


# Imports that name a person the importing user may see (visit logs, needs, rosters of every platform).


class PersonByNameWidget(widgets.Widget):
    """Find a person the importing user may see by name, with the phone number to tell namesakes apart.

    ``preload(names)`` looks up every name of the file in one query; ``clean`` then reads from memory."""

    def __init__(self, user=None, phone_column=None, **kwargs):
        self.user = user
        self.phone_column = phone_column
        self._by_name = None
        super().__init__(**kwargs)

    def preload(self, names):
        self._by_name = {}
        names = {str(n).strip() for n in names if str(n or "").strip()}
        for chunk in in_chunks(names):
            people = person_list_visible_to(self.user).filter(name__in=chunk).select_related("community")
            for person in people.defer("id_number"):  # not read here; decrypting 20,000 of them took seconds
                self._by_name.setdefault(person.name, []).append(person)

    def _candidates(self, name):
        if self._by_name is None:
            return list(person_list_visible_to(self.user).filter(name=name).select_related("community"))
        return self._by_name.get(name, [])

    def clean(self, value, row=None, **kwargs):
        name = str(value or "").strip()
        if not name:
            raise ValueError(_("The person's name is missing."))
        found = self._candidates(name)
        phone = normalise_phone((row or {}).get(self.phone_column)) if self.phone_column else ""
        if phone:
            found = [p for p in found if p.phone == phone]
        if not found:
            raise ValueError(_("Unknown person “%(name)s”.") % {"name": name})
        if len(found) > 1:
            raise ValueError(
                _("Several people are called “%(name)s”; add the phone number.") % {"name": name}
            )
        return found[0]

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class UserScopedResource(StrictResource):
    """An import of rows that name a person the user may see. ``duplicate_key(instance)``, when a resource
    defines it, says which rows are the same record: the second of two such rows is refused with the first's
    row number (a file pasted twice is not two visits)."""

    person_field = "person"

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.fields[self.person_field].widget = PersonByNameWidget(
            user=user, phone_column=str(self.fields["phone"].column_name)
        )

    def before_import(self, dataset, **kwargs):
        field = self.fields[self.person_field]
        field.widget.preload(column_values(dataset, field.column_name))

    def get_instance(self, instance_loader, row):
        return None  # imports only add rows

    def duplicate_key(self, instance):
        return None

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        key = self.duplicate_key(instance)
        refusal = self.repeated_row(key, kwargs) if key is not None else None
        if refusal:
            raise ValidationError(refusal)


class PersonRowResource(UserScopedResource):
    """A row about one resident: found by name (the widget is the resource's), with their phone and community
    beside the name for the worker to check (read-only on import). Needs and visits share these columns."""

    person = fields.Field(attribute="person", column_name=pgettext_lazy("excel column", "name"))
    phone = fields.Field(
        attribute="person__phone", column_name=pgettext_lazy("excel column", "phone"), readonly=True
    )
    community = fields.Field(
        attribute="person__community__name",
        column_name=pgettext_lazy("excel column", "community"),
        readonly=True,
    )


class NeedResource(PersonRowResource):
    category = fields.Field(
        attribute="category",
        column_name=pgettext_lazy("excel column", "category"),
        widget=ChoiceLabelWidget(Need.Category.choices),
    )
    description = fields.Field(
        attribute="description", column_name=pgettext_lazy("excel column", "what is needed")
    )
    urgency = fields.Field(
        attribute="urgency",
        column_name=pgettext_lazy("excel column", "urgency"),
        widget=ChoiceLabelWidget(Need.Urgency.choices),
    )
    source = fields.Field(
        attribute="source",
        column_name=pgettext_lazy("excel column", "source"),
        widget=ChoiceLabelWidget(Need.Source.choices),
    )
    status = fields.Field(
        attribute="status", column_name=pgettext_lazy("excel column", "status"), widget=ChoiceLabelWidget(Need.Status.choices),
        readonly=True,
    )  # fmt: skip
    taker_name = fields.Field(
        attribute="taker_name", column_name=pgettext_lazy("excel column", "taken by"), readonly=True
    )
    outcome = fields.Field(
        attribute="outcome", column_name=pgettext_lazy("excel column", "what was done"), readonly=True
    )
    raised_at = fields.Field(
        attribute="raised_at",
        column_name=pgettext_lazy("excel column", "raised at"),
        widget=widgets.DateTimeWidget(),
        readonly=True,
    )

    class Meta:
        model = Need
        fields = ("person", "phone", "community", "category", "description", "urgency", "source", "status",
                  "taker_name", "outcome", "raised_at")  # fmt: skip
        import_id_fields = ()
        clean_model_instances = True
        skip_unchanged = False
        use_bulk = True

    def import_instance(self, instance, row, **kwargs):
        instance.raised_by = self.user if getattr(self.user, "is_authenticated", False) else None
        super().import_instance(instance, row, **kwargs)
        instance.urgency = instance.urgency or Need.Urgency.NORMAL
        instance.source = instance.source or Need.Source.OTHER
        instance.description = (instance.description or "").strip()

    def duplicate_key(self, instance):
        return (instance.person_id, instance.category, instance.description)

    def check_batch(self, instances):
        need_check_many(needs=instances, actor=self.user)

    def save_batch(self, instances):
        need_raise_many(needs=instances, actor=self.user)

    def get_queryset(self):
        return Need.objects.select_related("person__community")
