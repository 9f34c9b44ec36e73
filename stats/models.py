"""The monthly statistics rollup: one row per (station, community, month, metric), the run record per
station-month, and the report workbooks built in the background. Dashboards and reports read these, never
the raw records. The tables keep the names they had when they lived in ``station``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from station.models import Community, Station


class StatValue(models.Model):
    """One metric's value for one month: per community, or station-wide (community empty = the total)."""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="stat_values", verbose_name=_("station")
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="stat_values",
        verbose_name=_("community"),
        help_text=_("Empty for the station-wide total."),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    metric = models.CharField(_("metric"), max_length=100)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        db_table = "station_statvalue"
        verbose_name = _("statistic value")
        verbose_name_plural = _("statistics rollup")
        ordering = ["station", "month", "metric", "community"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "community", "month", "metric"],
                condition=Q(community__isnull=False),
                name="statvalue_unique_community_month_metric",
            ),
            models.UniqueConstraint(
                fields=["station", "month", "metric"],
                condition=Q(community__isnull=True),
                name="statvalue_unique_total_month_metric",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="statvalue_month_is_first_day"),
        ]
        indexes = [models.Index(fields=["station", "month", "metric"], name="statvalue_station_month")]

    def __str__(self):
        return f"{self.metric} {self.month:%Y-%m} {self.community or '*'}: {self.value}"


class RollupRun(models.Model):
    """A month's computation for a station: STARTED, then DONE in the same transaction as its rows."""

    class Status(models.TextChoices):
        STARTED = "started", _("started")
        DONE = "done", _("done")

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="rollup_runs", verbose_name=_("station")
    )
    month = models.DateField(_("month"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.STARTED)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    final = models.BooleanField(
        _("final"), default=False, help_text=_("Computed after the month had closed.")
    )
    metric_count = models.PositiveIntegerField(_("metrics"), default=0)
    revised_at = models.DateTimeField(
        _("revised at"), null=True, blank=True, help_text=_("When a final month was computed again.")
    )
    revision_reason = models.CharField(_("revision reason"), max_length=200, blank=True)

    class Meta:
        db_table = "station_rolluprun"
        verbose_name = _("rollup run")
        verbose_name_plural = _("rollup runs")
        ordering = ["-month", "station"]
        constraints = [
            models.UniqueConstraint(fields=["station", "month"], name="rolluprun_unique_station_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="rolluprun_month_is_first_day"),
        ]

    def __str__(self):
        return f"{self.station} {self.month:%Y-%m} {self.get_status_display()}"


class StaleMonth(models.Model):
    """A final month that a later write reaches back into: written in the same transaction as that write
    (``stats.signals``), cleared by the rollup that recomputes the month."""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="stale_months", verbose_name=_("station")
    )
    month = models.DateField(_("month"))
    reason = models.CharField(_("reason"), max_length=200)
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)

    class Meta:
        verbose_name = _("stale month")
        verbose_name_plural = _("stale months")
        constraints = [
            models.UniqueConstraint(fields=["station", "month"], name="stalemonth_unique_station_month"),
        ]

    def __str__(self):
        return f"{self.station} {self.month:%Y-%m}: {self.reason}"


def report_path(instance, filename):
    return f"reports/{timezone.now():%Y/%m}/{filename}"


class StatReport(models.Model):
    """A monthly report workbook built in the background for a large range; its requester downloads it."""

    station = models.ForeignKey(
        Station, on_delete=models.CASCADE, related_name="stat_reports", verbose_name=_("station")
    )
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="stat_reports",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    file = models.FileField(_("file"), upload_to=report_path, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        db_table = "station_statreport"
        verbose_name = _("statistics report")
        verbose_name_plural = _("statistics reports")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_month__gte=models.F("first_month")), name="statreport_range_in_order"
            ),
        ]

    def __str__(self):
        return f"{self.station} {self.first_month:%Y-%m}–{self.last_month:%Y-%m}"
