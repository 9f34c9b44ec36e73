import random
from datetime import date

from cases.demo import seed_casework
from cases.models import Case, Group, Visit, WatchEntry
from station.models import Need
from tests.factories import DesignationFactory, PersonFactory


def test_demo_casework_fills_every_stage_once(station, community_a, worker, supervisor):
    for i in range(12):
        DesignationFactory(person=PersonFactory(community=community_a), kind="living_alone_elderly",
                           start_date=date(2024, 1, 1 + i))  # fmt: skip
    seed_casework(station, random.Random(1))
    assert WatchEntry.objects.count() == 12
    assert Visit.objects.filter(kind="phone").exists() and Visit.objects.filter(kind="home").exists()
    assert set(Case.objects.values_list("stage", flat=True)) == {
        "intake", "assessment", "plan", "intervention", "review", "closed"
    }  # fmt: skip
    assert Group.objects.count() == 2 and Need.objects.filter(status="met").exists()
    visits = Visit.objects.count()
    seed_casework(station, random.Random(1))
    assert Visit.objects.count() == visits
