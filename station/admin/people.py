"""Stations, communities, people and staff profiles in the admin."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportExportMixin

from .. import idnumbers, selectors, services
from ..models import (
    AuditEvent,
    Community,
    Designation,
    Person,
    StaffProfile,
    Station,
    years_before,
)
from ..resources import PersonResource
from .base import ScopedAdminMixin, ScopedCommunityFilter, ScopedFormfieldsMixin, ScopedImportExportMixin


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
        fields += ["registered_on", "moved_out_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["id_number"] = ""
        if not self.instance.pk:
            self.initial.setdefault("registered_on", timezone.localdate())
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
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            # Reading a person's record is audited here as on their journey page.
            services.audit_record(
                actor=request.user, action=AuditEvent.Action.VIEW, target=self.get_object(request, object_id)
            )
        return response


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
            kwargs["queryset"] = db_field.related_model.objects.filter(
                is_superuser=False, is_staff=True
            ).filter(Q(staff_profile__isnull=True) | Q(staff_profile__station_id__in=ids))
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
