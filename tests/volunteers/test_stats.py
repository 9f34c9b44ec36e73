"""The platform's monthly figures per community."""

from datetime import date

from django.utils import timezone

from stats.registry import all_metrics, month_period
from volunteers import services


def test_the_month_figures_count_hours_people_points_and_redemptions(
    station, community_a, community_b, volunteer_a, volunteer_b, worker, reward
):
    for volunteer, minutes in ((volunteer_a, 120), (volunteer_a, 60), (volunteer_b, 90)):
        record = services.service_record_backfill(
            volunteer=volunteer,
            service_date=date(2024, 5, 3),
            minutes=minutes,
            description="助老",
            actor=worker,
        )
        services.service_record_approve(record=record, actor=worker)
    declined = services.service_record_backfill(
        volunteer=volunteer_b, service_date=date(2024, 5, 4), minutes=60, description="x", actor=worker
    )
    services.service_record_decline(record=declined, reason="未到场", actor=worker)
    services.points_adjust(volunteer=volunteer_a, points=40, reason="表彰", actor=worker)
    services.redemption_place(volunteer=volunteer_a, reward=reward, idempotency_key="k", actor=None)

    metrics = {m.name: m for m in all_metrics() if m.name.startswith("volunteers.")}
    assert len(metrics) == 7
    may = month_period(station, 2024, 5)
    assert metrics["volunteers.active_volunteers"].compute(may) == {community_a.pk: 1, community_b.pk: 1}
    assert metrics["volunteers.approved_hours"].compute(may) == {community_a.pk: 3.0, community_b.pk: 1.5}
    assert metrics["volunteers.service_person_times"].compute(may) == {community_a.pk: 2, community_b.pk: 1}

    today = timezone.localdate()
    this_month = month_period(station, today.year, today.month)
    # Both are 63/64 on the day of service: double points. A: 3h → 60, B: 1.5h → 30.
    assert metrics["volunteers.points_earned"].compute(this_month) == {community_a.pk: 60, community_b.pk: 30}
    assert metrics["volunteers.points_redeemed"].compute(this_month) == {community_a.pk: 100}
    assert metrics["volunteers.redemptions"].compute(this_month) == {community_a.pk: 1}
    assert metrics["volunteers.new_volunteers"].compute(this_month) == {community_a.pk: 1, community_b.pk: 1}
