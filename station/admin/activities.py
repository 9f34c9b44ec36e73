"""The service ledger (activities, attendance, evidence) in the admin."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import selectors
from ..models import (
    Activity,
    ActivityKind,
    Attendance,
    Evidence,
)
from ..roles import profile_of
from .base import ScopedAdminMixin, ScopedCommunityFilter, ScopedFormfieldsMixin


class AttendanceInline(ScopedFormfieldsMixin, admin.TabularInline):
    model = Attendance
    extra = 0
    autocomplete_fields = ["person"]


class EvidenceForm(forms.ModelForm):
    class Meta:
        model = Evidence
        fields = ["file", "caption"]

    def clean_file(self):
        from ..files import sniff_evidence

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


class ActivityAdminForm(forms.ModelForm):
    """The kind is chosen from the list; a kind typed before the list existed stays selectable."""

    class Meta:
        model = Activity
        fields = ["station", "platform", "kind", "title", "community", "starts_at", "ends_at", "place"]
        fields += ["partners", "headcount"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *ActivityKind.choices]
        current = self.instance.kind if self.instance.pk else ""
        if current and current not in ActivityKind.values:
            choices.append((current, current))
        self.fields["kind"] = forms.ChoiceField(
            label=Activity._meta.get_field("kind").verbose_name, choices=choices, required=False
        )


@admin.register(Activity)
class ActivityAdmin(ScopedAdminMixin, ScopedFormfieldsMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "platform",
        "kind_shown",
        "community",
        "starts_at",
        "headcount",
        "named_count",
    ]
    list_filter = ["platform", ("community", ScopedCommunityFilter), "starts_at"]
    list_select_related = ["community"]
    search_fields = ["title", "place", "partners"]
    date_hierarchy = "starts_at"
    inlines = [AttendanceInline, EvidenceInline]
    form = ActivityAdminForm
    exclude = ["organiser"]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=selectors.activity_list_visible_to(request.user).values("pk"))

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            return ["kind_shown" if f == "kind" else f for f in fields if f != "kind_shown"]
        return [f for f in fields if f != "kind_shown"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            readonly.append("kind_shown")
        return readonly

    @admin.display(description=gettext_lazy("kind"), ordering="kind")
    def kind_shown(self, obj):
        return obj.kind_label

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
