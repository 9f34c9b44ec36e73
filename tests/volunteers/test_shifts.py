"""Sign-up, QR check-in and check-out, worker check-in, automatic check-out."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from tests.factories import PersonFactory
from tests.helpers import require_postgresql
from volunteers import rules, services
from volunteers.models import ServiceRecord, Shift, SignUp

from .factories import ShiftFactory, make_volunteer


def test_a_full_shift_refuses_the_next_volunteer(volunteer_a, volunteer_b, shift):
    Shift.objects.filter(pk=shift.pk).update(places=1)
    services.signup_create(volunteer=volunteer_a, shift=shift, actor=volunteer_a.user)
    with pytest.raises(ValidationError, match="已满"):
        services.signup_create(volunteer=volunteer_b, shift=shift, actor=volunteer_b.user)
    assert SignUp.objects.filter(shift=shift).count() == 1


def test_signing_up_twice_is_one_sign_up_and_cancel_frees_the_place(volunteer_a, volunteer_b, shift):
    Shift.objects.filter(pk=shift.pk).update(places=1)
    services.signup_create(volunteer=volunteer_a, shift=shift, actor=None)
    signup, _ = services.signup_create(volunteer=volunteer_a, shift=shift, actor=None)
    services.signup_cancel(signup=signup, actor=None)
    services.signup_create(volunteer=volunteer_b, shift=shift, actor=None)
    assert SignUp.objects.filter(shift=shift, status="signed_up").get().volunteer == volunteer_b


def test_an_overlapping_shift_is_warned_about(volunteer_a, shift, vol_activity):
    services.signup_create(volunteer=volunteer_a, shift=shift, actor=None)
    other = ShiftFactory(
        volunteer_activity__activity__station=vol_activity.activity.station,
        starts_at=shift.starts_at + timedelta(hours=1),
        ends_at=shift.ends_at + timedelta(hours=1),
    )
    _signup, warnings = services.signup_create(volunteer=volunteer_a, shift=other, actor=None)
    assert len(warnings) == 1 and "时间重叠" in str(warnings[0])


def test_required_skills_are_checked(volunteer_a, shift, vol_activity):
    vol_activity.required_skills = "急救"
    vol_activity.save()
    with pytest.raises(ValidationError, match="急救"):
        services.signup_create(volunteer=volunteer_a, shift=shift, actor=None)
    volunteer_a.skills = "急救, 理发"
    volunteer_a.save()
    services.signup_create(volunteer=volunteer_a, shift=shift, actor=None)


@pytest.mark.parametrize("hours", [25, 48])
def test_a_shift_longer_than_a_day_is_refused(vol_activity, hours):
    start = timezone.now()
    shift = Shift(
        volunteer_activity=vol_activity, starts_at=start, ends_at=start + timedelta(hours=hours), places=3
    )
    with pytest.raises(ValidationError, match="24"):
        services.shift_save(shift=shift, actor=None)
    assert not Shift.objects.exists()


def test_a_shift_ending_before_it_starts_is_refused(vol_activity):
    start = timezone.now()
    shift = Shift(
        volunteer_activity=vol_activity, starts_at=start, ends_at=start - timedelta(hours=1), places=3
    )
    with pytest.raises(ValidationError):
        services.shift_save(shift=shift, actor=None)


@pytest.fixture
def running_shift(vol_activity):
    start = timezone.now().replace(microsecond=0) - timedelta(minutes=30)
    return ShiftFactory(volunteer_activity=vol_activity, starts_at=start, ends_at=start + timedelta(hours=2))


def test_scanning_the_current_code_checks_in_then_out(volunteer_a, running_shift):
    token = rules.qr_token_now(running_shift)
    action, signup = services.checkin_by_qr(
        volunteer=volunteer_a, shift=running_shift, token=token, actor=None
    )
    assert action == "in" and signup.checked_in_at and signup.check_in_method == "qr"
    SignUp.objects.filter(pk=signup.pk).update(checked_in_at=running_shift.starts_at + timedelta(minutes=5))
    action, signup = services.checkin_by_qr(
        volunteer=volunteer_a, shift=running_shift, token=token, actor=None
    )
    assert action == "out"
    record = ServiceRecord.objects.get(signup=signup)
    assert record.status == "pending" and record.source == "checkout" and 24 <= record.minutes <= 26


def test_the_previous_minute_code_works_but_an_older_one_does_not(volunteer_a, running_shift):
    now = timezone.now().timestamp()
    window = rules.qr_window(now)
    previous = rules.qr_token(running_shift, window - 1)
    yesterday = rules.qr_token(running_shift, window - 24 * 60)
    two_ago = rules.qr_token(running_shift, window - 2)
    assert rules.qr_token_is_valid(running_shift, previous, now=now)
    for stale in (yesterday, two_ago, "", "nonsense"):
        with pytest.raises(ValidationError, match="过期"):
            services.checkin_by_qr(
                volunteer=volunteer_a, shift=running_shift, token=stale, actor=None, now=now
            )
    assert not SignUp.objects.exists()


def test_a_code_of_another_shift_does_not_check_in(volunteer_a, running_shift, vol_activity):
    other = ShiftFactory(
        volunteer_activity=vol_activity, starts_at=running_shift.starts_at, ends_at=running_shift.ends_at
    )
    with pytest.raises(ValidationError):
        services.checkin_by_qr(
            volunteer=volunteer_a, shift=running_shift, token=rules.qr_token_now(other), actor=None
        )


def test_credited_hours_never_exceed_the_shift(running_shift):
    early = running_shift.starts_at - timedelta(hours=1)
    late = running_shift.ends_at + timedelta(hours=5)
    assert services.credited_minutes(running_shift, early, late) == 120


def test_check_out_before_check_in_is_refused(volunteer_a, running_shift, worker):
    services.checkin_by_worker(shift=running_shift, query=volunteer_a.person.phone, actor=worker)
    signup = SignUp.objects.get()
    with pytest.raises(ValidationError, match="签退"):
        services.checkout(signup=signup, actor=worker, at=signup.checked_in_at - timedelta(minutes=5))
    signup.refresh_from_db()
    assert signup.checked_out_at is None and not ServiceRecord.objects.exists()


def test_a_worker_checks_in_an_elder_by_name(volunteer_a, running_shift, worker):
    signup = services.checkin_by_worker(shift=running_shift, query="张桂兰", actor=worker)
    assert signup.check_in_method == "worker" and signup.volunteer == volunteer_a
    with pytest.raises(ValidationError):
        services.checkin_by_worker(shift=running_shift, query="没有这个人", actor=worker)


def test_anyone_not_checked_out_is_checked_out_at_the_end_and_flagged(volunteer_a, running_shift, worker):
    services.checkin_by_worker(shift=running_shift, query=volunteer_a.person.phone, actor=worker)
    assert services.auto_checkout_due(now=running_shift.ends_at - timedelta(minutes=1)) == 0
    assert services.auto_checkout_due(now=running_shift.ends_at + timedelta(minutes=1)) == 1
    assert services.auto_checkout_due(now=running_shift.ends_at + timedelta(minutes=2)) == 0
    signup = SignUp.objects.get()
    assert signup.auto_checked_out and signup.checked_out_at == running_shift.ends_at
    record = ServiceRecord.objects.get()
    assert record.flagged and record.minutes <= 120


@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_for_the_last_place_take_exactly_one(community_a, station):
    require_postgresql()
    shift = ShiftFactory(volunteer_activity__activity__station=station, places=3)
    volunteers = [make_volunteer(PersonFactory(community=community_a)) for _ in range(12)]
    services.signup_create(volunteer=volunteers[0], shift=shift, actor=None)
    services.signup_create(volunteer=volunteers[1], shift=shift, actor=None)  # one place left
    contenders = volunteers[2:]
    barrier = threading.Barrier(len(contenders))
    won, refused, other = [], [], []

    def sign_up(volunteer):
        try:
            barrier.wait()
            services.signup_create(volunteer=volunteer, shift=Shift.objects.get(pk=shift.pk), actor=None)
            won.append(volunteer.pk)
        except ValidationError:
            refused.append(volunteer.pk)
        except Exception as exc:  # noqa: BLE001
            other.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(v,)) for v in contenders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert other == []
    assert len(won) == 1 and len(refused) == len(contenders) - 1
    assert SignUp.objects.filter(shift=shift, status="signed_up").count() == 3


def test_a_worker_finds_the_elder_by_a_phone_number_typed_in_groups(volunteer_a, running_shift):
    phone = volunteer_a.person.phone
    typed = f" {phone[:3]} {phone[3:7]}-{phone[7:]} "
    assert services.find_volunteer_for_checkin(shift=running_shift, query=typed) == volunteer_a


def test_the_database_refuses_a_shift_longer_than_a_day(vol_activity):
    from django.db import IntegrityError, transaction

    starts = vol_activity.activity.starts_at
    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.bulk_create(
            [
                Shift(
                    volunteer_activity=vol_activity,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=25),
                    places=3,
                )
            ]
        )
    Shift.objects.bulk_create(
        [
            Shift(
                volunteer_activity=vol_activity,
                starts_at=starts,
                ends_at=starts + timedelta(hours=24),
                places=3,
            )
        ]
    )
    assert Shift.objects.filter(volunteer_activity=vol_activity).count() == 1


def test_a_service_record_is_never_deleted(volunteer_a, worker):
    from datetime import date

    record = services.service_record_backfill(
        volunteer=volunteer_a, service_date=date(2024, 5, 1), minutes=60, description="助老", actor=worker
    )
    with pytest.raises(ValidationError):
        record.delete()
    assert ServiceRecord.objects.filter(pk=record.pk).exists()
