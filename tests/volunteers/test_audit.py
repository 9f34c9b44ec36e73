"""Every state change of the volunteer platform writes its row in the audit trail, inside its own transaction:
a change that is refused leaves no row, a change that stays always has one."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from station.models import Activity, AuditEvent
from volunteers import rules, services
from volunteers.models import Donation, Reward, Shift, VolunteerActivity

from .factories import ShiftFactory, SponsorFactory


def audited(obj, action=None):
    rows = AuditEvent.objects.filter(target_type=obj._meta.label, target_id=str(obj.pk))
    return rows if action is None else rows.filter(action=action)


def test_a_sign_up_a_check_in_and_a_check_out_are_each_in_the_audit_trail(volunteer_a, vol_activity, worker):
    start = timezone.now() - timedelta(minutes=30)
    shift = ShiftFactory(volunteer_activity=vol_activity, starts_at=start, ends_at=start + timedelta(hours=2))
    signup, _warnings = services.signup_create(volunteer=volunteer_a, shift=shift, actor=volunteer_a.user)
    created = audited(signup, "create").get()
    assert created.actor == volunteer_a.user and created.changes["status"] == ["", "signed_up"]
    token = rules.qr_token_now(shift)
    services.checkin_by_qr(volunteer=volunteer_a, shift=shift, token=token, actor=volunteer_a.user, step="in")
    record = services.checkout(
        signup=signup, actor=volunteer_a.user, at=timezone.now() + timedelta(minutes=45)
    )
    changes = [row.changes for row in audited(signup, "update").order_by("at", "pk")]
    assert changes[0]["check_in_method"] == "qr" and "checked_out_at" in changes[1]
    assert audited(record, "create").get().changes["status"] == ["", "pending"]


def test_a_cancelled_sign_up_and_a_sign_up_again_are_in_the_audit_trail(volunteer_a, shift, worker):
    signup, _ = services.signup_create(volunteer=volunteer_a, shift=shift, actor=volunteer_a.user)
    services.signup_cancel(signup=signup, actor=volunteer_a.user)
    services.signup_create(volunteer=volunteer_a, shift=shift, actor=volunteer_a.user)
    statuses = [row.changes["status"] for row in audited(signup).order_by("at", "pk")]
    assert statuses == [["", "signed_up"], ["signed_up", "cancelled"], ["cancelled", "signed_up"]]


def test_a_sign_up_refused_leaves_no_audit_row(volunteer_a, shift):
    Shift.objects.filter(pk=shift.pk).update(places=1)
    services.signup_create(volunteer=volunteer_a, shift=shift, actor=volunteer_a.user, by_worker=True)
    before = AuditEvent.objects.count()
    shift.places = 1
    volunteer_a.status = "paused"
    with pytest.raises(ValidationError):
        services.signup_create(volunteer=volunteer_a, shift=shift, actor=volunteer_a.user)
    assert AuditEvent.objects.count() == before


def test_hours_from_entry_to_approval_and_correction_are_in_the_audit_trail(volunteer_a, worker, supervisor):
    record = services.service_record_backfill(
        volunteer=volunteer_a, service_date=date(2024, 5, 1), minutes=120, description="助老", actor=worker
    )
    services.service_record_submit(record=record, actor=worker)
    services.service_record_approve(record=record, actor=supervisor)
    new = services.service_record_correct(record=record, minutes=60, reason="多记了一小时", actor=supervisor)
    statuses = [row.changes["status"] for row in audited(record).order_by("at", "pk")]
    assert statuses == [
        ["", "entered"],
        ["entered", "pending"],
        ["pending", "approved"],
        ["approved", "corrected"],
    ]
    assert audited(new, "create").get().reason == "多记了一小时"


def test_points_moved_by_hand_reversed_and_redeemed_are_in_the_audit_trail(volunteer_a, reward, worker):
    entry = services.points_adjust(
        volunteer=volunteer_a, points=300, reason="迁入", actor=worker, request_key="k1"
    )
    services.points_adjust(volunteer=volunteer_a, points=300, reason="迁入", actor=worker, request_key="k1")
    row = audited(entry, "create").get()  # the double click adjusted once and wrote one row
    assert row.actor == worker and row.changes["points"] == 300 and row.reason == "迁入"
    reversal = services.ledger_reverse(entry=entry, reason="录错了", actor=worker)
    assert audited(reversal, "create").get().changes["points"] == -300
    services.points_adjust(volunteer=volunteer_a, points=200, reason="表彰", actor=worker)
    redemption = services.redemption_place(
        volunteer=volunteer_a, reward=reward, idempotency_key="r1", actor=volunteer_a.user
    )
    services.redemption_place(
        volunteer=volunteer_a, reward=reward, idempotency_key="r1", actor=volunteer_a.user
    )
    assert audited(redemption, "create").get().changes["points"] == reward.points_price
    services.redemption_cancel(redemption=redemption, reason="不要了", actor=worker)
    assert audited(redemption, "update").get().changes["status"] == ["placed", "cancelled"]


def test_a_pickup_a_donation_and_a_certificate_are_in_the_audit_trail(volunteer_a, reward, station, worker):
    services.points_adjust(volunteer=volunteer_a, points=200, reason="表彰", actor=worker)
    redemption = services.redemption_place(
        volunteer=volunteer_a, reward=reward, idempotency_key="1", actor=None
    )
    services.redemption_fulfil(redemption=redemption, actor=worker)
    assert audited(redemption, "update").get().changes["status"] == ["placed", "fulfilled"]
    donation = services.donation_record(
        donation=Donation(
            sponsor=SponsorFactory(station=station), reward=reward, description="大米", quantity=5
        ),
        actor=worker,
    )
    assert audited(donation, "create").get().changes["quantity"] == 5
    record = services.service_record_backfill(
        volunteer=volunteer_a, service_date=date(2024, 5, 1), minutes=60, description="助老", actor=worker
    )
    services.service_record_approve(record=record, actor=worker)
    certificate = services.certificate_issue(
        volunteer=volunteer_a, period_start=date(2024, 1, 1), period_end=date(2024, 12, 31), actor=worker
    )
    assert audited(certificate, "create").get().actor == worker


def test_activities_shifts_volunteers_and_rewards_changed_by_workers_are_in_the_audit_trail(
    volunteer_a, station, community_a, worker
):
    start = timezone.now() + timedelta(days=2)
    va = services.volunteer_activity_save(
        volunteer_activity=VolunteerActivity(description="陪伴"),
        activity=Activity(
            station=station, community=community_a, title="敬老院陪伴", kind="volunteer_service",
            starts_at=start, ends_at=start + timedelta(hours=2),
        ),
        actor=worker,
    )  # fmt: skip
    shift = services.shift_save(
        shift=Shift(volunteer_activity=va, starts_at=start, ends_at=start + timedelta(hours=2), places=3),
        actor=worker,
    )
    assert audited(va, "create").exists() and audited(shift, "create").exists()
    services.shift_delete(shift=shift, actor=worker)
    assert audited(shift, "delete").exists() and not Shift.objects.filter(pk=shift.pk).exists()
    volunteer_a.skills = "理发"
    services.volunteer_update(volunteer=volunteer_a, actor=worker)
    assert audited(volunteer_a, "update").get().changes == {"skills": ["", "理发"]}
    reward = services.reward_save(reward=Reward(station=station, name="毛巾", points_price=20), actor=worker)
    assert audited(reward, "create").get().changes["points_price"] == 20


def test_a_workers_change_to_a_volunteer_or_a_reward_never_writes_back_a_stale_balance_or_stock(
    volunteer_a, reward, worker
):
    stale_volunteer = type(volunteer_a).objects.get(pk=volunteer_a.pk)
    stale_reward = Reward.objects.get(pk=reward.pk)
    services.points_adjust(volunteer=volunteer_a, points=200, reason="表彰", actor=worker)
    services.redemption_place(volunteer=volunteer_a, reward=reward, idempotency_key="1", actor=None)
    stale_volunteer.availability = "周末"
    services.volunteer_update(volunteer=stale_volunteer, actor=worker)
    stale_reward.points_price = 120
    services.reward_save(reward=stale_reward, actor=worker)
    volunteer_a.refresh_from_db()
    reward.refresh_from_db()
    assert (volunteer_a.points_balance, volunteer_a.availability) == (100, "周末")
    assert (reward.stock, reward.points_price) == (9, 120)


def test_a_shift_with_hours_entered_or_sign_ups_is_not_deleted(
    volunteer_a, volunteer_b, vol_activity, worker
):
    with_hours, with_signup = (
        ShiftFactory(volunteer_activity=vol_activity),
        ShiftFactory(volunteer_activity=vol_activity),
    )
    services.service_record_backfill(
        volunteer=volunteer_a, service_date=timezone.localdate(), minutes=60, description="助老", actor=worker,
        shift=with_hours,
    )  # fmt: skip
    services.signup_create(volunteer=volunteer_b, shift=with_signup, actor=worker, by_worker=True)
    for shift in (with_hours, with_signup):
        with pytest.raises(ValidationError):
            services.shift_delete(shift=shift, actor=worker)
        assert Shift.objects.filter(pk=shift.pk).exists() and not audited(shift, "delete").exists()


def test_a_reward_cannot_name_a_sponsor_of_another_station(station, other_station, head):
    theirs = SponsorFactory(station=other_station)
    with pytest.raises(ValidationError):
        services.reward_save(
            reward=Reward(station=station, sponsor=theirs, name="毛巾", points_price=20), actor=head
        )
    assert not Reward.objects.exists()
