"""Each person's attendance per station, local month and platform is kept by the database on every path that
writes attendance or moves an activity (station/participation.py), on SQLite and PostgreSQL alike, and the
rollup counts the month's people from it."""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.utils import timezone

from station.models import Activity, Attendance, Participation
from station.periods import Period
from stats.metrics import _people_pass
from stats.models import StatValue
from stats.rollup import rollup_month
from tests.factories import PersonFactory
from tests.helpers import require_postgresql, sign_in_at_once
from tests.stats.stats_helpers import local, make_activity

MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)
Platform = Activity.Platform


def kept(person):
    return Counter(
        {(p.station_id, p.month, p.platform): p.times for p in Participation.objects.filter(person=person)}
    )


def counted(person):
    """The same, counted from the attendance in Python: the local month of each activity's start."""
    return Counter(
        (a.activity.station_id, timezone.localdate(a.activity.starts_at).replace(day=1), a.activity.platform)
        for a in Attendance.objects.filter(person=person).select_related("activity")
    )


def test_the_local_month_counts_not_the_utc_one(station, person_a):
    # 23:30 on 31 March in Shanghai is 15:30 UTC the same day; 00:30 on 1 April is still 31 March in UTC.
    make_activity(station, at=local(2026, 3, 31, 23, 30), people=[person_a])
    make_activity(station, at=local(2026, 4, 1, 0, 30), people=[person_a])
    make_activity(station, at=local(2026, 4, 20), platform=Platform.VOLUNTEERS, people=[person_a])
    assert kept(person_a) == {
        (station.pk, MARCH, Platform.STATION): 1,
        (station.pk, APRIL, Platform.STATION): 1,
        (station.pk, APRIL, Platform.VOLUNTEERS): 1,
    }


def test_attendance_added_removed_and_its_activity_deleted(station, person_a, person_b):
    first = make_activity(station, at=local(2026, 4, 10), people=[person_a, person_b])
    make_activity(station, at=local(2026, 4, 12), people=[person_a])
    assert kept(person_a) == {(station.pk, APRIL, Platform.STATION): 2}
    Attendance.objects.filter(activity=first, person=person_a).delete()
    assert kept(person_a) == {(station.pk, APRIL, Platform.STATION): 1}
    first.delete()  # the cascade takes person_b's attendance
    assert kept(person_b) == {}


def test_an_activity_moved_to_another_month_station_or_platform_moves_its_people(
    station, other_station, person_a, person_b
):
    activity = make_activity(station, at=local(2026, 4, 10), people=[person_a, person_b])
    activity.starts_at, activity.ends_at = local(2026, 3, 10), local(2026, 3, 10, 12)
    activity.save()
    assert kept(person_a) == kept(person_b) == {(station.pk, MARCH, Platform.STATION): 1}
    Activity.objects.filter(pk=activity.pk).update(station=other_station, platform=Platform.ORGS)
    assert kept(person_a) == {(other_station.pk, MARCH, Platform.ORGS): 1}
    activity.refresh_from_db()
    activity.title = "改了名字"  # an edit that moves nothing
    activity.save()
    assert kept(person_b) == {(other_station.pk, MARCH, Platform.ORGS): 1}


def test_attendance_given_to_another_person_moves_both(station, person_a, person_b):
    activity = make_activity(station, at=local(2026, 4, 10), people=[person_a])
    Attendance.objects.filter(activity=activity).update(person=person_b)  # recorded under the wrong name
    assert kept(person_a) == {}
    assert kept(person_b) == {(station.pk, APRIL, Platform.STATION): 1}


def test_many_people_over_many_activities_match_their_attendance(station, other_station, community_a):
    people = [PersonFactory(community=community_a) for _ in range(12)]
    days = [local(2026, 3, 20) + timedelta(days=3 * i, hours=i) for i in range(8)]
    platforms = [Platform.STATION, Platform.VOLUNTEERS, Platform.CASEWORK]
    activities = [
        make_activity(station, at=day, platform=platforms[i % 3], people=people[i : i + 6])
        for i, day in enumerate(days)
    ]
    Attendance.objects.filter(activity__in=activities[::3]).delete()
    Activity.objects.filter(pk__in=[a.pk for a in activities[1::2]]).update(starts_at=local(2026, 2, 28, 23))
    Activity.objects.filter(pk=activities[2].pk).update(station=other_station)
    for person in people:
        assert kept(person) == counted(person), person.name


def test_a_stray_row_is_corrected_by_the_next_write(station, person_a):
    make_activity(station, at=local(2026, 4, 10), people=[person_a])
    Participation.objects.filter(person=person_a).update(times=99)  # a hand edit
    make_activity(station, at=local(2026, 5, 10), people=[person_a])
    assert kept(person_a) == counted(person_a)


def test_people_counted_over_two_months_are_counted_once(station, community_a, person_a):
    neighbour = PersonFactory(community=community_a)  # people are counted by the community they live in
    make_activity(station, at=local(2026, 3, 10), community=community_a, people=[person_a, neighbour])
    make_activity(station, at=local(2026, 4, 10), platform=Platform.ORGS, people=[person_a])
    both = _people_pass(Period(station=station, first_day=MARCH, end_day=date(2026, 5, 1)))
    key = (station.pk, community_a.pk)
    assert both["all"][key] == 2  # not 3: person_a took part in both months
    assert both["multi"][key] == 1  # person_a, on two platforms over the two months
    rollup_month(station=station, month=APRIL)
    april = StatValue.objects.get(
        station=station, community=community_a, month=APRIL, metric="station.people_served"
    )
    assert april.value == 1


def test_people_are_counted_by_whole_months_only(station):
    with pytest.raises(ValueError, match="whole months"):
        _people_pass(Period(station=station, first_day=date(2026, 3, 5), end_day=APRIL))


@pytest.mark.django_db(transaction=True)
def test_attendance_of_one_person_written_by_several_workers_at_once(station, person_a):
    require_postgresql()
    make_activity(station, at=local(2026, 3, 1), people=[person_a])  # so no sheet moves her first attendance
    activities = [make_activity(station, at=local(2026, 4, 1 + i), people=[]) for i in range(6)]
    assert sign_in_at_once([(a, person_a) for a in activities]) == []
    assert kept(person_a) == counted(person_a)
    assert kept(person_a)[(station.pk, APRIL, Platform.STATION)] == 6


def test_the_month_is_read_from_the_index_alone_on_postgresql(station, person_a):
    """The per-person pass reads person, platform and count from the unique index (migration 0014): a
    plain constraint put back by a later migration would make the rollup visit the table for every row."""
    require_postgresql()
    from django.db import IntegrityError, connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indexrelid = %s::regclass",
            ["participation_once_per_month"],
        )
        assert cursor.fetchone()[0].endswith("(station_id, month, person_id, platform) INCLUDE (times)")
    make_activity(station, at=local(2026, 4, 10), people=[person_a])
    with pytest.raises(IntegrityError), transaction.atomic():  # still the one row a person has per month
        Participation.objects.create(
            person=person_a, station=station, month=APRIL, platform=Platform.STATION, times=1
        )
