from datetime import date

import pytest

from ..factories import DesignationFactory, PersonFactory


@pytest.fixture
def born_1960(community_a):
    return PersonFactory(community=community_a, birth_date=date(1960, 6, 15))


@pytest.mark.parametrize(
    "day, expected",
    [
        (date(2020, 6, 14), False),  # the day before the 60th birthday
        (date(2020, 6, 15), True),  # the 60th birthday
        (date(2020, 6, 16), True),
        (date(2030, 6, 14), True),  # the day before the 70th birthday: still 69
        (date(2030, 6, 15), False),  # the 70th birthday
        (date(2030, 6, 16), False),
    ],
)
def test_low_age_elderly_around_the_birthdays(born_1960, day, expected):
    assert born_1960.is_low_age_elderly_on(day) is expected


def test_low_age_range_is_a_setting(born_1960, settings):
    settings.LOW_AGE_ELDERLY_AGES = (55, 64)
    assert born_1960.is_low_age_elderly_on(date(2016, 1, 1))


def test_in_difficulty_only_inside_the_designation(person_a):
    DesignationFactory(
        person=person_a, kind="low_income", start_date=date(2024, 3, 1), end_date=date(2024, 8, 31)
    )
    assert not person_a.is_in_difficulty_on(date(2024, 2, 29))
    assert person_a.is_in_difficulty_on(date(2024, 3, 1))
    assert person_a.is_in_difficulty_on(date(2024, 8, 31))
    assert not person_a.is_in_difficulty_on(date(2024, 9, 1))


def test_open_ended_designation_counts_from_its_start(person_a):
    DesignationFactory(person=person_a, kind="extreme_poverty", start_date=date(2025, 1, 1))
    assert person_a.is_in_difficulty_on(date(2026, 11, 1))
    assert not person_a.is_in_difficulty_on(date(2024, 12, 31))


def test_which_designations_count_is_a_setting(person_a, settings):
    DesignationFactory(person=person_a, kind="empty_nest", start_date=date(2025, 1, 1))
    assert not person_a.is_in_difficulty_on(date(2025, 6, 1))
    settings.DIFFICULTY_DESIGNATIONS = ["empty_nest"]
    assert person_a.is_in_difficulty_on(date(2025, 6, 1))


def test_designation_cannot_end_before_it_starts(person_a):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        DesignationFactory(person=person_a, start_date=date(2025, 5, 1), end_date=date(2025, 4, 1))


def test_years_before_a_leap_day_falls_on_28_february():
    from station.models import years_before

    assert years_before(date(2024, 2, 29), 1) == date(2023, 2, 28)
    assert years_before(date(2024, 2, 29), 4) == date(2020, 2, 29)


def test_age_band_filter_lists_people_by_age_today(head, community_a, as_user):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    from station.models import years_before

    sixty_today = PersonFactory(community=community_a, name="刚满六十", birth_date=years_before(today, 60))
    almost_sixty = PersonFactory(
        community=community_a, name="差一天六十", birth_date=years_before(today, 60) + timedelta(days=1)
    )
    body = as_user(head).get("/admin/station/person/", {"age": "60-69"}).content.decode()
    assert sixty_today.name in body and almost_sixty.name not in body
