"""Background work: each task run twice does nothing twice. One test drives a real worker on Redis."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from station.models import Notification
from tests.helpers import require_broker
from volunteers import services, tasks
from volunteers.models import LedgerEntry, Redemption, Volunteer

from .factories import ShiftFactory


def test_the_day_before_a_shift_each_volunteer_is_reminded_once(volunteer_a, vol_activity):
    tomorrow_ten = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(
        days=1
    )
    shift = ShiftFactory(
        volunteer_activity=vol_activity, starts_at=tomorrow_ten, ends_at=tomorrow_ten + timedelta(hours=2)
    )
    later = ShiftFactory(
        volunteer_activity=vol_activity,
        starts_at=tomorrow_ten + timedelta(days=2),
        ends_at=tomorrow_ten + timedelta(days=2, hours=1),
    )
    services.signup_create(volunteer=volunteer_a, shift=shift, actor=None)
    services.signup_create(volunteer=volunteer_a, shift=later, actor=None)
    assert tasks.shift_reminders() == 1
    assert tasks.shift_reminders() == 0
    note = Notification.objects.get(recipient=volunteer_a.user)
    assert vol_activity.activity.title in note.title and note.title.startswith("明天")


def test_workers_hear_once_about_a_redemption_left_waiting(volunteer_a, worker, head, reward, settings):
    settings.VOLUNTEER_REDEMPTION_WAIT_HOURS = 48
    services.points_adjust(volunteer=volunteer_a, points=100, reason="迁入", actor=worker)
    redemption = services.redemption_place(
        volunteer=volunteer_a, reward=reward, idempotency_key="k", actor=None
    )
    assert tasks.redemptions_waiting() == 0
    Redemption.objects.filter(pk=redemption.pk).update(created_at=timezone.now() - timedelta(hours=49))
    assert tasks.redemptions_waiting() == 2  # the worker and the head
    assert tasks.redemptions_waiting() == 0
    assert Notification.objects.filter(recipient=worker, title__contains="大米5斤").count() == 1


def test_the_nightly_check_raises_a_wrong_balance_once(volunteer_a, worker, head):
    services.points_adjust(volunteer=volunteer_a, points=40, reason="表彰", actor=worker)
    assert tasks.balance_check() == 0
    Volunteer.objects.filter(pk=volunteer_a.pk).update(points_balance=45)
    assert tasks.balance_check() == 1
    assert tasks.balance_check() == 0
    note = Notification.objects.get(recipient=head)
    assert "45" in note.title and "40" in note.title


def test_expiry_is_off_by_default(volunteer_a, worker):
    services.points_adjust(
        volunteer=volunteer_a,
        points=100,
        reason="旧积分",
        actor=worker,
        at=timezone.now() - timedelta(days=2000),
    )
    assert tasks.points_expiry() == 0
    assert not LedgerEntry.objects.filter(kind="expiry").exists()


def test_expiry_takes_the_oldest_unspent_points_once_and_warns_ahead(volunteer_a, worker, reward, settings):
    settings.VOLUNTEER_POINTS_EXPIRY_YEARS = 3
    now = timezone.now()
    services.points_adjust(
        volunteer=volunteer_a, points=100, reason="四年前", actor=worker, at=now - timedelta(days=4 * 365)
    )
    services.points_adjust(
        volunteer=volunteer_a, points=30, reason="快到期", actor=worker, at=now - timedelta(days=3 * 365 - 10)
    )
    services.points_adjust(volunteer=volunteer_a, points=50, reason="今年", actor=worker)
    services.redemption_place(volunteer=volunteer_a, reward=reward, idempotency_key="x", actor=None)  # -100
    volunteer_a.refresh_from_db()
    assert volunteer_a.points_balance == 80
    # FIFO: the 100 spent came out of the oldest 100, so nothing of it is left to expire yet.
    assert tasks.points_expiry() == 0
    assert Notification.objects.filter(recipient=volunteer_a.user, title__contains="30").count() == 1
    tasks.points_expiry()
    assert Notification.objects.filter(recipient=volunteer_a.user).count() == 1


def test_unspent_old_points_expire_once(volunteer_a, worker, settings):
    settings.VOLUNTEER_POINTS_EXPIRY_YEARS = 3
    now = timezone.now()
    services.points_adjust(
        volunteer=volunteer_a, points=100, reason="四年前", actor=worker, at=now - timedelta(days=4 * 365)
    )
    services.points_adjust(volunteer=volunteer_a, points=50, reason="今年", actor=worker)
    services.points_adjust(volunteer=volunteer_a, points=-30, reason="扣回", actor=worker)
    assert tasks.points_expiry() == 1
    assert tasks.points_expiry() == 0
    expiry = LedgerEntry.objects.get(kind="expiry")
    assert expiry.points == -70 and "过期" in expiry.reason
    volunteer_a.refresh_from_db()
    assert volunteer_a.points_balance == 50


def test_the_automatic_check_out_task_flags_and_runs_once(volunteer_a, worker, vol_activity):
    start = timezone.now() - timedelta(hours=3)
    shift = ShiftFactory(volunteer_activity=vol_activity, starts_at=start, ends_at=start + timedelta(hours=2))
    signup, _ = services.signup_create(volunteer=volunteer_a, shift=shift, actor=None, by_worker=True)
    type(signup).objects.filter(pk=signup.pk).update(checked_in_at=start + timedelta(minutes=10))
    assert tasks.auto_checkout() == 1
    assert tasks.auto_checkout() == 0
    record = volunteer_a.service_records.get()
    assert record.flagged and record.minutes == 110


@pytest.fixture
def real_worker(transactional_db):
    require_broker()
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        app.conf.task_always_eager = True


@pytest.mark.worker
def test_a_real_worker_runs_the_balance_check(real_worker, community_a, station, django_user_model):
    from station.models import StaffProfile
    from tests.factories import PersonFactory, make_staff

    from .factories import make_volunteer

    head = make_staff(StaffProfile.Role.STATION_HEAD, station=station, username="head-w")
    volunteer = make_volunteer(PersonFactory(community=community_a), balance=20, actor=head)
    Volunteer.objects.filter(pk=volunteer.pk).update(points_balance=25)
    tasks.balance_check.delay()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not Notification.objects.filter(recipient=head).exists():
        time.sleep(0.2)
    assert (
        Notification.objects.filter(recipient=head, key__startswith="volunteers:balance-mismatch").count()
        == 1
    )


def _signups_for_tomorrow(vol_activity, community, count):
    """``count`` volunteers each signed up for a shift tomorrow at ten, Shanghai time."""
    from station.models import Person
    from volunteers.models import SignUp

    tomorrow_ten = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0) + timedelta(
        days=1
    )
    shift = ShiftFactory(
        volunteer_activity=vol_activity, starts_at=tomorrow_ten, ends_at=tomorrow_ten + timedelta(hours=2)
    )
    people = [Person(name=f"志愿者{i}", phone=f"1370000{i:04d}", community=community) for i in range(count)]
    volunteers = services.volunteer_register_many(
        volunteers=[Volunteer(person=p, joined_on=timezone.localdate()) for p in people], actor=None
    )
    SignUp.objects.bulk_create([SignUp(shift=shift, volunteer=v) for v in volunteers])
    return volunteers


def test_a_reminder_run_that_fails_mid_batch_loses_and_repeats_nothing(
    vol_activity, community_a, monkeypatch
):
    volunteers = _signups_for_tomorrow(vol_activity, community_a, 6)
    real_create, calls = tasks.notification_create, []

    def failing_on_the_fourth(**kwargs):
        calls.append(kwargs["key"])
        if len(calls) == 4:
            raise RuntimeError("the worker dies here")
        return real_create(**kwargs)

    monkeypatch.setattr(tasks, "notification_create", failing_on_the_fourth)
    with pytest.raises(RuntimeError):
        tasks.shift_reminders()
    assert Notification.objects.count() == 3
    monkeypatch.setattr(tasks, "notification_create", real_create)
    assert tasks.shift_reminders() == 3  # the one that failed and the two never reached
    assert tasks.shift_reminders() == 0
    counts = [Notification.objects.filter(recipient=v.user).count() for v in volunteers]
    assert counts == [1] * 6
