"""The residents' needs list (群众困难清单) in the admin."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportExportMixin

from .. import selectors, services
from ..models import (
    Need,
)
from ..resources import NeedResource
from .base import ScopedAdminMixin, ScopedCommunityFilter, ScopedFormfieldsMixin, ScopedImportExportMixin


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
    resource_classes = [NeedResource]  # workers' needs sheets in Excel
    form = NeedAdminForm
    list_display = ["raised_at", "person", "community", "household_shown", "category", "urgency", "source",
                    "status", "taker_name"]  # fmt: skip
    list_filter = [
        NeedStatusFilter,
        "urgency",
        "category",
        "source",
        ("person__community", ScopedCommunityFilter),
    ]
    list_select_related = ["person__community", f"person__{selectors.HOUSEHOLD_PATH}"]
    search_fields = ["person__name", "person__phone", "description", "taker_name"]
    autocomplete_fields = ["person"]
    readonly_fields = ["status", "taker_name", "taken_at", "resolved_at", "outcome", "raised_by"]
    date_hierarchy = "raised_at"
    actions = ["take_selected"]

    def scope(self, request, queryset):
        return queryset.filter(person__in=selectors.person_list_visible_to(request.user))

    @admin.display(description=gettext_lazy("community"))
    def community(self, obj):
        return obj.person.community

    @admin.display(description=gettext_lazy("registered household"))
    def household_shown(self, obj):
        return selectors.household_of(obj.person) or "—"

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
