"""Double points: low-age elderly (60–69 on the day) or in difficulty on the day of service earn double."""

from datetime import date

import pytest

from station.models import Designation
from tests.factories import DesignationFactory, PersonFactory
from volunteers import services
from volunteers.models import LedgerEntry

from .factories import make_volunteer


def earned_for(volunteer, day, worker, minutes=120):
    record = services.service_record_backfill(
        volunteer=volunteer, service_date=day, minutes=minutes, description="敬老院陪伴", actor=worker
    )
    services.service_record_approve(record=record, actor=worker)
    return LedgerEntry.objects.get(service_record=record, kind=LedgerEntry.Kind.EARN)


@pytest.mark.parametrize(
    "day, points, words",
    [
        (date(2024, 6, 14), 20, None),  # the day before the 60th birthday: 59
        (date(2024, 6, 15), 40, "服务当日60岁，低龄老人双倍积分"),  # the 60th birthday
        (date(2024, 6, 16), 40, "服务当日60岁，低龄老人双倍积分"),
    ],
)
def test_double_points_start_on_the_sixtieth_birthday(community_a, worker, day, points, words):
    person = PersonFactory(community=community_a, birth_date=date(1964, 6, 15))
    volunteer = make_volunteer(person)
    entry = earned_for(volunteer, day, worker)
    assert entry.points == points
    assert entry.rule["multiplier"] == points // 20
    if words:
        assert words in entry.reason
    else:
        assert "双倍" not in entry.reason


@pytest.mark.parametrize(
    "day, points",
    [
        (date(2024, 6, 14), 40),  # the last day aged 69
        (date(2024, 6, 15), 20),  # the 70th birthday: no longer low-age elderly
    ],
)
def test_double_points_end_on_the_seventieth_birthday(community_a, worker, day, points):
    person = PersonFactory(community=community_a, birth_date=date(1954, 6, 15))
    volunteer = make_volunteer(person)
    assert earned_for(volunteer, day, worker).points == points


@pytest.mark.parametrize(
    "day, points",
    [
        (date(2024, 2, 29), 20),  # before the low-income designation starts
        (date(2024, 3, 1), 40),  # its first day
        (date(2024, 3, 31), 40),  # its last day
        (date(2024, 4, 1), 20),  # the day after it ended
    ],
)
def test_double_points_follow_the_difficulty_designation_day_by_day(community_a, worker, day, points):
    person = PersonFactory(community=community_a, birth_date=date(1990, 1, 1))
    DesignationFactory(
        person=person,
        kind=Designation.Kind.LOW_INCOME,
        start_date=date(2024, 3, 1),
        end_date=date(2024, 3, 31),
    )
    volunteer = make_volunteer(person)
    entry = earned_for(volunteer, day, worker)
    assert entry.points == points
    if points == 40:
        assert "服务当日属困境人群" in entry.reason


def test_a_designation_not_counted_as_difficulty_earns_single(community_a, worker):
    person = PersonFactory(community=community_a, birth_date=date(1990, 1, 1))
    DesignationFactory(person=person, kind=Designation.Kind.EMPTY_NEST, start_date=date(2024, 1, 1))
    assert earned_for(make_volunteer(person), date(2024, 5, 1), worker).points == 20


def test_both_reasons_do_not_stack_by_default(community_a, worker):
    person = PersonFactory(community=community_a, birth_date=date(1960, 1, 1))
    DesignationFactory(person=person, kind=Designation.Kind.DISABLED, start_date=date(2020, 1, 1))
    entry = earned_for(make_volunteer(person), date(2024, 5, 1), worker)
    assert entry.points == 40
    assert len(entry.rule["why"]) == 2


def test_both_reasons_stack_when_the_setting_says_so(community_a, worker, settings):
    settings.VOLUNTEER_MULTIPLIERS_STACK = True
    person = PersonFactory(community=community_a, birth_date=date(1960, 1, 1))
    DesignationFactory(person=person, kind=Designation.Kind.DISABLED, start_date=date(2020, 1, 1))
    assert earned_for(make_volunteer(person), date(2024, 5, 1), worker).points == 80


def test_points_follow_the_hourly_rate_setting(community_a, worker, settings):
    settings.VOLUNTEER_POINTS_PER_HOUR = 12
    person = PersonFactory(community=community_a, birth_date=date(1990, 1, 1))
    entry = earned_for(make_volunteer(person), date(2024, 5, 1), worker, minutes=90)
    assert entry.points == 18
    assert "1.5小时" in entry.reason
