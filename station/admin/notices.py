"""Notifications and the audit trail in the admin."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import selectors, services
from ..models import (
    AuditEvent,
    Notification,
)
from .base import SafeActionsMixin


@admin.register(Notification)
class NotificationAdmin(SafeActionsMixin, admin.ModelAdmin):
    list_display = ["title", "created_at", "read_at", "email_sent_at"]
    list_filter = ["read_at"]
    # (the reminder key is the machinery's, not the reader's: it is not shown; the link is a link, not a path)
    readonly_fields = ["recipient", "title", "body", "link", "created_at", "read_at", "email_sent_at"]
    fields = readonly_fields
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

    @admin.display(description=gettext_lazy("link"))
    def link(self, obj):
        if not obj.safe_url:
            return "—"
        return format_html('<a href="{}">{}</a>', obj.safe_url, _("Open"))

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
