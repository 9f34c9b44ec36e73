"""The rollup in the admin: read-only, scoped to the user's stations; a month is recomputed through the task."""

from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from station import selectors
from station.admin import ScopedAdminMixin
from station.queue import send_after_commit

from .models import RollupRun, StatValue
from .registry import get_metric
from .report import platform_label


class ReadOnlyRollupAdmin(ScopedAdminMixin, admin.ModelAdmin):
    def scope(self, request, queryset):
        ids = selectors.station_ids_for(request.user)
        return queryset if ids is None else queryset.filter(station_id__in=ids)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StatValue)
class StatValueAdmin(ReadOnlyRollupAdmin):
    list_display = ["month", "station", "community", "indicator", "value", "computed_at"]
    list_filter = ["month", ("station", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["station", "community"]
    search_fields = ["metric"]
    date_hierarchy = "month"

    @admin.display(description=gettext_lazy("metric"), ordering="metric")
    def indicator(self, obj):
        """The metric's Chinese label with its platform and unit; the code only for a metric since removed."""

        metric = get_metric(obj.metric)
        if metric is None:
            return obj.metric
        return f"{platform_label(metric.platform)} · {metric.label}（{metric.unit}）"


@admin.register(RollupRun)
class RollupRunAdmin(ReadOnlyRollupAdmin):
    list_display = ["month", "station", "status", "final", "metric_count", "started_at", "finished_at"]
    list_filter = ["status", "final", ("station", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["station"]
    actions = ["recompute"]

    @admin.action(description=gettext_lazy("Recompute the selected months"), permissions=["view"])
    def recompute(self, request, queryset):
        from .tasks import rollup_station_month

        runs = list(queryset.values_list("station_id", "month"))
        # Marked STARTED first: if the broker cannot take the tasks, the catch-up redoes these months.
        queryset.update(status=RollupRun.Status.STARTED)
        for station_id, month in runs:
            send_after_commit(rollup_station_month, station_id, f"{month:%Y-%m}")
        self.message_user(request, _("%(n)d months queued for recomputing.") % {"n": len(runs)})
