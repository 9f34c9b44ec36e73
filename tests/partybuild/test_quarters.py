"""The quarters the report back to the unit is counted by live with the core's months and periods."""

from datetime import date

from station.periods import previous_quarter, quarter_bounds, quarter_of


def test_the_last_quarter_of_a_year_ends_on_new_years_day():
    assert quarter_bounds(2025, 4) == (date(2025, 10, 1), date(2026, 1, 1))
    assert quarter_bounds(2025, 1) == (date(2025, 1, 1), date(2025, 4, 1))


def test_the_quarter_before_january_is_the_fourth_of_the_year_before():
    assert previous_quarter(date(2026, 1, 1)) == (2025, 4)
    assert previous_quarter(date(2025, 7, 1)) == (2025, 2)
    assert quarter_of(date(2025, 12, 31)) == (2025, 4)
