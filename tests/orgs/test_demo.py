"""The demo: the seed's three organisations at different stages, quickly, and only once."""

import random

from django.contrib.auth import get_user_model

from orgs import selectors
from orgs.demo import seed_orgs
from orgs.models import CommunityOrg, NeedsSurvey, OrgActivity
from station.demo import seed_demo


def test_seed_demo_adds_three_organisations_at_different_stages_quickly_and_once(
    db, django_assert_max_num_queries
):
    station = seed_demo(people=80, skip={"orgs", "stats"})["station"]
    # Quickly: pinned by its queries (1,257 today), not by a stopwatch that a busy machine trips.
    with django_assert_max_num_queries(1400):
        seed_orgs(station, random.Random(2020))
    orgs = {o.name: o for o in CommunityOrg.objects.filter(station=station).select_related("stage")}
    assert len(orgs) == 3
    graduated = orgs["丰京苑志愿服务队"]
    assert graduated.incubation == "graduated" and graduated.tier == "filed" and graduated.filing_number
    assert orgs["丰京苑居民议事会"].stage.name == "团队提升"
    assert orgs["丰京苑秦腔戏曲队"].stage.name == "培育领袖"
    assert NeedsSurvey.objects.count() == 4
    assert OrgActivity.objects.filter(kind="training").count() == 2
    assert OrgActivity.objects.filter(kind="service", role="provider").count() >= 5
    worker = get_user_model().objects.get(username="shegong")
    assert selectors.leaders_from_volunteers_count(worker) >= 1
    assert all(o.memberships.filter(role="leader").exists() for o in orgs.values())

    seed_orgs(station, random.Random(1))  # already there: nothing added
    assert CommunityOrg.objects.count() == 3
