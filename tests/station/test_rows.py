"""The sessions' restores are written in SQL once (station.rows): what they give must be what the ORM reads,
dates, flags and related rows included, on SQLite (which hands dates back as text) as on PostgreSQL."""

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from station.models import StaffProfile
from station.selectors import user_for_session
from volunteers.models import Volunteer
from volunteers.selectors import VOLUNTEER_PAGE_FIELDS, user_with_volunteer

from ..volunteers.factories import make_volunteer


def own_values(instance, names):
    return {name: getattr(instance, name) for name in names}


def test_a_staff_session_restores_user_profile_and_station_as_the_orm_reads_them(worker):
    with CaptureQueriesContext(connection) as queries:
        restored = user_for_session(str(worker.pk))
        profile = restored.staff_profile
        station_name = profile.station.name
    assert len(queries) == 1
    user_fields = [f.attname for f in get_user_model()._meta.concrete_fields]
    assert own_values(restored, user_fields) == own_values(
        get_user_model().objects.get(pk=worker.pk), user_fields
    )
    profile_fields = [f.attname for f in StaffProfile._meta.concrete_fields]
    assert own_values(profile, profile_fields) == own_values(
        StaffProfile.objects.get(user=worker), profile_fields
    )
    assert station_name == worker.staff_profile.station.name
    assert restored.unread_notifications == 0
    assert user_for_session("not a number") is None and user_for_session(10**9) is None


def test_a_volunteer_session_restores_her_row_with_its_dates(person_a, worker):
    volunteer = make_volunteer(person_a, balance=40, actor=worker)
    with CaptureQueriesContext(connection) as queries:
        restored = user_with_volunteer(volunteer.user_id)
        row = restored.volunteer
        shown = (row.person.name, row.person.community.station_id, row.user is restored)
    assert len(queries) == 1
    names = [f.split("__")[0] for f in VOLUNTEER_PAGE_FIELDS if "__" not in f]
    assert own_values(row, names) == own_values(Volunteer.objects.get(pk=volunteer.pk), names)
    assert type(row.joined_on).__name__ == "date" and row.points_balance == 40
    assert shown == (person_a.name, person_a.community.station_id, True)


def test_a_staff_user_restored_by_the_volunteer_backend_has_no_volunteer_row(worker):
    restored = user_with_volunteer(worker.pk)
    assert restored.pk == worker.pk and not hasattr(restored, "volunteer")
