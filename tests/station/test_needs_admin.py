"""The residents' needs list in the admin: cadres read it, workers act on it."""

from station.models import Need
from station.services import need_raise


def raise_need(person, worker):
    return need_raise(person=person, category="health", description="陪诊", source="visit", actor=worker)


def test_a_cadre_reads_needs_but_cannot_take_one_through_the_action(cadre_a, worker, person_a, as_user):
    need = raise_need(person_a, worker)
    client = as_user(cadre_a)
    listing = client.get("/admin/station/need/").content.decode()
    assert person_a.name in listing and "take_selected" not in listing
    client.post("/admin/station/need/", {"action": "take_selected", "_selected_action": [need.pk]})
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN and need.taker_name == ""


def test_a_worker_takes_the_selected_needs(worker, person_a, as_user):
    need = raise_need(person_a, worker)
    as_user(worker).post("/admin/station/need/", {"action": "take_selected", "_selected_action": [need.pk]})
    need.refresh_from_db()
    assert need.status == Need.Status.TAKEN and need.taker_name == "worker"


def test_an_admin_action_on_garbled_ids_is_a_message_not_an_error(worker, person_a, as_user):
    need = raise_need(person_a, worker)
    response = as_user(worker).post(
        "/admin/station/need/",
        {"action": "take_selected", "_selected_action": [str(need.pk), "abc"]},
        follow=True,
    )
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["所选记录编号无效，未做任何更改。"]
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN


def test_marking_garbled_notifications_read_in_the_admin_is_a_message_not_an_error(worker, as_user):
    response = as_user(worker).post(
        "/admin/station/notification/", {"action": "mark_read", "_selected_action": ["x"]}, follow=True
    )
    assert response.status_code == 200
