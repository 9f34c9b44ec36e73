"""Who should be reminded of what today. Each function returns how many new reminders it made.

Keys carry the date or record that makes a reminder distinct (a follow-up date, an approval), so running
a function again the same day, or twice at once, creates nothing new: ``notification_create`` returns None
for a key that already exists, and the email goes out once, on commit, from the notification row.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from station.models import Notification
from station.services import notification_create

from . import plan
from .models import Case, CaseApproval, Visit, VisitRequest, WatchEntry

BATCH = 500


def _made(result) -> int:
    return 1 if result is not None else 0


def follow_ups_due(today=None) -> int:
    """Open cases whose next follow-up date has come, and visits whose follow-up has not happened yet."""
    today = today or timezone.localdate()
    made = 0
    cases = (
        Case.objects.exclude(stage=Case.Stage.CLOSED)
        .filter(next_follow_up_on__lte=today)
        .select_related("person", "worker")
        .order_by("next_follow_up_on", "pk")[:BATCH]
    )
    for case in cases:
        made += _made(
            notification_create(
                recipient=case.worker,
                key=f"cases:follow-up:{case.pk}:{case.next_follow_up_on:%Y%m%d}",
                title=_("Follow-up due: %(case)s") % {"case": case.number},
                body=_("The follow-up planned for %(day)s is due.") % {"day": case.next_follow_up_on},
                url=f"/cases/{case.pk}/",
            )
        )
    later_visit = Visit.objects.filter(person_id=OuterRef("person_id"), visited_on__gt=OuterRef("visited_on"))
    reminded = Notification.objects.filter(
        key=Concat(Value("cases:visit-follow-up:"), Cast(OuterRef("pk"), CharField()))
    )
    visits = (
        Visit.objects.filter(follow_up_on__lte=today)
        .exclude(Exists(later_visit))
        .exclude(Exists(reminded))  # reminded on an earlier run: leave the batch to new ones
        .select_related("person", "worker")
        .order_by("follow_up_on", "pk")[:BATCH]
    )
    for visit in visits:
        made += _made(
            notification_create(
                recipient=visit.worker,
                key=f"cases:visit-follow-up:{visit.pk}",
                title=_("Follow up %(person)s") % {"person": visit.person.name},
                body=_("After the visit of %(day)s a follow-up was due by %(due)s.")
                % {"day": visit.visited_on, "due": visit.follow_up_on},
                url=f"/cases/visit/new/?person={visit.person_id}",
            )
        )
    return made


def visits_overdue(today=None, now=None) -> int:
    """Watched people past their tier's cycle, and urgent requests past their 24 hours."""
    today = today or timezone.localdate()
    made = 0
    keyed = {
        f"cases:overdue:{s.entry.pk}:{s.due_on:%Y%m%d}": s
        for s in plan.overdue_statuses(WatchEntry.objects.all(), today)
    }
    done = set(Notification.objects.filter(key__in=list(keyed)).values_list("key", flat=True))
    for key, status in [(k, s) for k, s in keyed.items() if k not in done][:BATCH]:
        entry = status.entry
        made += _made(
            notification_create(
                recipient=entry.worker,
                key=key,
                title=_("Visit overdue: %(person)s") % {"person": entry.person.name},
                body=_("%(tier)s: a visit was due by %(due)s (last visit %(last)s).")
                % {"tier": entry.get_tier_display(), "due": status.due_on, "last": status.last_visit or "—"},
                url=f"/cases/visit/new/?person={entry.person_id}",
            )
        )
    for request in plan.overdue_requests(VisitRequest.objects.all(), now)[:BATCH]:
        made += _made(
            notification_create(
                recipient=request.assigned_to,
                key=f"cases:visit-request-late:{request.pk}",
                title=_("Urgent visit not yet made: %(person)s") % {"person": request.person.name},
                body=request.event,
                url=f"/cases/visit/new/?person={request.person_id}",
            )
        )
    return made


def approvals_waiting(now=None) -> int:
    """Approvals waiting longer than the setting's hours: the case's supervisor is reminded once each."""
    now = now or timezone.now()
    older_than = now - timedelta(hours=settings.CASES_APPROVAL_REMIND_AFTER_HOURS)
    waiting = (
        CaseApproval.objects.filter(decision=CaseApproval.Decision.PENDING, submitted_at__lte=older_than)
        .select_related("case__supervisor", "case__person")
        .order_by("submitted_at")[:BATCH]
    )
    made = 0
    for approval in waiting:
        case = approval.case
        made += _made(
            notification_create(
                recipient=case.supervisor,
                key=f"cases:approval-waiting:{approval.pk}",
                title=_("Waiting for your approval: %(case)s") % {"case": case.number},
                body=_("The %(gate)s of %(case)s waits for your approval since %(since)s.")
                % {
                    "gate": approval.get_gate_display(),
                    "case": case.number,
                    "since": timezone.localtime(approval.submitted_at).strftime("%Y-%m-%d %H:%M"),
                },
                url=f"/cases/{case.pk}/",
            )
        )
    return made


def reviews_due(today=None) -> int:
    """Open cases whose review date has come."""
    today = today or timezone.localdate()
    cases = (
        Case.objects.exclude(stage=Case.Stage.CLOSED)
        .filter(review_due_on__lte=today)
        .select_related("worker")
        .order_by("review_due_on", "pk")[:BATCH]
    )
    made = 0
    for case in cases:
        made += _made(
            notification_create(
                recipient=case.worker,
                key=f"cases:review:{case.pk}:{case.review_due_on:%Y%m%d}",
                title=_("Review due: %(case)s") % {"case": case.number},
                body=_("The case review was due on %(day)s.") % {"day": case.review_due_on},
                url=f"/cases/{case.pk}/",
            )
        )
    return made
