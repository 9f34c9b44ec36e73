"""The residents' needs list: raised from a visit, taken, met; on the person's page."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services
from station import services as station_services
from station.models import Need


def raise_from_visit(person, worker):
    visit = services.visit_record(
        person=person,
        kind="home",
        actor=worker,
        findings="屋顶漏雨",
        needs=[{"category": "housing", "description": "屋顶漏雨需维修", "urgency": "high"}],
    )
    return visit, Need.objects.get(source_ref=f"visit:{visit.pk}")


def test_a_need_raised_on_a_visit_is_taken_and_met(person_a, worker):
    visit, need = raise_from_visit(person_a, worker)
    assert need.status == "open" and need.source == "visit" and need.raised_by == worker
    station_services.need_take(need=need, taker=worker, actor=worker)
    need.refresh_from_db()
    assert need.status == "taken" and need.taker_name == "worker"
    assert need.taker_type == ContentType.objects.get_for_model(worker) and need.taker_id == worker.pk
    station_services.need_meet(need=need, outcome="联系物业修好屋顶", actor=worker)
    need.refresh_from_db()
    assert need.status == "met" and need.outcome == "联系物业修好屋顶" and need.resolved_at


def test_a_need_is_taken_before_it_is_met_and_only_once(person_a, worker, supervisor):
    _visit, need = raise_from_visit(person_a, worker)
    with pytest.raises(ValidationError):
        station_services.need_meet(need=need, outcome="做了", actor=worker)
    station_services.need_take(need=need, taker=worker, actor=worker)
    with pytest.raises(ValidationError):
        station_services.need_take(need=need, taker=supervisor, actor=supervisor)
    with pytest.raises(ValidationError):
        station_services.need_meet(need=need, outcome="  ", actor=worker)


def test_any_kind_of_taker_can_take_a_need(person_a, worker, community_a):
    """Party members, volunteers and organisations will take needs too: the taker is any record."""
    _visit, need = raise_from_visit(person_a, worker)
    station_services.need_take(need=need, taker=community_a, actor=worker)
    need.refresh_from_db()
    assert need.taker_type.model == "community" and need.taker_name == "丰京苑社区"


def test_closing_without_meeting_needs_a_reason(person_a, worker):
    _visit, need = raise_from_visit(person_a, worker)
    with pytest.raises(ValidationError):
        station_services.need_close(need=need, reason="", actor=worker)
    station_services.need_close(need=need, reason="老人已搬去女儿家", actor=worker)
    need.refresh_from_db()
    assert need.status == "closed" and need.outcome == "老人已搬去女儿家"


def test_nobody_raises_a_need_for_someone_outside_their_scope(other_person, worker):
    with pytest.raises(PermissionDenied):
        station_services.need_raise(
            person=other_person, category="health", description="x", source="resident", actor=worker
        )


def test_the_person_page_shows_their_needs(person_a, worker, cadre_a, as_user):
    _visit, need = raise_from_visit(person_a, worker)
    station_services.need_take(need=need, taker=worker, actor=worker)
    for user in (worker, cadre_a):
        text = as_user(user).get(f"/people/{person_a.pk}/").content.decode()
        assert "屋顶漏雨需维修" in text
    worker_text = as_user(worker).get(f"/people/{person_a.pk}/").content.decode()
    assert "屋顶漏雨" in worker_text and "/cases/visit/new/?person=" in worker_text


def test_the_quick_entry_page_records_a_visit_with_needs(person_a, other_person, worker, as_user):
    client = as_user(worker)
    found = client.get("/cases/visit/new/", {"q": "张桂"}).content.decode()
    assert person_a.name in found
    assert other_person.name not in client.get("/cases/visit/new/", {"q": "王外"}).content.decode()
    by_phone = client.get("/cases/visit/new/", {"q": person_a.phone[-6:]}).content.decode()
    assert f"?person={person_a.pk}" in by_phone
    response = client.post(
        f"/cases/visit/new/?person={person_a.pk}",
        {
            "person": person_a.pk,
            "kind": "home",
            "visited_on": "2026-01-15",
            "duration_minutes": "30",
            "findings": "独居，腿脚不便",
            "risk": "medium",
            "follow_up_on": "",
            "needs-TOTAL_FORMS": "2",
            "needs-INITIAL_FORMS": "0",
            "needs-0-category": "daily_care",
            "needs-0-description": "需要助餐服务",
            "needs-0-urgency": "normal",
            "needs-1-category": "",
            "needs-1-description": "",
            "needs-1-urgency": "normal",
        },
    )
    assert response.status_code == 302
    visit = person_a.visits.get()
    assert visit.kind == "home" and visit.worker == worker and visit.risk == "medium"
    assert list(Need.objects.values_list("description", "source")) == [("需要助餐服务", "visit")]


def test_quick_entry_refuses_a_person_out_of_scope_and_bad_input(person_a, other_person, worker, as_user):
    client = as_user(worker)
    assert client.get(f"/cases/visit/new/?person={other_person.pk}").status_code == 404
    assert client.get("/cases/visit/new/?person=abc").status_code == 404
    response = client.post(
        f"/cases/visit/new/?person={person_a.pk}",
        {"person": person_a.pk, "kind": "sofa", "visited_on": "2026-02-30", "duration_minutes": "-5",
         "risk": "none", "needs-TOTAL_FORMS": "0", "needs-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 200
    assert not person_a.visits.exists()


def test_cadres_do_not_use_quick_entry(cadre_a, as_user):
    assert as_user(cadre_a).get("/cases/visit/new/").status_code == 404


def test_need_admin_raises_and_takes(person_a, worker, as_user):
    client = as_user(worker)
    response = client.post(
        "/admin/station/need/add/",
        {"person": person_a.pk, "category": "health", "description": "需要陪同就医", "urgency": "high",
         "source": "resident", "household_note": "", "source_ref": ""},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    need = Need.objects.get()
    assert need.raised_by == worker
    client.post(
        "/admin/station/need/",
        {"action": "take_selected", "_selected_action": [need.pk]},
    )
    need.refresh_from_db()
    assert need.status == "taken" and need.taker_name == "worker"


def test_a_cadre_cannot_take_a_need_through_the_admin_action(person_a, worker, cadre_a, as_user):
    need = station_services.need_raise(
        person=person_a, category="health", description="量血压", source="visit", actor=worker
    )
    as_user(cadre_a).post("/admin/station/need/", {"action": "take_selected", "_selected_action": [need.pk]})
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN and need.taker_name == ""
