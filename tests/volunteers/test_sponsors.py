"""Sponsors of the rewards shop are units of the core's partner units directory: one list of companies and
merchants for every platform, with the volunteers admin reading a sponsor's donations from it."""

from volunteers import services
from volunteers.models import Donation

from .factories import RewardFactory, SponsorFactory


def test_the_donor_report_opens_a_sponsors_unit_and_its_donations(station, reward, worker, head, as_user):
    sponsor = SponsorFactory(station=station, name="惠民超市")
    other = SponsorFactory(station=station, name="高桥理发店")
    for who, what in ((sponsor, "大米"), (sponsor, "食用油"), (other, "理发券")):
        services.donation_record(
            donation=Donation(sponsor=who, reward=reward, description=what, quantity=2), actor=worker
        )
    client = as_user(head)
    page = client.get("/admin/volunteers/donation/report/").content.decode()
    assert f'href="/admin/station/partnerunit/{sponsor.pk}/change/"' in page
    link = f"/admin/volunteers/donation/?sponsor__id__exact={sponsor.pk}"
    assert f'href="{link}">2</a>' in page
    listed = client.get(link).content.decode()
    assert "大米" in listed and "食用油" in listed and "理发券" not in listed


def test_a_unit_that_never_sponsored_is_not_in_the_donor_report(station, head, as_user):
    SponsorFactory(station=station, name="高桥中学", kind="school")
    RewardFactory(station=station, sponsor=SponsorFactory(station=station, name="惠民超市"))
    page = as_user(head).get("/admin/volunteers/donation/report/").content.decode()
    assert "惠民超市" in page and "高桥中学" not in page


def test_a_donation_names_a_unit_of_the_directory_of_the_workers_own_station(
    station, other_station, reward, worker, as_user
):
    theirs = SponsorFactory(station=other_station, name="外站商家")
    ours = SponsorFactory(station=station, name="本站商家")
    client = as_user(worker)
    base = {"donated_on": "2024-05-01", "description": "大米", "reward": reward.pk, "quantity": "3"}
    refused = client.post("/admin/volunteers/donation/add/", {**base, "sponsor": theirs.pk})
    assert refused.status_code == 200 and "errornote" in refused.content.decode()
    assert not Donation.objects.exists()
    assert client.post("/admin/volunteers/donation/add/", {**base, "sponsor": ours.pk}).status_code == 302
    assert Donation.objects.get().sponsor == ours


def test_the_volunteers_admin_has_no_second_list_of_sponsors(head, as_user):
    client = as_user(head)
    assert client.get("/admin/volunteers/sponsor/").status_code == 404
    assert client.get("/admin/station/partnerunit/").status_code == 200


def test_the_demo_shop_uses_a_unit_the_directory_already_lists(station, worker):
    import random

    from station.models import PartnerUnit
    from station.services import partner_unit_save
    from tests.factories import PersonFactory
    from volunteers.demo import seed_volunteering

    community = station.communities.create(name="丰京苑社区")
    for i in range(10):
        PersonFactory(community=community, phone=f"1390000{i:04d}")
    listed = partner_unit_save(
        unit=PartnerUnit(station=station, name="高桥理发店", kind="merchant", resident_unit=True),
        actor=worker,
    )
    seed_volunteering(station, random.Random(1))
    assert PartnerUnit.objects.filter(station=station, name="高桥理发店").count() == 1
    assert listed.shop_rewards.get().name == "理发一次"
