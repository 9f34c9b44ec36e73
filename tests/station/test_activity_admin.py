"""The service ledger in the admin: a worker records who came, from the station's own people only."""

from django.utils import timezone

from station.models import Attendance

from ..factories import ActivityFactory


def activity_form(activity, **extra):
    start = timezone.localtime(activity.starts_at)
    end = timezone.localtime(activity.ends_at)
    data = {
        "station": activity.station_id,
        "platform": activity.platform,
        "kind": activity.kind,
        "title": activity.title,
        "community": "",
        "starts_at_0": timezone.localdate(activity.starts_at).isoformat(),
        "starts_at_1": start.time().isoformat(),
        "ends_at_0": timezone.localdate(activity.ends_at).isoformat(),
        "ends_at_1": end.time().isoformat(),
        "place": "",
        "partners": "",
        "headcount": "0",
        "attendances-TOTAL_FORMS": "0",
        "attendances-INITIAL_FORMS": "0",
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
    }
    return {**data, **extra}


def test_a_worker_records_attendance_of_the_stations_people(worker, station, person_a, as_user):
    activity = ActivityFactory(station=station)
    data = activity_form(activity, **{"attendances-TOTAL_FORMS": "1", "attendances-0-person": person_a.pk})
    response = as_user(worker).post(f"/admin/station/activity/{activity.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert list(Attendance.objects.values_list("person_id", flat=True)) == [person_a.pk]


def test_another_stations_person_cannot_be_put_on_the_register_by_id(worker, station, other_person, as_user):
    """Otherwise posting ids one by one would show the names of another station's residents."""
    activity = ActivityFactory(station=station)
    data = activity_form(
        activity, **{"attendances-TOTAL_FORMS": "1", "attendances-0-person": other_person.pk}
    )
    response = as_user(worker).post(f"/admin/station/activity/{activity.pk}/change/", data)
    assert response.status_code == 200  # the form comes back with an error
    assert not Attendance.objects.exists()
    assert other_person.name not in response.content.decode()


def test_the_ledger_list_shows_each_activitys_named_attendees_as_saved_in_the_form(
    worker, station, person_a, person_b, as_user
):
    activity = ActivityFactory(station=station, title="重阳节茶话会")
    ActivityFactory(station=station, title="无人签到的讲座")
    client = as_user(worker)
    data = activity_form(
        activity,
        **{
            "attendances-TOTAL_FORMS": "2",
            "attendances-0-person": person_a.pk,
            "attendances-1-person": person_b.pk,
        },
    )
    assert client.post(f"/admin/station/activity/{activity.pk}/change/", data).status_code == 302

    def table(order):  # the list's rows, sorted by the named attendees (column 6) one way or the other
        page = client.get(f"/admin/station/activity/?o={order}").content.decode()
        return page[page.index('id="result_list"') :]

    rows = table("6")
    assert '<td class="field-named_count">2</td>' in rows
    assert rows.index("无人签到的讲座") < rows.index("重阳节茶话会")
    rows = table("-6")
    assert rows.index("重阳节茶话会") < rows.index("无人签到的讲座")
    row = Attendance.objects.get(activity=activity, person=person_a)
    data = activity_form(
        activity,
        **{
            "attendances-TOTAL_FORMS": "2",
            "attendances-INITIAL_FORMS": "2",
            "attendances-0-id": row.pk,
            "attendances-0-activity": activity.pk,
            "attendances-0-person": person_a.pk,
            "attendances-0-DELETE": "on",
            "attendances-1-id": Attendance.objects.get(activity=activity, person=person_b).pk,
            "attendances-1-activity": activity.pk,
            "attendances-1-person": person_b.pk,
        },
    )
    assert client.post(f"/admin/station/activity/{activity.pk}/change/", data).status_code == 302
    assert '<td class="field-named_count">1</td>' in client.get("/admin/station/activity/").content.decode()
