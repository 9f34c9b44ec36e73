"""Admin pages cost the same number of queries for one row as for many."""

import re
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import PersonFactory
from volunteers import services
from volunteers.models import Donation

from .factories import RewardFactory, ShiftFactory, SponsorFactory, make_volunteer

PAGES = [
    "volunteer",
    "volunteeractivity",
    "shift",
    "servicerecord",
    "ledgerentry",
    "donation",
    "reward",
    "redemption",
    "certificate",
]


def add_rows(n, *, station, community, vol_activity, shift, worker):
    sponsor = SponsorFactory(station=station)
    for _ in range(n):
        person = PersonFactory(community=community)
        volunteer = make_volunteer(person, actor=worker)
        start = timezone.now() + timedelta(days=30 + ShiftFactory._meta.model.objects.count())
        ShiftFactory(volunteer_activity=vol_activity, starts_at=start, ends_at=start + timedelta(hours=2))
        services.signup_create(volunteer=volunteer, shift=shift, actor=worker, by_worker=True)
        record = services.service_record_backfill(
            volunteer=volunteer, service_date=date(2024, 5, 1), minutes=60, description="助老", actor=worker
        )
        services.service_record_approve(record=record, actor=worker)
        reward = RewardFactory(station=station, sponsor=sponsor, points_price=5)
        services.donation_record(
            donation=Donation(sponsor=sponsor, reward=reward, description="捐赠", quantity=2), actor=worker
        )
        services.redemption_place(volunteer=volunteer, reward=reward, idempotency_key="k", actor=None)
        services.certificate_issue(
            volunteer=volunteer, period_start=date(2024, 1, 1), period_end=date(2024, 12, 31), actor=None
        )


def count_queries(client, urls):
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        counts[url] = len(ctx)
    return counts


def test_admin_lists_and_activity_pages_do_not_grow_with_rows(
    station, community_a, vol_activity, head, worker, as_user
):
    shift = ShiftFactory(volunteer_activity=vol_activity, places=50)
    client = as_user(head)
    urls = [f"/admin/volunteers/{name}/" for name in PAGES] + [
        f"/admin/volunteers/volunteeractivity/{vol_activity.pk}/change/",
        f"/admin/volunteers/shift/{shift.pk}/change/",
        f"/v/staff/shifts/{shift.pk}/",
        "/admin/volunteers/donation/report/",
    ]
    rows = dict(station=station, community=community_a, vol_activity=vol_activity, shift=shift, worker=worker)
    add_rows(1, **rows)
    count_queries(client, urls)  # warm the caches of the first request
    few = count_queries(client, urls)
    add_rows(6, **rows)
    many = count_queries(client, urls)
    assert many == few


def add_own_rows(n, *, volunteer, station, vol_activity, worker):
    for _ in range(n):
        start = timezone.now() + timedelta(days=30 + ShiftFactory._meta.model.objects.count())
        shift = ShiftFactory(
            volunteer_activity=vol_activity, starts_at=start, ends_at=start + timedelta(hours=2)
        )
        services.signup_create(volunteer=volunteer, shift=shift, actor=worker, by_worker=True)
        record = services.service_record_backfill(
            volunteer=volunteer, service_date=date(2024, 5, 1), minutes=60, description="助老", actor=worker
        )
        services.service_record_approve(record=record, actor=worker)
        reward = RewardFactory(station=station, sponsor=SponsorFactory(station=station), points_price=5)
        services.redemption_place(
            volunteer=volunteer, reward=reward, idempotency_key=f"k{reward.pk}", actor=None
        )
        services.certificate_issue(
            volunteer=volunteer, period_start=date(2024, 1, 1), period_end=date(2024, 12, 31), actor=None
        )


def test_the_volunteers_pages_do_not_grow_with_rows(station, volunteer_a, vol_activity, worker):
    from django.test import Client

    client = Client()
    client.force_login(volunteer_a.user)
    urls = [
        "/v/",
        "/v/points/",
        "/v/hours/",
        "/v/activities/",
        "/v/rewards/",
        "/v/redemptions/",
        "/v/certificate/",
    ]
    rows = dict(volunteer=volunteer_a, station=station, vol_activity=vol_activity, worker=worker)
    add_own_rows(1, **rows)
    count_queries(client, urls)
    cache.clear()  # the pages rendered, not the kept ones (station.pagecache)
    few = count_queries(client, urls)
    add_own_rows(6, **rows)
    cache.clear()
    assert count_queries(client, urls) == few


