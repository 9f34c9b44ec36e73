"""The rewards shop's sponsors move into the core's partner units directory without losing a row.

The database is taken back to the migration before the move, filled through the old models (sponsors,
rewards, donations, redemptions), and migrated forward; every row is then checked against what was written.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("volunteers", "0005_shift_at_most_a_day"), ("station", "0007_households_partner_units_rubrics")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor


def _to_latest():
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def old_apps(transactional_db):
    executor = _migrate(BEFORE[:1])
    try:
        yield executor.loader.project_state(BEFORE).apps
    finally:
        _to_latest()


def sponsors_ids(Sponsor):
    return set(Sponsor.objects.values_list("pk", flat=True))


def _seed(apps):
    """Two stations; sponsors with rewards and donations; two partner units already in the directory: one
    with the same name as a sponsor of its station (merges), one holding the id a sponsor has (moves)."""
    Station = apps.get_model("station", "Station")
    PartnerUnit = apps.get_model("station", "PartnerUnit")
    Sponsor = apps.get_model("volunteers", "Sponsor")
    Reward = apps.get_model("volunteers", "Reward")
    Donation = apps.get_model("volunteers", "Donation")

    ours = Station.objects.create(name="高桥街道社会工作服务站", street="高桥街道", district="鄠邑区")
    theirs = Station.objects.create(name="另一个街道社会工作服务站", street="别处街道", district="长安区")
    supermarket = Sponsor.objects.create(
        station=ours, name="丰京苑便民超市", kind="merchant", contact_person="店长", phone="13900000001",
        address="丰京苑1号", note="每月捐米",
    )  # fmt: skip
    barber = Sponsor.objects.create(station=ours, name="高桥理发店", kind="merchant", phone="13900000002")
    company = Sponsor.objects.create(station=ours, name="沣东爱心企业联合会", kind="enterprise")
    elsewhere = Sponsor.objects.create(station=theirs, name="高桥理发店", kind="individual", note="外站")
    silent = Sponsor.objects.create(station=theirs, name="只登记未捐赠", kind="organisation")

    # Already in the directory: the barber's name in our station (a clash: the sponsor merges into it) ...
    listed = PartnerUnit.objects.create(
        pk=1000,
        station=ours,
        name="高桥理发店",
        kind="enterprise",
        contact_person="王师傅",
        resident_unit=True,
    )
    # ... and a school holding the id the company sponsor has (the sponsor gets a unit with a new id).
    PartnerUnit.objects.filter(pk=company.pk).delete()
    school = PartnerUnit.objects.create(pk=company.pk, station=ours, name="高桥中学", kind="school")
    assert listed.pk not in sponsors_ids(Sponsor) and school.pk == company.pk

    rewards = {
        "rice": Reward.objects.create(station=ours, sponsor=supermarket, name="大米5斤", points_price=80, stock=20),
        "haircut": Reward.objects.create(station=ours, sponsor=barber, name="理发一次", points_price=50, stock=3),
        "cup": Reward.objects.create(station=ours, sponsor=company, name="保温水杯", points_price=150, stock=15),
        "far": Reward.objects.create(station=theirs, sponsor=elsewhere, name="外站理发", points_price=40, stock=1),
        "nobody": Reward.objects.create(station=ours, sponsor=None, name="站里自购", points_price=10, stock=9),
    }  # fmt: skip
    donations = [
        Donation.objects.create(sponsor=supermarket, reward=rewards["rice"], description="大米", quantity=20,
                                value=Decimal("600.00"), donated_on=date(2025, 3, 1)),
        Donation.objects.create(sponsor=barber, reward=rewards["haircut"], description="理发券", quantity=3,
                                donated_on=date(2025, 4, 2)),
        Donation.objects.create(sponsor=company, reward=rewards["cup"], description="水杯", quantity=15,
                                value=Decimal("1500.50"), donated_on=date(2025, 5, 3)),
        Donation.objects.create(sponsor=company, reward=None, description="现金", quantity=0,
                                value=Decimal("2000.00"), donated_on=date(2025, 6, 4)),
        Donation.objects.create(sponsor=elsewhere, reward=rewards["far"], description="理发券", quantity=1,
                                donated_on=date(2025, 7, 5)),
    ]  # fmt: skip
    sponsors = {s.pk: s for s in (supermarket, barber, company, elsewhere, silent)}
    return sponsors, rewards, donations, listed, school


def _snapshot_rewards(rewards):
    return {
        r.pk: (r.station_id, r.name, r.points_price, r.stock, r.sponsor_id and r.sponsor.name)
        for r in rewards
    }


def _snapshot_donations(donations):
    return {
        d.pk: (
            d.sponsor.name,
            d.sponsor.station_id,
            d.reward_id,
            d.description,
            d.quantity,
            d.value,
            d.donated_on,
        )
        for d in donations
    }


def test_the_sponsor_migration_keeps_every_sponsor_donation_and_reward(old_apps):
    sponsors, rewards, donations, listed, school = _seed(old_apps)
    reward_rows = _snapshot_rewards(rewards.values())
    donation_rows = _snapshot_donations(donations)

    _to_latest()

    from station.models import PartnerUnit
    from volunteers.models import Donation, Reward

    # Every reward and donation is there, with the same values and a sponsor of the same name and station.
    assert _snapshot_rewards(Reward.objects.select_related("sponsor")) == reward_rows
    assert _snapshot_donations(Donation.objects.select_related("sponsor")) == donation_rows

    # Every sponsor is a unit of its station, with its details; those that could keep their id kept it.
    supermarket, barber, company, elsewhere, silent = sponsors.values()
    for sponsor in (supermarket, elsewhere, silent):
        unit = PartnerUnit.objects.get(pk=sponsor.pk)
        assert (unit.station_id, unit.name, unit.kind) == (sponsor.station_id, sponsor.name, sponsor.kind)
        assert (unit.contact_person, unit.phone, unit.address, unit.note) == (
            sponsor.contact_person, sponsor.phone, sponsor.address, sponsor.note,
        )  # fmt: skip
        assert unit.resident_unit is False
    assert set(
        Reward.objects.get(name="大米5斤").sponsor.shop_donations.values_list("description", flat=True)
    ) == {"大米"}

    # The clash: the barber merged into the unit already listed under its name; the unit keeps its own
    # values and takes the phone it lacked. The other station's barber is a unit of its own.
    listed_now = PartnerUnit.objects.get(pk=listed.pk)
    assert (listed_now.kind, listed_now.contact_person, listed_now.resident_unit) == (
        "enterprise",
        "王师傅",
        True,
    )
    assert listed_now.phone == "13900000002"
    assert Reward.objects.get(name="理发一次").sponsor_id == listed.pk
    assert Donation.objects.get(description="理发券", reward__name="理发一次").sponsor_id == listed.pk
    assert Reward.objects.get(name="外站理发").sponsor_id == elsewhere.pk
    assert PartnerUnit.objects.filter(name="高桥理发店").count() == 2

    # The id taken by the school: the school is untouched, the company is a new unit with both donations.
    assert PartnerUnit.objects.get(pk=school.pk).name == "高桥中学"
    unit = PartnerUnit.objects.get(name="沣东爱心企业联合会")
    assert unit.pk != company.pk and unit.kind == "enterprise"
    assert set(unit.shop_donations.values_list("description", flat=True)) == {"水杯", "现金"}
    assert list(unit.shop_rewards.values_list("name", flat=True)) == ["保温水杯"]

    # One unit per sponsor, merged ones aside; the school and the listed barber were there before.
    assert PartnerUnit.objects.count() == len(sponsors) - 1 + 2

    # A unit added afterwards gets a fresh id (PostgreSQL's sequence moved past the copied ids).
    from station.models import Station

    fresh = PartnerUnit.objects.create(station=Station.objects.first(), name="新加入的爱心商家")
    assert fresh.pk > max(PartnerUnit.objects.exclude(pk=fresh.pk).values_list("pk", flat=True))


def test_the_sponsor_migration_goes_back_with_every_row(old_apps):
    sponsors, rewards, donations, listed, school = _seed(old_apps)
    reward_rows = _snapshot_rewards(rewards.values())
    donation_rows = _snapshot_donations(donations)
    _to_latest()

    executor = _migrate(BEFORE[:1])
    apps = executor.loader.project_state(BEFORE).apps
    Reward = apps.get_model("volunteers", "Reward")
    Donation = apps.get_model("volunteers", "Donation")
    assert _snapshot_rewards(Reward.objects.select_related("sponsor")) == reward_rows
    assert _snapshot_donations(Donation.objects.select_related("sponsor")) == donation_rows
