"""The points ledger: earn once per record, reversals once, append-only, balance never below zero.

张桂兰 (volunteer_a) is 63 on the service days used here, so her hours earn double: 3 hours make 60 points.
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from station.models import Attendance
from volunteers import services
from volunteers.models import LedgerEntry, ServiceRecord

from .factories import ShiftFactory, make_volunteer


def ledger_sum(volunteer):
    return LedgerEntry.objects.filter(volunteer=volunteer).aggregate(s=Sum("points"))["s"] or 0


@pytest.fixture
def record(volunteer_a, worker):
    return services.service_record_backfill(
        volunteer=volunteer_a,
        service_date=date(2024, 5, 1),
        minutes=180,
        description="清洁家园",
        actor=worker,
    )


def test_approving_again_and_again_earns_once(record, volunteer_a, worker):
    for _ in range(3):
        services.service_record_approve(record=record, actor=worker)
    volunteer_a.refresh_from_db()
    assert LedgerEntry.objects.filter(service_record=record, kind="earn").count() == 1
    assert volunteer_a.points_balance == 60 == ledger_sum(volunteer_a)


def test_the_database_refuses_a_second_earn_for_the_same_record(record, volunteer_a, worker):
    services.service_record_approve(record=record, actor=worker)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            volunteer=volunteer_a, kind="earn", points=30, balance_after=60, reason="x", service_record=record
        )


def test_a_reversal_points_at_the_original_and_a_second_is_refused(record, volunteer_a, worker):
    services.service_record_approve(record=record, actor=worker)
    earned = LedgerEntry.objects.get(service_record=record)
    reversal = services.ledger_reverse(entry=earned, reason="录错了人", actor=worker)
    assert reversal.reverses == earned and reversal.points == -60
    volunteer_a.refresh_from_db()
    assert volunteer_a.points_balance == 0 == ledger_sum(volunteer_a)
    with pytest.raises(ValidationError, match="已经冲正"):
        services.ledger_reverse(entry=earned, reason="再来一次", actor=worker)
    with pytest.raises(ValidationError):
        services.ledger_reverse(entry=reversal, reason="冲正的冲正", actor=worker)
    assert LedgerEntry.objects.count() == 2


def test_a_reversal_that_would_overdraw_is_refused(record, volunteer_a, worker, reward):
    services.service_record_approve(record=record, actor=worker)
    services.points_adjust(volunteer=volunteer_a, points=40, reason="活动奖励", actor=worker)
    services.redemption_place(
        volunteer=volunteer_a, reward=reward, idempotency_key="k1", actor=volunteer_a.user
    )
    earned = LedgerEntry.objects.get(service_record=record)
    with pytest.raises(ValidationError, match="积分不足"):
        services.ledger_reverse(entry=earned, reason="录错", actor=worker)
    volunteer_a.refresh_from_db()
    assert volunteer_a.points_balance == 0


def test_ledger_entries_cannot_be_edited_or_deleted(record, volunteer_a, worker):
    services.service_record_approve(record=record, actor=worker)
    entry = LedgerEntry.objects.get()
    entry.points = 999
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        LedgerEntry.objects.filter(pk=entry.pk).update(points=1)
    with pytest.raises(ValidationError):
        LedgerEntry.objects.all().delete()
    assert LedgerEntry.objects.get().points == 60


def test_the_database_keeps_the_balance_from_going_below_zero(volunteer_a):
    from volunteers.models import Volunteer

    with pytest.raises(IntegrityError), transaction.atomic():
        Volunteer.objects.filter(pk=volunteer_a.pk).update(points_balance=-1)


def test_an_adjustment_needs_a_reason_and_records_who(volunteer_a, worker):
    with pytest.raises(ValidationError, match="原因"):
        services.points_adjust(volunteer=volunteer_a, points=10, reason="  ", actor=worker)
    entry = services.points_adjust(volunteer=volunteer_a, points=10, reason="表彰", actor=worker)
    assert entry.created_by == worker and entry.kind == "adjustment"
    with pytest.raises(ValidationError):
        services.points_adjust(volunteer=volunteer_a, points=-11, reason="扣多了", actor=worker)
    volunteer_a.refresh_from_db()
    assert volunteer_a.points_balance == 10


@pytest.mark.parametrize("minutes", [0, -30, 24 * 60 + 1])
def test_bad_hours_are_refused_and_nothing_is_saved(volunteer_a, worker, minutes):
    with pytest.raises(ValidationError):
        services.service_record_backfill(
            volunteer=volunteer_a,
            service_date=date(2024, 5, 1),
            minutes=minutes,
            description="x",
            actor=worker,
        )
    assert ServiceRecord.objects.count() == 0


def test_hours_for_a_shift_never_exceed_its_length(volunteer_a, worker, vol_activity):
    shift = ShiftFactory(volunteer_activity=vol_activity)  # two hours
    with pytest.raises(ValidationError, match="班次时长"):
        services.service_record_backfill(
            volunteer=volunteer_a,
            service_date=date(2024, 5, 1),
            minutes=121,
            description="x",
            actor=worker,
            shift=shift,
        )


def test_hours_for_one_shift_are_credited_once_however_they_are_entered(volunteer_a, worker, vol_activity):
    """Backfilling a shift the volunteer already has hours for doubled the hours and the points."""
    # A shift two days ago: hours are entered after the fact, and the day is Shanghai's, whatever the hour.
    starts = timezone.now().replace(microsecond=0) - timedelta(days=2)
    shift = ShiftFactory(volunteer_activity=vol_activity, starts_at=starts)  # two hours
    day = timezone.localdate(shift.starts_at)
    first = services.service_record_backfill(
        volunteer=volunteer_a, service_date=day, minutes=120, description="x", actor=worker, shift=shift
    )
    with pytest.raises(ValidationError, match="已有这个班次的时长"):
        services.service_record_backfill(
            volunteer=volunteer_a, service_date=day, minutes=120, description="x", actor=worker, shift=shift
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceRecord.objects.create(volunteer=volunteer_a, shift=shift, service_date=day, minutes=60)
    services.service_record_decline(record=first, reason="记错了人", actor=worker)
    services.service_record_backfill(
        volunteer=volunteer_a, service_date=day, minutes=90, description="x", actor=worker, shift=shift
    )
    assert ServiceRecord.objects.filter(shift=shift).count() == 2


def test_checking_out_after_a_backfill_enters_no_second_record(volunteer_a, worker, vol_activity):
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now() - timedelta(hours=1)
    shift = ShiftFactory(volunteer_activity=vol_activity, starts_at=start, ends_at=start + timedelta(hours=2))
    signup = services.checkin_by_worker(shift=shift, query=volunteer_a.person.phone, actor=worker)
    services.service_record_backfill(
        volunteer=volunteer_a,
        service_date=timezone.localdate(start),
        minutes=60,
        description="x",
        actor=worker,
        shift=shift,
    )
    services.checkout(signup=signup, actor=worker, at=timezone.now() + timedelta(minutes=30))
    signup.refresh_from_db()
    assert signup.checked_out_at is not None
    assert ServiceRecord.objects.filter(shift=shift).count() == 1


def test_hours_of_a_shift_can_still_be_corrected(volunteer_a, worker, vol_activity):
    shift = ShiftFactory(volunteer_activity=vol_activity)
    first = services.service_record_backfill(
        volunteer=volunteer_a,
        service_date=date(2024, 5, 1),
        minutes=120,
        description="x",
        actor=worker,
        shift=shift,
    )
    new = services.service_record_correct(record=first, minutes=90, reason="提前离开", actor=worker)
    assert new.shift == shift and new.minutes == 90
    first.refresh_from_db()
    assert first.status == "corrected"


def test_a_decline_keeps_the_record_with_who_and_why(record, worker):
    with pytest.raises(ValidationError):
        services.service_record_decline(record=record, reason="", actor=worker)
    services.service_record_decline(record=record, reason="当天未到场", actor=worker)
    record.refresh_from_db()
    assert record.status == "declined" and record.decided_by == worker
    assert list(record.events.values_list("to_status", "reason"))[-1] == ("declined", "当天未到场")
    with pytest.raises(ValidationError):
        services.service_record_approve(record=record, actor=worker)
    assert not LedgerEntry.objects.exists()


def test_a_correction_reverses_the_points_and_waits_for_approval(record, volunteer_a, worker):
    services.service_record_approve(record=record, actor=worker)
    new = services.service_record_correct(record=record, minutes=60, reason="实际只服务了1小时", actor=worker)
    record.refresh_from_db()
    assert record.status == "corrected" and new.corrects == record and new.status == "pending"
    services.service_record_approve(record=new, actor=worker)
    volunteer_a.refresh_from_db()
    assert volunteer_a.points_balance == 20 == ledger_sum(volunteer_a)
    assert list(LedgerEntry.objects.order_by("pk").values_list("kind", "points")) == [
        ("earn", 60),
        ("reversal", -60),
        ("earn", 20),
    ]


def test_approved_hours_count_in_the_activity_attendance(volunteer_a, worker, shift):
    record = services.service_record_backfill(
        volunteer=volunteer_a,
        service_date=date(2024, 5, 1),
        minutes=60,
        description="x",
        actor=worker,
        shift=shift,
    )
    services.service_record_approve(record=record, actor=worker)
    services.service_record_approve(record=record, actor=worker)
    activity = shift.volunteer_activity.activity
    assert Attendance.objects.filter(activity=activity, person=volunteer_a.person).count() == 1
    assert activity.person_times == 1


def test_balance_check_finds_a_tampered_balance(volunteer_a, volunteer_b, worker):
    from volunteers.models import Volunteer

    services.points_adjust(volunteer=volunteer_a, points=10, reason="表彰", actor=worker)
    assert services.balance_mismatches() == []
    Volunteer.objects.filter(pk=volunteer_b.pk).update(points_balance=5)
    assert services.balance_mismatches() == [(volunteer_b.pk, 5, 0)]


def test_volunteer_registration_uses_the_phone_number_and_is_not_staff(person_b, worker):
    volunteer = make_volunteer(person_b)
    assert volunteer.user.username == person_b.phone
    assert not volunteer.user.is_staff and not hasattr(volunteer.user, "staff_profile")
    with pytest.raises(ValidationError):
        make_volunteer(person_b)