def test_every_path_that_moves_points_costs_a_fixed_number_of_queries_audit_row_included(
    volunteer_a, reward, worker, django_assert_max_num_queries
):
    from volunteers.models import LedgerEntry

    with django_assert_max_num_queries(7):
        services.points_adjust(
            volunteer=volunteer_a, points=500, reason="迁入", actor=worker, request_key="a"
        )
    with django_assert_max_num_queries(11):
        redemption = services.redemption_place(
            volunteer=volunteer_a, reward=reward, idempotency_key="k", actor=None
        )
    with django_assert_max_num_queries(9):
        services.redemption_cancel(redemption=redemption, reason="不要了", actor=worker)
    record = services.service_record_backfill(
        volunteer=volunteer_a, service_date=date(2024, 5, 1), minutes=60, description="助老", actor=worker
    )
    # One more: a back-dated record asks if its month was final; one more: the approved minutes on the
    # volunteer's row (the phone pages read them there).
    with django_assert_max_num_queries(18):
        services.service_record_approve(record=record, actor=worker)
    with django_assert_max_num_queries(10):
        services.ledger_reverse(
            entry=LedgerEntry.objects.get(service_record=record), reason="录错", actor=worker
        )


def older_link(page: str) -> str:
    found = re.search(r'href="(\?before=[^"]+)" data-testid="older"', page)
    assert found, "the page has no link to older entries"
    return "/v/points/" + found.group(1)


@pytest.mark.parametrize("signed_in_by", ["the sign-in page", "a session of before"])
def test_the_phone_pages_cost_a_fixed_few_queries_however_long_the_ledger(
    signed_in_by, station, volunteer_a, vol_activity, worker, reward, django_assert_max_num_queries
):
    """Signed in on the sign-in page: the session, then the user with the volunteer's row (balance, hours,
    name, station, unread reminders) in one query, then the page's own rows; a session started before the
    volunteers' own backend reads her row apart (one more). The same with 40 ledger entries as with 4, and the
    redemption (the service's statements, its transaction's two marks included) a fixed number more."""
    from django.test import Client

    client = Client()
    if signed_in_by == "the sign-in page":
        credentials = {"phone": volunteer_a.person.phone, "password": "Zhang-gui-lan-2024"}
        assert client.post("/v/login/", credentials).status_code == 302
        page, redeem = 3, 12
    else:
        client.force_login(volunteer_a.user, backend="station.permissions.RoleBackend")
        page, redeem = 4, 13
    rows = dict(volunteer=volunteer_a, station=station, vol_activity=vol_activity, worker=worker)
    add_own_rows(1, **rows)
    services.points_adjust(volunteer=volunteer_a, points=500, reason="迁入", actor=worker)
    for n in (1, 10):
        if n > 1:
            for i in range(35):
                services.points_adjust(volunteer=volunteer_a, points=1, reason=f"表彰{i}", actor=worker)
            add_own_rows(n, **rows)
        with django_assert_max_num_queries(page):
            home = client.get("/v/")
        with django_assert_max_num_queries(page):
            points = client.get("/v/points/")
        if n > 1:
            with django_assert_max_num_queries(page):
                older = client.get(older_link(points.content.decode()))
            assert older.status_code == 200
        with django_assert_max_num_queries(redeem):
            redeemed = client.post(f"/v/rewards/{reward.pk}/", {"key": f"tap-{n}"})
        assert home.status_code == points.status_code == 200
        assert redeemed.status_code == 302 and "/v/redemptions/" in redeemed["Location"]
    volunteer_a.refresh_from_db()
    page = client.get("/v/").content.decode()
    assert f'data-testid="balance">{volunteer_a.points_balance}<' in page
    assert 'data-testid="hours">11.0<' in page  # eleven approved hours, read with the volunteer's row
    first = client.get("/v/points/").content.decode()
    assert "表彰34" in first
    assert "表彰0" in client.get(older_link(first)).content.decode()  # the oldest on the second page
