"""Background work. Thin: ids in, reload, claim with a conditional update, call a service.

Every task can run twice without doing anything twice: claims (``reminded_at``) and notification keys.
"""

from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from station.models import StaffProfile, years_before
from station.selectors import station_staff_users
from station.services import notification_create

from . import selectors, services
from .models import Redemption, SignUp, Volunteer

BATCH = 500


def _station_staff(station_id, roles=(StaffProfile.Role.STATION_HEAD, StaffProfile.Role.SOCIAL_WORKER)):
    return station_staff_users([station_id], roles=roles, include_superusers=True)


@shared_task
def auto_checkout() -> int:
    return services.auto_checkout_due(limit=BATCH)


@shared_task
def shift_reminders() -> int:
    """Remind, the day before, everyone signed up for a shift tomorrow."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    start = timezone.make_aware(datetime.combine(tomorrow, datetime.min.time()))
    ids = list(
        SignUp.objects.filter(
            status=SignUp.Status.SIGNED_UP,
            reminded_at__isnull=True,
            shift__starts_at__gte=start,
            shift__starts_at__lt=start + timedelta(days=1),
        ).values_list("pk", flat=True)[:BATCH]
    )
    sent = 0
    for pk in ids:
        # The claim and the reminder commit together: a worker killed between them leaves neither, and the
        # next run reminds that sign-up; the notification's key keeps a re-run from making a second one.
        with transaction.atomic():
            if _remind_signup(pk):
                sent += 1
    return sent


def _remind_signup(pk) -> bool:
    if SignUp.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=timezone.now()) != 1:
        return False
    signup = SignUp.objects.select_related("volunteer__user", "shift__volunteer_activity__activity").get(
        pk=pk
    )
    if signup.volunteer.user is None:
        return False
    shift = signup.shift
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Tomorrow: %(title)s") % {"title": shift.volunteer_activity.activity.title}
        body = _("Your shift starts at %(time)s at %(place)s.") % {
            "time": timezone.localtime(shift.starts_at).strftime("%m-%d %H:%M"),
            "place": shift.place or shift.volunteer_activity.activity.place,
        }
    return bool(
        notification_create(
            recipient=signup.volunteer.user,
            key=f"volunteers:shift-reminder:{signup.pk}",
            title=title,
            body=body,
            url=reverse("volunteers:shift", args=[shift.pk]),
        )
    )


@shared_task
def redemptions_waiting() -> int:
    """Tell the station's workers about redemptions waiting longer than the setting."""
    cutoff = timezone.now() - timedelta(hours=settings.VOLUNTEER_REDEMPTION_WAIT_HOURS)
    waiting = Redemption.objects.filter(
        status=Redemption.Status.PLACED, created_at__lt=cutoff
    ).select_related("reward", "volunteer__person")[:BATCH]
    made = 0
    for redemption in waiting:
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Redemption waiting: %(reward)s for %(name)s") % {
                "reward": redemption.reward.name,
                "name": redemption.volunteer.person.name,
            }
        for user in _station_staff(redemption.reward.station_id):
            if notification_create(
                recipient=user,
                key=f"volunteers:redemption-waiting:{redemption.pk}:{user.pk}",
                title=title,
                url=reverse("admin:volunteers_redemption_change", args=[redemption.pk]),
            ):
                made += 1
    return made


@shared_task
def balance_check() -> int:
    """Every balance must equal the sum of its entries; any that does not is raised to the station head."""
    today = timezone.localdate().isoformat()
    made = 0
    for volunteer_id, balance, total in selectors.balance_mismatches():
        volunteer = Volunteer.objects.select_related("person__community").get(pk=volunteer_id)
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Points balance of %(name)s is %(balance)d but the ledger sums to %(total)d") % {
                "name": volunteer.person.name,
                "balance": balance,
                "total": total,
            }
        for user in _station_staff(
            volunteer.person.community.station_id, roles=(StaffProfile.Role.STATION_HEAD,)
        ):
            if notification_create(
                recipient=user,
                key=f"volunteers:balance-mismatch:{volunteer_id}:{today}:{user.pk}",
                title=title,
                url=reverse("admin:volunteers_volunteer_change", args=[volunteer_id]),
            ):
                made += 1
    return made


@shared_task
def points_expiry() -> int:
    """Write expiry entries (oldest points first) and warn volunteers 30 days ahead. Off unless set."""
    years = settings.VOLUNTEER_POINTS_EXPIRY_YEARS
    if not years:
        return 0
    today = timezone.localdate()
    expired = 0
    ids = list(Volunteer.objects.filter(points_balance__gt=0).values_list("pk", flat=True))
    for pk in ids:
        volunteer = Volunteer.objects.select_related("user").get(pk=pk)
        if services.points_expire(volunteer=volunteer, today=today):
            expired += 1
        volunteer.refresh_from_db()
        ahead = today + timedelta(days=settings.VOLUNTEER_EXPIRY_WARNING_DAYS)
        cutoff = timezone.make_aware(datetime.combine(years_before(ahead, years), datetime.min.time()))
        soon = selectors.points_expiring(volunteer, cutoff)
        if soon > 0 and volunteer.user_id:
            with translation.override(settings.LANGUAGE_CODE):
                title = _("%(points)d of your points expire within %(days)d days") % {
                    "points": soon,
                    "days": settings.VOLUNTEER_EXPIRY_WARNING_DAYS,
                }
            notification_create(
                recipient=volunteer.user,
                key=f"volunteers:expiry-warning:{pk}:{today:%Y-%m}",
                title=title,
                url=reverse("volunteers:rewards"),
            )
    return expired
