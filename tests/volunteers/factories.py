"""Factories for the volunteer platform, on top of tests/factories.py."""

from datetime import timedelta

import factory
from django.utils import timezone

from station.models import Activity, PartnerUnit
from tests.factories import ActivityFactory, StationFactory
from volunteers import services
from volunteers.models import Reward, Shift, VolunteerActivity


def make_volunteer(person, password="Volunteer-pass-123", balance=0, actor=None, **kwargs):
    volunteer = services.volunteer_register(person=person, actor=actor, password=password, **kwargs)
    if balance:
        from django.contrib.auth import get_user_model

        worker = actor or get_user_model().objects.filter(is_staff=True).first()
        if worker is None:
            worker = get_user_model().objects.create(username=f"seed-{person.pk}", is_staff=True)
        services.points_adjust(volunteer=volunteer, points=balance, reason="初始积分", actor=worker)
        volunteer.refresh_from_db()
    return volunteer


class VolunteerActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VolunteerActivity

    activity = factory.SubFactory(
        ActivityFactory,
        platform=Activity.Platform.VOLUNTEERS,
        title=factory.Sequence(lambda n: f"敬老院陪伴{n}"),
    )
    description = "陪老人聊天、读报"


class ShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shift

    volunteer_activity = factory.SubFactory(VolunteerActivityFactory)
    starts_at = factory.LazyFunction(lambda: (timezone.now() + timedelta(days=1)).replace(microsecond=0))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + timedelta(hours=2))
    place = "社区活动中心"
    places = 5


class SponsorFactory(factory.django.DjangoModelFactory):
    """A sponsor of the rewards shop: a unit of the core's partner units directory."""

    class Meta:
        model = PartnerUnit

    station = factory.SubFactory(StationFactory)
    name = factory.Sequence(lambda n: f"爱心超市{n}")
    kind = PartnerUnit.Kind.MERCHANT


class RewardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reward

    station = factory.SubFactory(StationFactory)
    name = factory.Sequence(lambda n: f"礼品{n}")
    points_price = 50
    stock = 5

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        stock = kwargs.pop("stock", 0)
        reward = super()._create(model_class, *args, **kwargs)
        if stock:
            Reward.objects.filter(pk=reward.pk).update(stock=stock)
            reward.stock = stock
        return reward
