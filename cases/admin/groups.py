"""Group work: groups and their sessions."""

from django.contrib import admin
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from station.admin import ScopedAdminMixin
from station.roles import profile_of

from .. import selectors, services
from ..models import Group, GroupSession
from .base import StaffFormfieldsMixin


class GroupSessionInline(admin.TabularInline):
    model = GroupSession
    extra = 0
    fields = ["number", "activity_link", "when", "named", "headcount"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("activity")
            .annotate(named_count=F("activity__named_count"))
        )

    @admin.display(description=gettext_lazy("activity"))
    def activity_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:station_activity_change", args=[obj.activity_id]),
            obj.activity,
        )

    @admin.display(description=gettext_lazy("starts at"))
    def when(self, obj):
        return timezone.localtime(obj.activity.starts_at).strftime("%Y-%m-%d %H:%M")

    @admin.display(description=gettext_lazy("named attendees"))
    def named(self, obj):
        return obj.named_count

    @admin.display(description=gettext_lazy("anonymous head-count"))
    def headcount(self, obj):
        return obj.activity.headcount


@admin.register(Group)
class GroupAdmin(ScopedAdminMixin, StaffFormfieldsMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "community", "worker", "planned_sessions", "session_count", "started_on"]
    list_filter = ["kind"]
    list_select_related = ["community", "worker"]
    search_fields = ["title"]
    autocomplete_fields = ["members"]
    fields = ["station", "community", "title", "kind", "goals", "worker", "members", "planned_sessions",
              "started_on"]  # fmt: skip
    inlines = [GroupSessionInline]

    def scope(self, request, queryset):
        return selectors.group_list_visible_to(request.user, queryset).annotate(
            session_total=Count("sessions", distinct=True)
        )

    @admin.display(description=gettext_lazy("sessions held"))
    def session_count(self, obj):
        return format_html(
            '<a href="{}">{} / {}</a>', reverse("cases:group_detail", args=[obj.pk]), obj.session_total,
            obj.planned_sessions,
        )  # fmt: skip

    def get_changeform_initial_data(self, request):
        profile = profile_of(request.user)
        initial = {"worker": request.user.pk, **super().get_changeform_initial_data(request)}
        if profile and profile.station_id:
            initial.setdefault("station", profile.station_id)
        return initial

    def save_model(self, request, obj, form, change):
        services.group_save(group=obj, actor=request.user, members=form.cleaned_data.get("members"))

    def save_related(self, request, form, formsets, change):
        # The members were saved by group_save; only the (read-only) inlines remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
