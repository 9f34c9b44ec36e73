"""The demo: eight introduced projects and one designed in-house, partners with money and goods, a contest
with three judges (one declaring a conflict), milestones, an evaluation and tranches; fast."""

from io import StringIO
from random import Random

import pytest
from django.core.management import call_command
from django.test import Client

from projects.demo import seed_projects
from projects.models import (
    Application,
    Assignment,
    Contest,
    Evaluation,
    Judge,
    Milestone,
    Project,
    Resource,
    Tranche,
)
from station.models import Station

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_the_platform_quickly_and_once(django_assert_max_num_queries):
    call_command("seed_demo", people=60, stdout=StringIO())
    station = Station.objects.get()
    projects = Project.objects.filter(station=station)
    assert (
        projects.filter(origin="introduced").count() == 8 and projects.filter(origin="in_house").count() == 1
    )
    assert Resource.objects.filter(kind="money").exists() and Resource.objects.filter(kind="goods").exists()
    assert Milestone.objects.exists() and Evaluation.objects.exists()
    assert Tranche.objects.filter(status="released").exists()
    contest = Contest.objects.get()
    assert Judge.objects.filter(station=station).count() == 3
    assert Assignment.objects.filter(entry__round__contest=contest, conflict="hard").exists()

    # A second run on a station without projects seeds them again, fast.
    Resource.objects.all().delete()
    Application.objects.all().delete()
    Contest.objects.all().delete()
    Project.objects.all().delete()
    # Fast: pinned by its queries (2,158 today), not by a stopwatch that a busy machine trips.
    with django_assert_max_num_queries(2400):
        seed_projects(station, Random(1))
    assert seed_projects(station, Random(1))  # and a third run changes nothing
    assert Project.objects.count() == 9


def test_the_demo_judge_signs_in_and_scores_on_the_phone():
    call_command("seed_demo", people=60, stdout=StringIO())
    client = Client()
    signed_in = client.post("/projects/judge/login/", {"username": "pingwei1", "password": "demo-pass-2026"})
    assert signed_in.status_code == 302
    home = client.get("/projects/judge/")
    assert home.status_code == 200 and "公益创投" in home.content.decode()
