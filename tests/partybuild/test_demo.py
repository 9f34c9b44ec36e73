"""The demo station's party building: the community's 113 members, a few dozen reporting, three resident units
with practice bases, posts, courses, two months of party days, needs met; fast and idempotent."""

import random
import time

from partybuild.demo import seed_partybuild
from partybuild.models import (
    CourseSession,
    MemberReport,
    PartyActivity,
    PartyMember,
    PostHours,
    PracticeBase,
    QuarterlySheet,
    ServicePost,
)
from station.demo import seed_demo
from station.models import Need


def test_the_demo_seeds_the_community_branch_quickly_and_once(db):
    result = seed_demo(people=300, skip={"partybuild", "stats", "cases", "volunteers"})
    station = result["station"]
    started = time.monotonic()
    seed_partybuild(station, random.Random(2020))
    elapsed = time.monotonic() - started
    print(f"partybuild seeder: {elapsed:.2f}s")
    assert elapsed < 5, elapsed

    community = station.communities.order_by("pk").first()
    assert (
        PartyMember.objects.filter(org__name__startswith=community.name).count()
        + PartyMember.objects.filter(org__owner="resident_unit").count()
        == 113
    )
    assert PartyMember.objects.filter(person__community=community).count() >= 60
    reporting = MemberReport.objects.values("member").distinct().count()
    assert 24 <= reporting <= 48
    assert MemberReport.objects.filter(status="active").count() >= 20
    assert MemberReport.objects.filter(status="lapsed").count() == 2
    assert PracticeBase.objects.filter(station=station, unit__resident_unit=True).count() == 3
    assert ServicePost.objects.count() == 6 and PostHours.objects.exists()
    assert CourseSession.objects.count() == 6
    months = {pa.activity.starts_at.month for pa in PartyActivity.objects.select_related("activity")}
    assert len(months) == 2
    assert Need.objects.filter(status="met", taker_type__model="partymember").count() == 4
    assert QuarterlySheet.objects.exists()

    seed_partybuild(station, random.Random(2020))
    assert PartyMember.objects.count() == 113


def test_a_small_demo_station_makes_every_adult_a_member_and_no_new_people(db):
    from station.models import Person

    station = seed_demo(people=60, skip={"partybuild", "stats"})["station"]
    people = Person.objects.count()
    seed_partybuild(station, random.Random(2020))
    assert Person.objects.count() == people
    assert 0 < PartyMember.objects.count() < 113
