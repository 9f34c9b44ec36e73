from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportExportMixin

from . import idnumbers, selectors, services
from .models import (
    Activity,
    Attendance,
    AuditEvent,
    Community,
    Designation,
    Evidence,
    Notification,
    Person,
    StaffProfile,
    Station,
    years_before,
)
from .resources import PersonResource
from .roles import profile_of

MAX_RECORD_NUMBER = 2**63 - 1


def _is_record_number(value) -> bool:
    """A primary key as a form may carry it: digits within the database's integer range."""
    text = str(value)
    return text.isascii() and text.isdigit() and 0 < int(text) <= MAX_RECORD_NUMBER


class _ValidIdsOnly:
    """An autocomplete that re-renders a form posted with a non-numeric id as empty, not as a 500."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if _is_record_number(v)], attr)


class SafeAutocompleteSelect(_ValidIdsOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_ValidIdsOnly, AutocompleteSelectMultiple):
    pass


class SafeActionsMixin:
    """An admin action posted with ids that are not record numbers (a tampered or stale form) is a message,
    never a 500, and does nothing."""

    def response_action(self, request, queryset):
        if not all(_is_record_number(v) for v in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)):
            self.message_user(request, _("The selected record numbers are not valid."), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)


class ScopedAdminMixin(SafeActionsMixin):
    """Admin pages read through a selector; an object out of scope is a 404, never a hint."""

    def scope(self, request, queryset):
        raise NotImplementedError

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def _require_in_scope(self, request, object_id):
        if object_id is not None:
            try:
                found = self.get_queryset(request).filter(pk=object_id).exists()
            except (ValueError, ValidationError):
                found = False
            if not found:
                raise Http404(_("No such record."))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._require_in_scope(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        # PostgreSQL refuses a NUL character in a query (changelist search, autocomplete).
        return super().get_search_results(request, queryset, search_term.replace("\x00", ""))

    def changelist_view(self, request, extra_context=None):
        if any("\x00" in value for key, values in request.GET.lists() if key != "q" for value in values):
            raise BadRequest(_("The address contains an invalid character."))
        return super().changelist_view(request, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)


class ScopedImportExportMixin:
    """Imports and exports run as the signed-in user over what they may see (``scope``), and are audited."""

    def get_import_resource_kwargs(self, request, **kwargs):
        profile = profile_of(request.user)
        return {
            **super().get_import_resource_kwargs(request, **kwargs),
            "station": profile.station if profile else None,
            "user": request.user,
        }

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def has_import_permission(self, request):
        return bool(getattr(self, "resource_classes", None)) and (
            self.has_add_permission(request) and profile_of(request.user) is not None
        )

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_export_queryset(self, request):
        return self.scope(request, super().get_export_queryset(request))

    def get_export_data(self, file_format, request, queryset, **kwargs):
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        services.audit_record(
            actor=request.user,
            action=AuditEvent.Action.EXPORT,
            target=self.model._meta.label,
            reason=_("%(n)d rows exported") % {"n": queryset.count()},
        )
        return data


def scoped_formfield(db_field, request, kwargs):
    """Limit foreign-key choices to what the user may see."""
    model = db_field.related_model
    if model is Community:
        kwargs["queryset"] = selectors.community_list_visible_to(request.user)
    elif model is Station:
        kwargs["queryset"] = selectors.station_list_visible_to(request.user)
    elif model is Person:
        kwargs["queryset"] = selectors.person_list_visible_to(request.user)
    return kwargs


class ScopedFormfieldsMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(
            db_field, request, **scoped_formfield(db_field, request, kwargs)
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(
            db_field, request, **scoped_formfield(db_field, request, kwargs)
        )


@admin.register(Station)
class StationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "street", "district", "opened_on"]
    search_fields = ["name", "street", "district"]

    def scope(self, request, queryset):
        ids = selectors.station_ids_for(request.user)
        return queryset if ids is None else queryset.filter(pk__in=ids)

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Community)
class CommunityAdmin(ScopedAdminMixin, ScopedFormfieldsMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "station", "population", "households"]
    list_filter = ["kind"]
    list_select_related = ["station"]
    search_fields = ["name"]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=selectors.community_list_visible_to(request.user).values("pk"))


class AgeBandFilter(admin.SimpleListFilter):
    title = gettext_lazy("age band")
    parameter_name = "age"
    BANDS = [
        ("0-17", (0, 17)),
        ("18-59", (18, 59)),
        ("60-69", (60, 69)),
        ("70-79", (70, 79)),
        ("80+", (80, 150)),
    ]

    def lookups(self, request, model_admin):
        return [(key, key) for key, _band in self.BANDS]

    def queryset(self, request, queryset):
        bands = dict(self.BANDS)
        if self.value() not in bands:
            return queryset
        low, high = bands[self.value()]
        today = timezone.localdate()
        youngest_birth = years_before(today, low)
        oldest_birth = years_before(today, high + 1)
        return queryset.filter(birth_date__lte=youngest_birth, birth_date__gt=oldest_birth)


class DesignationFilter(admin.SimpleListFilter):
    title = gettext_lazy("current designation")
    parameter_name = "designation"

    def lookups(self, request, model_admin):
        return Designation.Kind.choices

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        today = timezone.localdate()
        current = Designation.objects.filter(kind=self.value(), start_date__lte=today).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today)
        )
        return queryset.filter(pk__in=current.values("person_id"))


class ScopedCommunityFilter(admin.RelatedFieldListFilter):
    def field_choices(self, field, request, model_admin):
        return [(c.pk, str(c)) for c in selectors.community_list_visible_to(request.user)]


class DesignationInline(admin.TabularInline):
    model = Designation
    extra = 0
    fields = ["kind", "start_date", "end_date", "note", "confirmed_by"]
    readonly_fields = ["confirmed_by"]


class PersonAdminForm(forms.ModelForm):
    """Never puts the full ID number in the page: the field is for typing a new one only."""

    id_number = forms.CharField(
        label=gettext_lazy("ID number"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("Type the 18-character number. Leave empty to keep the number on file."),
    )

    class Meta:
        model = Person
        fields = ["name", "gender", "birth_date", "phone", "community", "address", "residency", "id_number"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["id_number"] = ""
        if self.instance.pk and self.instance.id_number:
            self.fields["id_number"].help_text = _(
                "On file: %(masked)s. Type a new number to replace it."
            ) % {"masked": self.instance.masked_id_number}

    def clean_id_number(self):
        typed = idnumbers.normalize(self.cleaned_data.get("id_number"))
        if not typed and self.instance.pk:
            return Person.objects.get(pk=self.instance.pk).id_number
        return typed


@admin.register(Person)
class PersonAdmin(
    ScopedAdminMixin, ScopedFormfieldsMixin, ScopedImportExportMixin, ImportExportMixin, admin.ModelAdmin
):
    form = PersonAdminForm
    resource_classes = [PersonResource]
    list_display = ["name", "gender", "age", "community", "residency", "phone", "masked_id", "page_link"]
    list_filter = [
        ("community", ScopedCommunityFilter),
        "residency",
        DesignationFilter,
        AgeBandFilter,
        "gender",
    ]
    list_select_related = ["community"]
    search_fields = ["name", "phone"]
    search_help_text = gettext_lazy("Name, phone, or a full ID number")
    inlines = [DesignationInline]
    list_per_page = 50

    def scope(self, request, queryset):
        return selectors.person_list_visible_to(request.user, queryset)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            # Read-only pages show field values as they are: never the full ID number, only the masked one.
            fields = ["masked_id" if f == "id_number" else f for f in fields]
        return fields

    @admin.display(description=gettext_lazy("ID number"))
    def masked_id(self, obj):
        return obj.masked_id_number

    @admin.display(description=gettext_lazy("age"))
    def age(self, obj):
        return obj.age_on(timezone.localdate())

    @admin.display(description=gettext_lazy("journey"))
    def page_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("station:person_detail", args=[obj.pk]), _("view journey")
        )

    def get_search_results(self, request, queryset, search_term):
        term = idnumbers.normalize(search_term)
        if len(term) == 18:
            digest = idnumbers.keyed_hash(term)
            return queryset.filter(id_number_hash=digest), False
        return super().get_search_results(request, queryset, search_term)

    def save_model(self, request, obj, form, change):
        before = services.person_snapshot(Person.objects.get(pk=obj.pk)) if change else None
        services.person_save(person=obj, actor=request.user, before=before)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, Designation):
                services.designation_save(designation=instance, actor=request.user)
            else:
                instance.save()
        for obj in formset.deleted_objects:
            if isinstance(obj, Designation):
                services.designation_delete(designation=obj, actor=request.user)
            else:
                obj.delete()
        formset.save_m2m()

    def delete_model(self, request, obj):
        services.audit_record(actor=request.user, action=AuditEvent.Action.DELETE, target=obj)
        super().delete_model(request, obj)

    # Revealing a full ID number: a permission, a reason, a log row.
    def get_urls(self):
        return [
            path(
                "<path:object_id>/reveal-id/",
                self.admin_site.admin_view(self.reveal_view),
                name="station_person_reveal",
            ),
            *super().get_urls(),
        ]

    def reveal_view(self, request, object_id):
        self._require_in_scope(request, object_id)
        person = self.get_queryset(request).get(pk=object_id)
        if not request.user.has_perm("station.reveal_id_number"):
            raise PermissionDenied
        number = None
        reason = request.POST.get("reason", "")
        if request.method == "POST":
            try:
                number = services.person_reveal_id_number(person=person, actor=request.user, reason=reason)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reveal ID number"),
            "person": person,
            "number": number,
            "reason": reason,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/station/person/reveal_id.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_reveal": request.user.has_perm("station.reveal_id_number"),
        }
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(StaffProfile)
class StaffProfileAdmin(ScopedAdminMixin, ScopedFormfieldsMixin, admin.ModelAdmin):
    list_display = ["user", "role", "employment", "station", "district"]
    list_filter = ["role", "employment"]
    list_select_related = ["user", "station"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["person"]
    filter_horizontal = ["communities"]

    def scope(self, request, queryset):
        ids = selectors.station_ids_for(request.user)
        return queryset if ids is None else queryset.filter(station_id__in=ids)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            # Users not yet on any station's staff, or on this station's: never another station's people.
            ids = selectors.station_ids_for(request.user) or []
            kwargs["queryset"] = db_field.related_model.objects.filter(is_superuser=False).filter(
                Q(staff_profile__isnull=True) | Q(staff_profile__station_id__in=ids)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        actor = request.user

        class StaffProfileForm(form):
            def _post_clean(self):
                super()._post_clean()
                try:
                    services.staff_profile_validate(profile=self.instance, actor=actor)
                except ValidationError as exc:
                    self._update_errors(exc)

        return StaffProfileForm


class AttendanceInline(ScopedFormfieldsMixin, admin.TabularInline):
    model = Attendance
    extra = 0
    autocomplete_fields = ["person"]


class EvidenceForm(forms.ModelForm):
    class Meta:
        model = Evidence
        fields = ["file", "caption"]

    def clean_file(self):
        from .files import sniff_evidence

        upload = self.cleaned_data["file"]
        if upload and hasattr(upload, "content_type"):
            self.instance.content_type, self.instance.size = sniff_evidence(upload)
        return upload


class EvidenceInline(admin.TabularInline):
    model = Evidence
    form = EvidenceForm
    extra = 0
    fields = ["file", "caption", "download"]
    readonly_fields = ["download"]

    @admin.display(description=gettext_lazy("download"))
    def download(self, obj):
        if not obj.pk:
            return ""
        return format_html(
            '<a href="{}">{}</a>', reverse("station:evidence_download", args=[obj.pk]), _("download")
        )


@admin.register(Activity)
class ActivityAdmin(ScopedAdminMixin, ScopedFormfieldsMixin, admin.ModelAdmin):
    list_display = ["title", "platform", "kind", "community", "starts_at", "headcount", "attendee_count"]
    list_filter = ["platform", ("community", ScopedCommunityFilter), "starts_at"]
    list_select_related = ["community"]
    search_fields = ["title", "place", "partners"]
    date_hierarchy = "starts_at"
    inlines = [AttendanceInline, EvidenceInline]
    exclude = ["organiser"]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=selectors.activity_list_visible_to(request.user).values("pk"))

    @admin.display(description=gettext_lazy("named attendees"))
    def attendee_count(self, obj):
        return obj.attendee_count

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(attendee_count=Count("attendances"))

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        profile = profile_of(request.user)
        if profile and profile.station_id:
            initial.setdefault("station", profile.station_id)
        return initial

    def save_model(self, request, obj, form, change):
        if not change:
            obj.organiser = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, Evidence) and not instance.uploaded_by_id:
                instance.uploaded_by = request.user
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Notification)
class NotificationAdmin(SafeActionsMixin, admin.ModelAdmin):
    list_display = ["title", "created_at", "read_at", "email_sent_at"]
    list_filter = ["read_at"]
    readonly_fields = ["recipient", "key", "title", "body", "url", "created_at", "read_at", "email_sent_at"]
    actions = ["mark_read"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(recipient=request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    @admin.action(description=gettext_lazy("Mark as read"))
    def mark_read(self, request, queryset):
        services.notification_mark_read(
            user=request.user, notification_ids=list(queryset.values_list("pk", flat=True))
        )


class RecordTypeFilter(admin.SimpleListFilter):
    title = gettext_lazy("record type")
    parameter_name = "target_type"

    def lookups(self, request, model_admin):
        from django.apps import apps

        labels = model_admin.get_queryset(request).order_by().values_list("target_type", flat=True).distinct()
        choices = []
        for label in sorted(labels):
            try:
                choices.append((label, apps.get_model(label)._meta.verbose_name))
            except (LookupError, ValueError):
                choices.append((label, label))
        return choices

    def queryset(self, request, queryset):
        return queryset.filter(target_type=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "record_type", "target_repr", "reason"]
    fields = ["at", "actor", "action", "record_type", "target_id", "target_repr", "reason", "changes_display"]
    list_filter = ["action", RecordTypeFilter]
    search_fields = ["target_repr", "reason", "actor__username"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("actor")
        ids = selectors.station_ids_for(request.user)
        return qs if ids is None else qs.filter(actor__staff_profile__station_id__in=ids)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @staticmethod
    def _target_model(obj):
        from django.apps import apps

        try:
            return apps.get_model(obj.target_type)
        except (LookupError, ValueError):
            return None

    @admin.display(description=gettext_lazy("record type"), ordering="target_type")
    def record_type(self, obj):
        model = self._target_model(obj)
        return model._meta.verbose_name if model else obj.target_type

    @admin.display(description=gettext_lazy("changes"))
    def changes_display(self, obj):
        """Each changed field under its Chinese name; the values as recorded (ID numbers never in clear)."""
        model = self._target_model(obj)
        names = {f.name: f.verbose_name for f in model._meta.fields} if model else {}
        items = obj.changes.items() if isinstance(obj.changes, dict) else []
        return format_html_join(
            "", "<div><strong>{}</strong>: {}</div>", ((names.get(k, k), v) for k, v in items)
        )


# ---------------------------------------------------------------- the residents' needs list (群众困难清单)

from .models import Need  # noqa: E402


class NeedAdminForm(forms.ModelForm):
    """Raising a need, and later taking it on, meeting it or closing it, all through the services."""

    STEP_CHOICES = [
        ("", "—"),
        ("take", gettext_lazy("I take this need on")),
        ("meet", gettext_lazy("Met: record what was done")),
        ("close", gettext_lazy("Close without meeting it")),
    ]
    step = forms.ChoiceField(label=gettext_lazy("next step"), choices=STEP_CHOICES, required=False)
    step_note = forms.CharField(
        label=gettext_lazy("what was done, or why it is closed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    class Meta:
        model = Need
        fields = ["person", "household_note", "category", "description", "urgency", "source", "source_ref"]

    def clean(self):
        data = super().clean()
        step = data.get("step")
        if step in ("meet", "close") and not (data.get("step_note") or "").strip():
            raise ValidationError({"step_note": _("Say what was done, or why the need is closed.")})
        return data


class NeedStatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Need.Status.choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


@admin.register(Need)
class NeedAdmin(
    ScopedAdminMixin, ScopedFormfieldsMixin, ScopedImportExportMixin, ImportExportMixin, admin.ModelAdmin
):
    form = NeedAdminForm
    list_display = ["raised_at", "person", "community", "category", "urgency", "source", "status",
                    "taker_name"]  # fmt: skip
    list_filter = [
        NeedStatusFilter,
        "urgency",
        "category",
        "source",
        ("person__community", ScopedCommunityFilter),
    ]
    list_select_related = ["person__community"]
    search_fields = ["person__name", "person__phone", "description", "taker_name"]
    autocomplete_fields = ["person"]
    readonly_fields = ["status", "taker_name", "taken_at", "resolved_at", "outcome", "raised_by"]
    date_hierarchy = "raised_at"
    actions = ["take_selected"]

    # The Excel format is set by the casework app (cases/admin.py), which owns the needs import.
    resource_classes = []

    def scope(self, request, queryset):
        return queryset.filter(person__in=selectors.person_list_visible_to(request.user))

    @admin.display(description=gettext_lazy("community"))
    def community(self, obj):
        return obj.person.community

    def get_fields(self, request, obj=None):
        fields = ["person", "household_note", "category", "description", "urgency", "source", "source_ref"]
        if obj is None:
            return fields
        return [*fields, "status", "taker_name", "taken_at", "resolved_at", "outcome", "raised_by", "step",
                "step_note"]  # fmt: skip

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.need_raise(
                person=obj.person,
                category=obj.category,
                description=obj.description,
                urgency=obj.urgency,
                source=obj.source,
                source_ref=obj.source_ref,
                household_note=obj.household_note,
                actor=request.user,
            )
            obj.pk = created.pk
            return
        Need.objects.filter(pk=obj.pk).update(
            household_note=obj.household_note, category=obj.category, description=obj.description,
            urgency=obj.urgency, source_ref=obj.source_ref,
        )  # fmt: skip
        step, note = form.cleaned_data.get("step"), form.cleaned_data.get("step_note", "")
        try:
            if step == "take":
                services.need_take(need=obj, taker=request.user, actor=request.user)
            elif step == "meet":
                services.need_meet(need=obj, outcome=note, actor=request.user)
            elif step == "close":
                services.need_close(need=obj, reason=note, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))

    @admin.action(description=gettext_lazy("Take the selected needs on myself"), permissions=["change"])
    def take_selected(self, request, queryset):
        taken = 0
        for need in queryset.filter(status=Need.Status.OPEN):
            try:
                services.need_take(need=need, taker=request.user, actor=request.user)
            except (ValidationError, PermissionDenied):
                continue  # taken by someone else meanwhile
            taken += 1
        messages.info(request, _("%(n)d needs taken.") % {"n": taken})
