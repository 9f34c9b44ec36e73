"""The rewards shop: points and stock taken at once, once per request, refunds by a new entry."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from tests.helpers import require_postgresql
from volunteers import services
from volunteers.models import Donation, LedgerEntry, Redemption, Reward, Volunteer

from .factories import RewardFactory, SponsorFactory, make_volunteer


@pytest.fixture
def rich_a(volunteer_a, worker):
    services.points_adjust(volunteer=volunteer_a, points=1000, reason="历史积分迁入", actor=worker)
    volunteer_a.refresh_from_db()
    return volunteer_a


def test_redeeming_takes_points_and_stock_and_gives_a_pickup_code(rich_a, reward):
    redemption = services.redemption_place(
        volunteer=rich_a, reward=reward, idempotency_key="a1", actor=rich_a.user
    )
    rich_a.refresh_from_db()
    reward.refresh_from_db()
    assert rich_a.points_balance == 900 and reward.stock == 9
    assert len(redemption.pickup_code) == 8 and redemption.status == "placed"
    assert LedgerEntry.objects.get(redemption=redemption).points == -100


def test_a_double_click_redeems_once(rich_a, reward):
    first = services.redemption_place(
        volunteer=rich_a, reward=reward, idempotency_key="same", actor=rich_a.user
    )
    second = services.redemption_place(
        volunteer=rich_a, reward=reward, idempotency_key="same", actor=rich_a.user
    )
    assert first.pk == second.pk
    rich_a.refresh_from_db()
    assert rich_a.points_balance == 900 and Redemption.objects.count() == 1


@pytest.mark.parametrize(
    "change, message",
    [
        ({"is_active": False}, "不可兑换"),
        ({"active_until": -1}, "不可兑换"),  # days from today, worked out when the test runs, not when
        ({"active_from": 1}, "不可兑换"),  # it is collected (a run may cross midnight in Shanghai)
        ({"stock": 0}, "已兑完"),
        ({"points_price": 5000}, "积分不足"),
    ],
)
def test_a_reward_that_cannot_be_had_is_refused_and_nothing_changes(rich_a, reward, change, message):
    change = {
        k: timezone.localdate() + timedelta(days=v) if k.startswith("active_") else v
        for k, v in change.items()
    }
    Reward.objects.filter(pk=reward.pk).update(**change)
    reward.refresh_from_db()
    with pytest.raises(ValidationError, match=message):
        services.redemption_place(volunteer=rich_a, reward=reward, idempotency_key="x", actor=rich_a.user)
    rich_a.refresh_from_db()
    assert rich_a.points_balance == 1000
    assert Redemption.objects.count() == 0
    assert Reward.objects.get(pk=reward.pk).stock == change.get("stock", 10)


def test_the_per_volunteer_limit_holds(rich_a, reward):
    Reward.objects.filter(pk=reward.pk).update(per_volunteer_limit=1)
    reward.refresh_from_db()
    services.redemption_place(volunteer=rich_a, reward=reward, idempotency_key="1", actor=rich_a.user)
    with pytest.raises(ValidationError, match="上限"):
        services.redemption_place(volunteer=rich_a, reward=reward, idempotency_key="2", actor=rich_a.user)


def test_a_reward_of_another_station_cannot_be_redeemed(rich_a, other_station):
    elsewhere = RewardFactory(station=other_station, stock=3, points_price=10)
    with pytest.raises(ValidationError):
        services.redemption_place(volunteer=rich_a, reward=elsewhere, idempotency_key="x", actor=rich_a.user)


def test_cancelling_refunds_by_a_new_entry_and_returns_the_stock(rich_a, reward, worker):
    redemption = services.redemption_place(
        volunteer=rich_a, reward=reward, idempotency_key="a", actor=rich_a.user
    )
    with pytest.raises(ValidationError):
        services.redemption_cancel(redemption=redemption, reason="", actor=worker)
    services.redemption_cancel(redemption=redemption, reason="商家缺货", actor=worker)
    services.redemption_cancel(redemption=redemption, reason="又点了一次", actor=worker)
    rich_a.refresh_from_db()
    reward.refresh_from_db()
    assert rich_a.points_balance == 1000 and reward.stock == 10
    assert sorted(LedgerEntry.objects.filter(redemption=redemption).values_list("kind", "points")) == [
        ("redeem", -100),
        ("refund", 100),
    ]


def test_fulfilling_needs_the_right_code_and_a_picked_up_reward_cannot_be_cancelled(rich_a, reward, worker):
    redemption = services.redemption_place(
        volunteer=rich_a, reward=reward, idempotency_key="a", actor=rich_a.user
    )
    with pytest.raises(ValidationError, match="取货码"):
        services.redemption_fulfil(redemption=redemption, actor=worker, pickup_code="00000000")
    services.redemption_fulfil_by_code(
        code=redemption.pickup_code, station_ids=[reward.station_id], actor=worker
    )
    redemption.refresh_from_db()
    assert redemption.status == "fulfilled" and redemption.fulfilled_by == worker
    with pytest.raises(ValidationError):
        services.redemption_cancel(redemption=redemption, reason="想退", actor=worker)


def test_a_donation_adds_stock_and_is_recorded(station, reward, worker):
    sponsor = SponsorFactory(station=station, name="鄠邑惠民超市")
    services.donation_record(
        donation=Donation(sponsor=sponsor, reward=reward, description="大米", quantity=20), actor=worker
    )
    reward.refresh_from_db()
    assert reward.stock == 30
    with pytest.raises(ValidationError):
        services.donation_record(
            donation=Donation(sponsor=sponsor, reward=reward, description="大米", quantity=0), actor=worker
        )
    assert Reward.objects.get(pk=reward.pk).stock == 30


def _run_in_threads(n, target):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run(i):
        try:
            barrier.wait()
            results.append(target(i))
        except ValidationError as exc:
            errors.append(exc)
        except Exception as exc:  # noqa: BLE001 - the test reports any other failure
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_redemptions_sell_exactly_the_stock(community_a, station, django_user_model):
    require_postgresql()
    from tests.factories import PersonFactory

    worker = django_user_model.objects.create(username="w-conc", is_staff=True)
    volunteer = make_volunteer(PersonFactory(community=community_a), balance=1000, actor=worker)
    reward = RewardFactory(station=station, points_price=100, stock=5)  # the balance covers 10, the stock 5

    def redeem(i):
        return services.redemption_place(
            volunteer=Volunteer.objects.get(pk=volunteer.pk),
            reward=Reward.objects.get(pk=reward.pk),
            idempotency_key=f"req-{i}",
            actor=None,
        )

    results, errors = _run_in_threads(50, redeem)
    assert len(results) == 5
    assert all(isinstance(e, ValidationError) for e in errors), errors
    volunteer.refresh_from_db()
    reward.refresh_from_db()
    assert reward.stock == 0
    assert volunteer.points_balance == 500
    assert LedgerEntry.objects.filter(volunteer=volunteer).aggregate(s=Sum("points"))["s"] == 500
    assert Redemption.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_redemptions_never_overdraw_the_balance(community_a, station, django_user_model):
    require_postgresql()
    from tests.factories import PersonFactory

    worker = django_user_model.objects.create(username="w-conc2", is_staff=True)
    volunteer = make_volunteer(PersonFactory(community=community_a), balance=1000, actor=worker)
    reward = RewardFactory(station=station, points_price=100, stock=40)  # stock plenty, the balance covers 10

    def redeem(i):
        return services.redemption_place(
            volunteer=Volunteer.objects.get(pk=volunteer.pk),
            reward=Reward.objects.get(pk=reward.pk),
            idempotency_key=f"req-{i % 25}",  # and half the requests are retries
            actor=None,
        )

    results, errors = _run_in_threads(50, redeem)
    assert all(isinstance(e, ValidationError) for e in errors), errors
    volunteer.refresh_from_db()
    reward.refresh_from_db()
    assert Redemption.objects.count() == 10
    assert volunteer.points_balance == 0 and reward.stock == 30
    assert LedgerEntry.objects.filter(volunteer=volunteer).aggregate(s=Sum("points"))["s"] == 0


def test_a_redemption_is_undone_by_cancelling_it_never_by_reversing_its_entry(rich_a, reward, worker):
    """Reversing the redeem entry gave the points back while the reward stayed waiting for pickup;
    cancelling it afterwards refunded the same points a second time."""
    redemption = services.redemption_place(
        volunteer=rich_a, reward=reward, idempotency_key="a", actor=rich_a.user
    )
    entry = LedgerEntry.objects.get(redemption=redemption, kind="redeem")
    with pytest.raises(ValidationError, match="取消这次兑换"):
        services.ledger_reverse(entry=entry, reason="录错了", actor=worker)
    services.redemption_cancel(redemption=redemption, reason="商家缺货", actor=worker)
    refund = LedgerEntry.objects.get(redemption=redemption, kind="refund")
    with pytest.raises(ValidationError, match="取消这次兑换"):
        services.ledger_reverse(entry=refund, reason="录错了", actor=worker)
    rich_a.refresh_from_db()
    assert rich_a.points_balance == 1000
    assert LedgerEntry.objects.filter(kind="reversal").count() == 0


def test_a_pickup_code_typed_with_spaces_or_full_width_digits_is_accepted(rich_a, reward, worker):
    """A merchant types what the phone shows, often through a Chinese input method: ５４６５ ９６６５."""
    redemption = services.redemption_place(volunteer=rich_a, reward=reward, idempotency_key="a", actor=None)
    code = redemption.pickup_code
    typed = " " + "".join(chr(ord(c) + 0xFEE0) for c in code[:4]) + "\u3000" + code[4:] + " "
    services.redemption_fulfil_by_code(code=typed, station_ids=[reward.station_id], actor=worker)
    redemption.refresh_from_db()
    assert redemption.status == "fulfilled"
