"""Each person's first attendance is kept by the database on every path that writes attendance or moves an
activity (station/first_attendance.py), on SQLite and PostgreSQL alike, and the month's first-time
participants are counted from it."""

from datetime import date, timedelta

from django.apps import apps
from django.db import connection
from django.db.models import Min
from django.db.models.signals import post_migrate

from station.first_attendance import FIRST_ATTENDANCE
from station.models import Activity, Attendance, Person
from station.named_attendance import NAMED_ATTENDANCE
from stats.models import StatValue
from stats.rollup import rollup_month
from tests.factories import PersonFactory
from tests.stats.stats_helpers import local, make_activity

MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)


def kept(person):
    return Person.objects.values_list("first_attended_at", flat=True).get(pk=person.pk)


def earliest(person):
    return Attendance.objects.filter(person=person).aggregate(v=Min("activity__starts_at"))["v"]


def test_attendance_added_in_a_batch_sets_and_lowers_the_first_attendance(station, person_a, person_b):
    assert kept(person_a) is None
    make_activity(station, at=local(2026, 4, 10), people=[person_a, person_b])
    assert kept(person_a) == kept(person_b) == local(2026, 4, 10)
    make_activity(station, at=local(2026, 5, 1), people=[person_a])  # later: no change
    assert kept(person_a) == local(2026, 4, 10)
    earlier = make_activity(station, at=local(2026, 3, 2), people=[])
    Attendance.objects.create(activity=earlier, person=person_a)  # one row, the way a form saves it
    assert kept(person_a) == local(2026, 3, 2)
    assert kept(person_b) == local(2026, 4, 10)


def test_attendance_removed_or_its_activity_deleted_moves_it_to_the_next_one(station, person_a):
    first = make_activity(station, at=local(2026, 3, 2), people=[person_a])
    second = make_activity(station, at=local(2026, 4, 10), people=[person_a])
    Attendance.objects.filter(activity=first, person=person_a).delete()
    assert kept(person_a) == local(2026, 4, 10)
    make_activity(
        station, at=local(2026, 3, 5), people=[person_a]
    ).delete()  # the cascade takes its attendance
    assert kept(person_a) == local(2026, 4, 10)
    second.delete()
    assert kept(person_a) is None


def test_an_activity_moved_in_time_moves_its_people(station, person_a, person_b):
    activity = make_activity(station, at=local(2026, 4, 10), people=[person_a, person_b])
    make_activity(station, at=local(2026, 4, 20), people=[person_b])
    activity.starts_at, activity.ends_at = local(2026, 3, 1), local(2026, 3, 1, 12)
    activity.save()
    assert kept(person_a) == kept(person_b) == local(2026, 3, 1)
    Activity.objects.filter(pk=activity.pk).update(starts_at=local(2026, 5, 1), ends_at=local(2026, 5, 1, 12))
    assert kept(person_a) == local(2026, 5, 1)
    assert kept(person_b) == local(2026, 4, 20)  # the other activity is now the earlier one


def test_attendance_given_to_another_person_moves_both(station, person_a, person_b):
    make_activity(station, at=local(2026, 4, 10), people=[person_b])
    early = make_activity(station, at=local(2026, 3, 1), people=[person_a])
    Attendance.objects.filter(activity=early).update(person=person_b)  # recorded under the wrong name
    assert kept(person_a) is None
    assert kept(person_b) == local(2026, 3, 1)


def test_a_person_saved_from_an_older_copy_keeps_what_the_database_wrote(station, person_a):
    stale = Person.objects.get(pk=person_a.pk)  # a form opened before the attendance was entered
    make_activity(station, at=local(2026, 4, 10), people=[person_a])
    stale.name = "张桂兰（改）"
    stale.save()
    assert kept(person_a) == local(2026, 4, 10)
    assert Person.objects.get(pk=person_a.pk).name == "张桂兰（改）"


def test_many_people_over_many_activities_match_their_attendance(station, community_a):
    people = [PersonFactory(community=community_a) for _ in range(12)]
    days = [local(2026, 3, 1) + timedelta(days=3 * i, hours=i) for i in range(8)]
    activities = [make_activity(station, at=day, people=people[i : i + 6]) for i, day in enumerate(days)]
    Attendance.objects.filter(activity__in=activities[::3]).delete()
    Activity.objects.filter(pk__in=[a.pk for a in activities[1::2]]).update(starts_at=local(2026, 2, 1))
    for person in people:
        assert kept(person) == earliest(person), person.name


def test_triggers_lost_to_a_rebuilt_table_come_back_after_migrate(station, person_a):
    FIRST_ATTENDANCE.remove(connection)
    NAMED_ATTENDANCE.remove(connection)
    station_app = apps.get_app_config("station")  # what migrate sends for the station app when it ends
    post_migrate.send(
        sender=station_app,
        app_config=station_app,
        verbosity=0,
        interactive=False,
        using=connection.alias,
        apps=apps,
        plan=[],
    )
    activity = make_activity(station, at=local(2026, 4, 10), people=[person_a])
    assert kept(person_a) == local(2026, 4, 10)
    assert Activity.objects.values_list("named_count", flat=True).get(pk=activity.pk) == 1


def test_first_time_participants_follow_a_late_record_of_an_earlier_month(station, community_a, person_a):
    make_activity(station, at=local(2026, 4, 10), community=community_a, people=[person_a])

    def first_time(month):
        rollup_month(station=station, month=month)
        value = StatValue.objects.filter(
            station=station, community=community_a, month=month, metric="station.first_time_participants"
        ).first()
        return value and value.value

    assert first_time(APRIL) == 1
    make_activity(station, at=local(2026, 3, 31, 23, 30), community=community_a, people=[person_a])
    assert first_time(APRIL) is None  # she came in March: not a first-timer in April any more
    assert first_time(MARCH) == 1
