"""Visits, the watch list and urgent visit requests."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportExportMixin

from station.admin import ScopedAdminMixin, ScopedCommunityFilter, ScopedImportExportMixin
from station.models import Need
from station.selectors import HOUSEHOLD_PATH, household_of

from .. import selectors, services
from ..models import Visit, VisitRequest, WatchEntry
from ..resources import VisitResource
from .base import StaffFormfieldsMixin


def changed(form, editable) -> dict:
    """The edited fields a service may change, with their new values."""
    return {name: form.cleaned_data[name] for name in form.changed_data if name in editable}


class VisitAdminForm(forms.ModelForm):
    """A visit, and a need found on it, in one form."""

    need_category = forms.ChoiceField(
        label=gettext_lazy("need found"), choices=[("", "—"), *Need.Category.choices], required=False
    )
    need_description = forms.CharField(label=gettext_lazy("what is needed"), max_length=500, required=False)
    need_urgency = forms.ChoiceField(
        label=gettext_lazy("urgency"),
        choices=Need.Urgency.choices,
        initial=Need.Urgency.NORMAL,
        required=False,
    )

    class Meta:
        model = Visit
        fields = ["person", "household", "kind", "worker", "visited_on", "duration_minutes", "findings", "risk",
                  "follow_up_on"]  # fmt: skip

    def clean(self):
        data = super().clean()
        if bool(data.get("need_category")) != bool((data.get("need_description") or "").strip()):
            raise ValidationError(_("To raise a need, choose its category and say what is needed."))
        return data


@admin.register(Visit)
class VisitAdmin(
    ScopedAdminMixin, StaffFormfieldsMixin, ScopedImportExportMixin, ImportExportMixin, admin.ModelAdmin
):
    form = VisitAdminForm
    resource_classes = [VisitResource]
    list_display = [
        "visited_on",
        "person",
        "community",
        "household_shown",
        "kind",
        "worker",
        "risk",
        "follow_up_on",
    ]
    list_filter = [
        "kind",
        "risk",
        "follow_up_needed",
        ("person__community", ScopedCommunityFilter),
        "visited_on",
    ]
    list_select_related = ["person__community", "worker", f"person__{HOUSEHOLD_PATH}"]
    search_fields = ["person__name", "person__phone", "findings"]
    autocomplete_fields = ["person"]
    date_hierarchy = "visited_on"

    def get_fields(self, request, obj=None):
        fields = list(VisitAdminForm.Meta.fields)
        return fields if obj is not None else [*fields, "need_category", "need_description", "need_urgency"]

    def scope(self, request, queryset):
        return selectors.visit_list_visible_to(request.user, queryset)

    @admin.display(description=gettext_lazy("community"), ordering="person__community__name")
    def community(self, obj):
        return obj.person.community

    @admin.display(description=gettext_lazy("registered household"))
    def household_shown(self, obj):
        return household_of(obj.person) or "—"

    def get_changeform_initial_data(self, request):
        return {"worker": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        if change:
            services.visit_update(visit=obj, actor=request.user, **changed(form, services.VISIT_EDITABLE))
            return
        visit = services.visit_record(
            person=obj.person,
            kind=obj.kind,
            actor=request.user,
            worker=obj.worker,
            visited_on=obj.visited_on,
            duration_minutes=obj.duration_minutes,
            findings=obj.findings,
            risk=obj.risk,
            follow_up_on=obj.follow_up_on,
            household=obj.household,
            needs=[
                {
                    "category": form.cleaned_data["need_category"],
                    "description": form.cleaned_data["need_description"],
                    "urgency": form.cleaned_data.get("need_urgency") or Need.Urgency.NORMAL,
                }
            ]
            if form.cleaned_data.get("need_category")
            else [],
        )
        obj.pk = visit.pk


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("visit status")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("overdue"))]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        from .plan import overdue_statuses

        return queryset.filter(pk__in=[s.entry.pk for s in overdue_statuses(queryset)])


@admin.register(WatchEntry)
class WatchEntryAdmin(ScopedAdminMixin, StaffFormfieldsMixin, admin.ModelAdmin):
    list_display = ["person", "community", "tier", "worker", "started_on", "ended_on"]
    list_filter = ["tier", OverdueFilter, ("person__community", ScopedCommunityFilter)]
    list_select_related = ["person__community", "worker"]
    search_fields = ["person__name", "person__phone"]
    autocomplete_fields = ["person"]

    def scope(self, request, queryset):
        return selectors.watch_list_visible_to(request.user, queryset)

    @admin.display(description=gettext_lazy("community"))
    def community(self, obj):
        return obj.person.community

    def save_model(self, request, obj, form, change):
        if change:
            services.watch_entry_update(
                entry=obj, actor=request.user, **changed(form, services.WATCH_EDITABLE)
            )
            return
        entry = services.watch_entry_set(
            person=obj.person,
            tier=obj.tier,
            worker=obj.worker,
            actor=request.user,
            reason=obj.reason,
            started_on=obj.started_on,
        )
        obj.pk = entry.pk


@admin.register(VisitRequest)
class VisitRequestAdmin(ScopedAdminMixin, StaffFormfieldsMixin, admin.ModelAdmin):
    list_display = ["person", "event", "kind", "assigned_to", "due_at", "visit"]
    list_select_related = ["person", "assigned_to", "visit__person"]
    autocomplete_fields = ["person"]
    fields = ["person", "event", "kind", "assigned_to"]

    def scope(self, request, queryset):
        return selectors.visit_request_list_visible_to(request.user, queryset)

    def save_model(self, request, obj, form, change):
        if change:
            services.visit_request_update(
                visit_request=obj, actor=request.user, **changed(form, services.VISIT_REQUEST_EDITABLE)
            )
            return
        created = services.visit_request_create(
            person=obj.person, event=obj.event, assigned_to=obj.assigned_to, actor=request.user, kind=obj.kind
        )
        obj.pk = created.pk
