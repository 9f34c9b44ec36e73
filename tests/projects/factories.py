"""Factories for the project platform, built on the core's."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from projects.models import Contest, ContestRound, Milestone, PrizeTier, Project
from station.models import PartnerUnit, Rubric, RubricCriterion
from tests.factories import StationFactory


class PartnerUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerUnit

    station = factory.SubFactory(StationFactory)
    name = factory.Sequence(lambda n: f"爱心单位{n}")
    kind = PartnerUnit.Kind.ENTERPRISE


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    station = factory.SubFactory(StationFactory)
    title = factory.Sequence(lambda n: f"公益项目{n}")
    origin = Project.Origin.IN_HOUSE
    category = "elderly"
    status = Project.Status.RUNNING
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=60))

    @factory.post_generation
    def community(self, create, extracted, **kwargs):
        """``community=c``: a project serving one community (the shape most tests need)."""
        if create and extracted is not None:
            self.communities.add(extracted)

    @factory.post_generation
    def communities(self, create, extracted, **kwargs):
        if create and extracted:
            self.communities.add(*extracted)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"里程碑{n}")
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=10))


def make_rubric(
    station=None, purpose=Rubric.Purpose.CONTEST, criteria=(("方案", 50), ("预算", 50)), template=True
):
    rubric = Rubric.objects.create(
        station=station, name=f"评分表{Rubric.objects.count() + 1}", purpose=purpose, is_template=template
    )
    for order, (label, top) in enumerate(criteria):
        RubricCriterion.objects.create(rubric=rubric, label=label, max_score=Decimal(top), order=order)
    return rubric


class ContestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contest

    station = factory.SubFactory(StationFactory)
    title = factory.Sequence(lambda n: f"公益创投大赛{n}")
    budget = Decimal("100000")


class ContestRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContestRound

    contest = factory.SubFactory(ContestFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = "初审"


class PrizeTierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrizeTier

    contest = factory.SubFactory(ContestFactory)
    order = factory.Sequence(lambda n: n + 1)
    name = "一等奖"
    places = 1
    amount = Decimal("30000")
