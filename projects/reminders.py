"""A project report more than PROJECTS_REPORT_FLAG_AFTER_DAYS late is flagged to the station head, once.

Each flag is a notification under a unique key, written before the milestone is marked flagged: a task that
dies half-way and is retried, or runs twice, makes no second notification."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from station.models import StaffProfile
from station.selectors import station_staff_users
from station.services import notification_create

from .models import Milestone

BATCH = 500


def overdue_reports_to_flag(today=None):
    today = today or timezone.localdate()
    cut = today - timedelta(days=settings.PROJECTS_REPORT_FLAG_AFTER_DAYS)
    return Milestone.objects.filter(
        reported_on__isnull=True,
        due_on__lt=cut,
        flagged_at__isnull=True,
        project__status__in=["approved", "running", "closing"],
    ).select_related("project")


def flag_overdue_reports(today=None) -> int:
    today = today or timezone.localdate()
    made = 0
    for milestone in list(overdue_reports_to_flag(today).order_by("pk")[:BATCH]):
        project = milestone.project
        heads = station_staff_users([project.station_id], roles={StaffProfile.Role.STATION_HEAD})
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Report overdue: %(project)s") % {"project": project.title}
            body = _("The report for “%(milestone)s” was due on %(day)s and is %(n)d days late.") % {
                "milestone": milestone.title,
                "day": milestone.due_on.isoformat(),
                "n": (today - milestone.due_on).days,
            }
        for head in heads.order_by("pk"):
            if notification_create(
                recipient=head,
                key=f"projects-overdue-report-{milestone.pk}-{head.pk}",
                title=title,
                body=body,
                url=reverse("projects:project_detail", args=[project.pk]),
            ):
                made += 1
        Milestone.objects.filter(pk=milestone.pk, flagged_at__isnull=True).update(flagged_at=timezone.now())
    return made
