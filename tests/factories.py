"""Factories for the station core. Platform apps add theirs in tests/<app>/factories.py."""

import itertools
from datetime import date, timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from station import idnumbers
from station.models import Activity, Community, Designation, Person, StaffProfile, Station

_seq = itertools.count(1)


def valid_id_number(born: date, region: str = "610125") -> str:
    return idnumbers.make_id_number(region, born, next(_seq))


class StationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Station

    name = factory.Sequence(lambda n: f"测试街道社会工作服务站{n}")
    street = factory.Sequence(lambda n: f"测试街道{n}")
    district = "鄠邑区"
    opened_on = date(2021, 1, 1)


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    station = factory.SubFactory(StationFactory)
    name = factory.Sequence(lambda n: f"测试社区{n}")
    population = 1000
    households = 400


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"居民{n}")
    gender = Person.Gender.FEMALE
    birth_date = date(1960, 5, 20)
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    community = factory.SubFactory(CommunityFactory)
    residency = Person.Residency.RESETTLED
    id_number = factory.LazyAttribute(lambda p: valid_id_number(p.birth_date) if p.birth_date else "")


class DesignationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Designation

    person = factory.SubFactory(PersonFactory)
    kind = Designation.Kind.LOW_INCOME
    start_date = date(2024, 1, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory)
    role = StaffProfile.Role.SOCIAL_WORKER
    station = factory.SubFactory(StationFactory)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    station = factory.SubFactory(StationFactory)
    platform = Activity.Platform.STATION
    title = factory.Sequence(lambda n: f"活动{n}")
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0))
    ends_at = factory.LazyAttribute(lambda a: a.starts_at + timedelta(hours=2))


def make_staff(role, station=None, communities=(), district="", username=None, **user_kwargs):
    user = UserFactory(**({"username": username} if username else {}), **user_kwargs)
    profile = StaffProfile.objects.create(user=user, role=role, station=station, district=district)
    if communities:
        profile.communities.set(communities)
    return user
