"""The points ledger: read-only; reversals through an action that asks why."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ExportMixin

from station.admin import ScopedAdminMixin, ScopedImportExportMixin

from .. import selectors, services
from ..models import LedgerEntry
from .base import reason_step


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ScopedAdminMixin, ScopedImportExportMixin, ExportMixin, admin.ModelAdmin):
    list_display = ["created_at", "volunteer", "kind", "points", "balance_after", "reason", "created_by"]
    list_filter = ["kind", "created_at"]
    list_select_related = ["volunteer__person", "created_by"]
    search_fields = ["volunteer__person__name", "volunteer__person__phone", "reason"]
    date_hierarchy = "created_at"
    actions = ["reverse_selected"]

    def scope(self, request, queryset):
        return selectors.ledger_list_visible_to(request.user, queryset)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Reverse selected entries"), permissions=["view"])
    def reverse_selected(self, request, queryset):
        if not request.user.has_perm("volunteers.adjust_points"):
            raise PermissionDenied
        return reason_step(
            self,
            request,
            queryset,
            title=_("Reverse entries"),
            action="reverse_selected",
            label=_("Why are these entries reversed?"),
            apply=lambda obj, reason: services.ledger_reverse(entry=obj, reason=reason, actor=request.user),
        )
