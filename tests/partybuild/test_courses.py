"""Two-way courses: study hours (学时) are 8 a full day, 4 half a day, otherwise 1 an hour, and count in the
calendar year of each session's date, so a course across the year's end splits by year."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from partybuild import selectors, services
from partybuild.models import CourseSession

from .factories import CourseFactory, make_member

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h, minute=0):
    return datetime(y, m, d, h, minute, tzinfo=SHANGHAI)


def session(course, starts, ends, length, worker):
    return services.course_session_save(
        session=CourseSession(course=course, starts_at=starts, ends_at=ends, length=length), actor=worker
    )


def test_study_hours_across_a_course_that_spans_the_years_end_split_by_year(person_a, station, worker):
    make_member(person_a, worker)
    course = CourseFactory(station=station, title="党员社工课：如何入户走访")
    sessions = [
        session(course, at(2025, 12, 30, 9), at(2025, 12, 30, 17), "full_day", worker),
        session(course, at(2025, 12, 31, 19), at(2025, 12, 31, 21, 30), "hours", worker),  # 2.5 hours
        session(
            course, at(2026, 1, 1, 0, 30), at(2026, 1, 1, 3), "hours", worker
        ),  # 00:30 Shanghai is 2025 in UTC
        session(course, at(2026, 1, 3, 9), at(2026, 1, 3, 12), "half_day", worker),
    ]
    for s in sessions:
        services.course_attend(session=s, people=[person_a], actor=worker)

    assert [s.study_hours for s in sessions] == [Decimal("8"), Decimal("2.5"), Decimal("2.5"), Decimal("4")]
    assert selectors.study_hours_by_year(person_a) == {2025: Decimal("10.5"), 2026: Decimal("6.5")}


def test_the_study_hours_rule_is_a_setting(station, worker, settings):
    settings.PARTYBUILD_STUDY_HOURS = {"full_day": 6, "half_day": 3, "per_hour": 1}
    course = CourseFactory(station=station)
    assert session(course, at(2026, 3, 2, 9), at(2026, 3, 2, 17), "full_day", worker).study_hours == 6


def test_a_session_ending_before_it_starts_is_refused(station, worker):
    course = CourseFactory(station=station)
    with pytest.raises(Exception, match="结束时间须晚于开始时间"):
        session(course, at(2026, 3, 2, 9), at(2026, 3, 2, 8), "hours", worker)
    assert CourseSession.objects.count() == 0


def test_attending_twice_counts_once(person_a, station, worker):
    course = CourseFactory(station=station)
    s = session(course, at(2026, 3, 2, 9), at(2026, 3, 2, 11), "hours", worker)
    assert services.course_attend(session=s, people=[person_a], actor=worker) == 1
    assert services.course_attend(session=s, people=[person_a], actor=worker) == 0
    assert selectors.study_hours_by_year(person_a) == {2026: Decimal("2")}
