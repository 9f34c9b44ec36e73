"""The shared directories every platform uses: households, partner units and rubrics."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportMixin

from .. import rubrics, selectors, services
from ..household_import import HouseholdMemberResource
from ..models import Household, HouseholdMember, PartnerUnit, Rubric, RubricCriterion
from .base import ScopedAdminMixin, ScopedFormfieldsMixin, ScopedImportExportMixin


class HouseholdMemberFormSet(BaseInlineFormSet):
    def clean(self):
        """One head per household, checked across the rows typed at once (the database holds it too)."""
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        heads = [f for f in kept if f.cleaned_data.get("relation") == HouseholdMember.Relation.HEAD]
        if len(heads) > 1:
            raise ValidationError(_("A household has one head; choose another relation for the others."))


class HouseholdMemberInline(ScopedFormfieldsMixin, admin.TabularInline):
    model = HouseholdMember
    formset = HouseholdMemberFormSet
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Household)
class HouseholdAdmin(
    ScopedAdminMixin, ScopedFormfieldsMixin, ScopedImportExportMixin, ImportMixin, admin.ModelAdmin
):
    resource_classes = [HouseholdMemberResource]  # households with their members, one row per member
    skip_admin_log = True  # the rows are members, audited by the services
    list_display = ["address", "number", "community", "head", "size"]
    list_filter = [("community", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["community"]
    search_fields = ["address", "number", "memberships__person__name"]
    inlines = [HouseholdMemberInline]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=selectors.household_list_visible_to(request.user).values("pk"))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("memberships__person")

    @admin.display(description=gettext_lazy("head of household"))
    def head(self, obj):
        return next((m.person.name for m in obj.memberships.all() if m.relation == "head"), "")

    @admin.display(description=gettext_lazy("people"))
    def size(self, obj):
        return len(obj.memberships.all())

    def save_model(self, request, obj, form, change):
        services.household_save(household=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not HouseholdMember:
            return super().save_formset(request, form, formset, change)
        members = formset.save(commit=False)
        for member in formset.deleted_objects:
            services.household_member_remove(member=member, actor=request.user)
        for member in members:
            try:
                services.household_member_set(
                    household=form.instance,
                    person=member.person,
                    relation=member.relation,
                    actor=request.user,
                )
            except (ValidationError, PermissionDenied) as exc:
                # The form validated; a rule the service holds refused it: nothing of the household is kept.
                raise ValidationError(exc.messages if hasattr(exc, "messages") else [str(exc)]) from exc


@admin.register(PartnerUnit)
class PartnerUnitAdmin(ScopedAdminMixin, ScopedFormfieldsMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "resident_unit", "contact_person", "phone", "station"]
    list_filter = ["kind", "resident_unit"]
    list_select_related = ["station"]
    search_fields = ["name", "contact_person", "phone", "credit_code"]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=selectors.partner_unit_list_visible_to(request.user).values("pk"))

    def save_model(self, request, obj, form, change):
        services.partner_unit_save(unit=obj, actor=request.user)


class RubricCriterionInline(admin.TabularInline):
    model = RubricCriterion
    extra = 0
    fields = ["order", "label", "description", "max_score", "weight"]


@admin.register(Rubric)
class RubricAdmin(ScopedAdminMixin, ScopedFormfieldsMixin, admin.ModelAdmin):
    list_display = ["name", "purpose", "is_template", "station", "criteria_count"]
    list_filter = ["purpose", "is_template"]
    search_fields = ["name"]
    inlines = [RubricCriterionInline]
    readonly_fields = ["copied_from"]
    actions = ["make_copy"]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=selectors.rubric_list_visible_to(request.user).values("pk"))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("criteria")

    def save_model(self, request, obj, form, change):
        rubrics.rubric_save(rubric=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        changed = formset.save(commit=False)
        rubrics.criteria_save(
            rubric=form.instance, changed=changed, deleted=formset.deleted_objects, actor=request.user
        )

    @admin.display(description=gettext_lazy("criteria"))
    def criteria_count(self, obj):
        return len(obj.criteria.all())

    def has_change_permission(self, request, obj=None):
        # A shared template (no station) is changed by an administrator only.
        if obj is not None and obj.station_id is None and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    @admin.action(description=gettext_lazy("Copy the selected rubrics for my station"), permissions=["add"])
    def make_copy(self, request, queryset):
        station = selectors.station_list_visible_to(request.user).first()
        for rubric in queryset:
            rubrics.rubric_copy(rubric=rubric, actor=request.user, station=station)
        self.message_user(request, gettext_lazy("Copied."))
