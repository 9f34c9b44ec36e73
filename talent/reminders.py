"""Reminders the beat sends, each made once under a unique notification key (a retried task does nothing twice)."""

from datetime import date

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from station.models import StaffProfile
from station.selectors import station_staff_users
from station.services import notification_create

from . import selectors
from .models import StudyGroupMember


def _account_of(person):
    """The person's own sign-in, if they have one (staff and part-timers do)."""
    profile = StaffProfile.objects.filter(person=person, user__is_active=True).select_related("user").first()
    return profile.user if profile else None


def exam_reminders(today: date | None = None) -> int:
    """Remind each study-group member of the registration window and of the exam days: once per member per
    event. A member without an account is reminded through their tutor."""
    today = today or timezone.localdate()
    made = 0
    events = selectors.exam_events_due(today)
    if not events:
        return 0
    members = list(
        StudyGroupMember.objects.filter(left_on__isnull=True, group__ended_on__isnull=True).select_related(
            "person", "group__tutor"
        )
    )
    for exam, event in events:
        for member in members:
            person = member.person
            recipient = _account_of(person) or member.group.tutor
            with translation.override(settings.LANGUAGE_CODE):
                if event == "registration":
                    title = _("%(year)s social work exam: registration %(opens)s to %(closes)s") % {
                        "year": exam.year,
                        "opens": exam.registration_opens,
                        "closes": exam.registration_closes,
                    }
                else:
                    title = _("%(year)s social work exam on %(first)s to %(last)s") % {
                        "year": exam.year,
                        "first": exam.exam_starts,
                        "last": exam.exam_ends,
                    }
                if recipient != _account_of(person):
                    title = _("For %(name)s: %(title)s") % {"name": person.name, "title": title}
            if notification_create(
                recipient=recipient,
                key=f"talent-exam-{event}-{exam.year}-{person.pk}",
                title=title,
                url=reverse("talent:group", args=[member.group_id]),
            ):
                made += 1
    return made


def ce_reminders(today: date | None = None) -> int:
    """Remind the holder (if they have an account) and the station's social workers of anyone at risk of
    missing their continuing-education hours, 90 and 30 days before the registration expires; each once."""
    today = today or timezone.localdate()
    made = 0
    stations = {}
    from station.models import Station

    for station_id in Station.objects.values_list("pk", flat=True):
        for progress in selectors.ce_at_risk(station_id, today):
            days_left = (progress.expires_on - today).days
            due = [d for d in settings.TALENT_CE_REMINDER_DAYS if days_left <= d]
            if not due:
                continue
            mark = min(due)
            registration = progress.registration
            person = registration.certificate.person
            with translation.override(settings.LANGUAGE_CODE):
                title = _(
                    "%(name)s: %(done)s of %(required)s continuing-education hours, registration expires %(day)s"
                ) % {
                    "name": person.name,
                    "done": progress.done,
                    "required": progress.required,
                    "day": progress.expires_on,
                }
            if station_id not in stations:
                stations[station_id] = list(
                    station_staff_users(
                        [station_id], roles=(StaffProfile.Role.STATION_HEAD, StaffProfile.Role.SOCIAL_WORKER)
                    )
                )
            recipients = {u.pk: u for u in stations[station_id]}
            own = _account_of(person)
            if own is not None:
                recipients[own.pk] = own
            for user in recipients.values():
                if notification_create(
                    recipient=user,
                    key=f"talent-ce-{registration.pk}-{mark}-{user.pk}",
                    title=title,
                    url=reverse("talent:ce_at_risk"),
                ):
                    made += 1
    return made
