"""Each activity's named attendance is kept by the database on every path that writes attendance
(station/named_attendance.py), on SQLite and PostgreSQL alike, and the month's 人次 are read from it."""

from datetime import date

import pytest

from station.models import Activity, Attendance
from stats.models import StatValue
from stats.rollup import rollup_month
from tests.factories import PersonFactory
from tests.helpers import require_postgresql, sign_in_at_once
from tests.stats.stats_helpers import local, make_activity


def kept(activity):
    return Activity.objects.values_list("named_count", flat=True).get(pk=activity.pk)


def test_attendance_added_in_a_batch_or_one_by_one_is_counted(station, person_a, person_b):
    activity = make_activity(station, at=local(2026, 4, 10), people=[person_a, person_b])
    other = make_activity(station, at=local(2026, 4, 11), people=[person_a])
    assert (kept(activity), kept(other)) == (2, 1)
    Attendance.objects.create(activity=other, person=person_b)  # one row, the way a form saves it
    assert (kept(activity), kept(other)) == (2, 2)


def test_attendance_removed_or_moved_to_another_activity_is_counted_where_it_is(station, person_a, person_b):
    activity = make_activity(station, at=local(2026, 4, 10), people=[person_a, person_b])
    other = make_activity(station, at=local(2026, 4, 11), people=[])
    Attendance.objects.filter(activity=activity, person=person_a).delete()
    assert kept(activity) == 1
    Attendance.objects.filter(activity=activity).update(activity=other)  # entered under the wrong activity
    assert (kept(activity), kept(other)) == (0, 1)


def test_an_activity_saved_from_an_older_copy_keeps_what_the_database_wrote(station, person_a):
    activity = make_activity(station, at=local(2026, 4, 10), people=[])
    stale = Activity.objects.get(pk=activity.pk)  # an admin form opened before the sign-in sheet was entered
    Attendance.objects.create(activity=activity, person=person_a)
    stale.title = "重阳节活动"
    stale.save()
    assert kept(activity) == 1
    assert Activity.objects.get(pk=activity.pk).title == "重阳节活动"


def test_many_activities_match_their_attendance_after_changes(station, community_a):
    people = [PersonFactory(community=community_a) for _ in range(10)]
    activities = [
        make_activity(station, at=local(2026, 3, 1 + i), people=people[i : i + 5]) for i in range(6)
    ]
    Attendance.objects.filter(activity__in=activities[::2], person__in=people[:4]).delete()
    Attendance.objects.filter(activity=activities[1], person__in=people[6:]).update(person=people[0])
    for activity in activities:
        assert kept(activity) == Attendance.objects.filter(activity=activity).count(), activity.starts_at


def test_a_wrong_count_is_put_right_by_the_next_write(station, person_a, person_b):
    activity = make_activity(station, at=local(2026, 4, 10), people=[person_a])
    Activity.objects.filter(pk=activity.pk).update(named_count=7)  # as a hand edit of the table would
    Attendance.objects.create(activity=activity, person=person_b)
    assert kept(activity) == 2  # counted afresh, not added to


def test_the_months_person_times_follow_the_attendance(station, community_a, person_a, person_b):
    activity = make_activity(
        station, at=local(2026, 4, 10), community=community_a, headcount=5, people=[person_a]
    )

    def person_times():
        rollup_month(station=station, month=date(2026, 4, 1))
        return StatValue.objects.get(
            station=station, community=community_a, month=date(2026, 4, 1), metric="station.person_times"
        ).value

    assert person_times() == 6  # one named, five by head-count
    Attendance.objects.create(activity=activity, person=person_b)
    assert person_times() == 7
    Attendance.objects.filter(activity=activity).delete()
    assert person_times() == 5


@pytest.mark.django_db(transaction=True)
def test_one_activity_signed_by_several_people_at_once_counts_them_all(station, community_a):
    require_postgresql()
    activity = make_activity(station, at=local(2026, 4, 1), people=[])
    people = [PersonFactory(community=community_a) for _ in range(6)]
    assert sign_in_at_once([(activity, person) for person in people]) == []
    assert kept(activity) == 6
