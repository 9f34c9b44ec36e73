"""Personas and helpers of the volunteer platform's tests."""

from datetime import timedelta

import pytest
from django.utils import timezone

from .factories import RewardFactory, ShiftFactory, VolunteerActivityFactory, make_volunteer


@pytest.fixture
def volunteer_a(person_a):
    """张桂兰 of community A, signs in with her phone number."""
    return make_volunteer(person_a, password="Zhang-gui-lan-2024")


@pytest.fixture
def volunteer_b(person_b):
    return make_volunteer(person_b, password="Li-jian-guo-2024")


@pytest.fixture
def other_volunteer(other_person):
    return make_volunteer(other_person, password="Wang-wai-zhan-2024")


@pytest.fixture
def vol_activity(station, community_a):
    return VolunteerActivityFactory(activity__station=station, activity__community=community_a)


@pytest.fixture
def shift(vol_activity):
    start = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    return ShiftFactory(volunteer_activity=vol_activity, starts_at=start, ends_at=start + timedelta(hours=3))


@pytest.fixture
def reward(station):
    return RewardFactory(station=station, name="大米5斤", points_price=100, stock=10)
