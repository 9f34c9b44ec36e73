"""The admin pages workers use every day."""

import pytest

from cases.models import Case, Goal, Visit, WatchEntry
from station.models import Need

from .factories import VisitFactory, WatchEntryFactory

ADD_PAGES = ["case", "visit", "watchentry", "visitrequest", "group"]


@pytest.mark.parametrize("model", ADD_PAGES)
@pytest.mark.parametrize("persona", ["worker", "supervisor", "head"])
def test_add_pages_open_for_station_staff(request, persona, model, as_user):
    user = request.getfixturevalue(persona)
    assert as_user(user).get(f"/admin/cases/{model}/add/").status_code == 200


def test_change_pages_open_in_scope_and_404_outside(person_a, worker, other_worker, case, as_user):
    visit = VisitFactory(person=person_a, worker=worker)
    entry = WatchEntryFactory(person=person_a, worker=worker)
    for url in (f"/admin/cases/visit/{visit.pk}/change/", f"/admin/cases/watchentry/{entry.pk}/change/"):
        assert as_user(worker).get(url).status_code == 200
        assert as_user(other_worker).get(url).status_code == 404


def test_cadre_has_no_casework_admin(cadre_a, as_user):
    for model in ("visit", "watchentry"):
        assert as_user(cadre_a).get(f"/admin/cases/{model}/").status_code == 403
    assert as_user(cadre_a).get("/admin/cases/case/").status_code == 404
    assert as_user(cadre_a).get("/admin/station/need/").status_code == 200


def case_form(person, worker, supervisor, **extra):
    return {
        "person": person.pk, "worker": worker.pk, "supervisor": supervisor.pk, "source": "walk_in",
        "problem_areas": ["elderly_care", "health"], "risk_level": "medium", "opened_on": "2026-03-01",
        "outcome": "", **extra,
    }  # fmt: skip


def test_opening_a_case_in_the_admin_warns_of_an_open_one(person_a, worker, supervisor, case, as_user):
    client = as_user(worker)
    response = client.post("/admin/cases/case/add/", case_form(person_a, worker, supervisor))
    assert response.status_code == 200
    assert "已有在案个案" in response.content.decode()
    assert Case.objects.count() == 1
    response = client.post(
        "/admin/cases/case/add/", case_form(person_a, worker, supervisor, confirm_duplicate="on")
    )
    assert response.status_code == 302
    new = Case.objects.exclude(pk=case.pk).get()
    assert new.stage == "intake" and new.problem_areas == ["elderly_care", "health"]


def test_a_waiting_assessment_cannot_be_edited_in_the_admin(case, worker, supervisor, as_user):
    Case.objects.filter(pk=case.pk).update(stage="assessment", assessment="初稿", pending_gate="assessment")
    response = as_user(worker).post(
        f"/admin/cases/case/{case.pk}/change/",
        {**case_form(case.person, worker, supervisor, assessment="改稿"),
         "goals-TOTAL_FORMS": "0", "goals-INITIAL_FORMS": "0", "sessions-TOTAL_FORMS": "0",
         "sessions-INITIAL_FORMS": "0", "notes-TOTAL_FORMS": "0", "notes-INITIAL_FORMS": "0",
         "approvals-TOTAL_FORMS": "0", "approvals-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "等待督导审批" in response.content.decode()
    case.refresh_from_db()
    assert case.assessment == "初稿"


def test_recording_a_visit_and_a_watch_in_the_admin(person_a, worker, as_user):
    client = as_user(worker)
    response = client.post(
        "/admin/cases/visit/add/",
        {"person": person_a.pk, "kind": "home", "worker": worker.pk, "visited_on": "2026-03-02",
         "duration_minutes": "30", "findings": "正常", "risk": "none", "follow_up_on": ""},
    )  # fmt: skip
    assert response.status_code == 302
    assert Visit.objects.get().kind == "home"
    response = client.post(
        "/admin/cases/visit/add/",
        {"person": person_a.pk, "kind": "phone", "worker": worker.pk, "visited_on": "2026-03-03",
         "duration_minutes": "10", "findings": "咳嗽", "risk": "low", "follow_up_on": "",
         "need_category": "health", "need_description": "需要陪同去社区医院", "need_urgency": "high"},
    )  # fmt: skip
    assert response.status_code == 302
    need = Need.objects.get()
    assert (need.description, need.urgency, need.source) == ("需要陪同去社区医院", "high", "visit")
    response = client.post(
        "/admin/cases/watchentry/add/",
        {
            "person": person_a.pk,
            "tier": "high",
            "reason": "独居",
            "worker": worker.pk,
            "started_on": "2026-03-01",
        },
    )
    assert response.status_code == 302
    assert WatchEntry.objects.get().tier == "high"


def test_the_need_admin_marks_a_need_met(person_a, worker, as_user):
    from station import services

    need = services.need_raise(
        person=person_a, category="health", description="陪诊", source="resident", actor=worker
    )
    services.need_take(need=need, taker=worker, actor=worker)
    form = {"person": person_a.pk, "household_note": "", "category": "health", "description": "陪诊",
            "urgency": "normal", "source": "resident", "source_ref": ""}  # fmt: skip
    client = as_user(worker)
    response = client.post(
        f"/admin/station/need/{need.pk}/change/", {**form, "step": "meet", "step_note": ""}
    )
    assert response.status_code == 200  # a met need says what was done
    response = client.post(
        f"/admin/station/need/{need.pk}/change/", {**form, "step": "meet", "step_note": "已陪同去医院"}
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == Need.Status.MET and need.outcome == "已陪同去医院"


def test_the_person_page_shows_a_cadre_only_a_count_of_cases(case, cadre_a, worker, as_user):
    text = as_user(cadre_a).get(f"/people/{case.person.pk}/").content.decode()
    assert "另有 1 个在案个案" in text and case.number not in text
    text = as_user(worker).get(f"/people/{case.person.pk}/").content.decode()
    assert case.number in text


def test_the_supervisor_approves_from_the_case_list(case, worker, supervisor, as_user):
    from cases import services

    Case.objects.filter(pk=case.pk).update(stage="assessment", assessment="评估")
    services.case_submit(case=Case.objects.get(pk=case.pk), actor=worker)
    as_user(worker).post("/admin/cases/case/", {"action": "approve_selected", "_selected_action": [case.pk]})
    case.refresh_from_db()
    assert case.stage == "assessment"  # the worker's click approves nothing
    as_user(supervisor).post(
        "/admin/cases/case/", {"action": "approve_selected", "_selected_action": [case.pk]}
    )
    case.refresh_from_db()
    assert case.stage == "plan" and not case.is_waiting


def test_the_case_file_page_walks_the_lifecycle(case, worker, supervisor, as_user):
    client = as_user(worker)
    client.post(f"/cases/{case.pk}/advance/", {"to": "assessment"})
    client.post(f"/cases/{case.pk}/update/", {"assessment": "独居，需要陪伴"})
    client.post(f"/cases/{case.pk}/submit/")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "等待督导审批评估" in page
    response = as_user(supervisor).post(f"/cases/{case.pk}/send-back/", {"comment": ""}, follow=True)
    assert "退回时请写明" in response.content.decode()
    as_user(supervisor).post(f"/cases/{case.pk}/approve/", {"comment": "同意"})
    case.refresh_from_db()
    assert case.stage == "plan"
    response = client.post(f"/cases/{case.pk}/advance/", {"to": "closed"}, follow=True)
    assert "按顺序" in response.content.decode() or "督导" in response.content.decode()
    case.refresh_from_db()
    assert case.stage == "plan"


def test_a_colleague_cannot_act_on_the_case(case, colleague, as_user):
    assert as_user(colleague).post(f"/cases/{case.pk}/advance/", {"to": "assessment"}).status_code == 404


def test_nonsense_input_never_500s(case, worker, as_user):
    client = as_user(worker)
    assert client.get("/admin/cases/case/abc/change/").status_code in (302, 404)
    response = client.post(f"/cases/{case.pk}/advance/", {"to": "nowhere"}, follow=True)
    assert response.status_code == 200
    response = client.post(f"/cases/{case.pk}/sessions/add/", {"held_on": "2026-02-31"}, follow=True)
    assert response.status_code == 200 and not case.sessions.exists()
    assert client.get("/cases/coverage/?month=abc").status_code == 200


INLINES_EMPTY = {f"{name}-{k}": "0" for name in ("goals", "sessions", "notes", "approvals")
                 for k in ("TOTAL_FORMS", "INITIAL_FORMS")}  # fmt: skip


def test_a_worker_cannot_pick_who_approves_their_own_case(case, worker, supervisor, station, as_user):
    from tests.factories import make_staff

    friendly = make_staff("supervisor", station=station, username="friendly")
    Case.objects.filter(pk=case.pk).update(stage="assessment", assessment="初稿", pending_gate="assessment")
    as_user(worker).post(
        f"/admin/cases/case/{case.pk}/change/",
        {**case_form(case.person, worker, friendly, assessment="初稿"), **INLINES_EMPTY},
    )
    case.refresh_from_db()
    assert case.supervisor == supervisor


def test_the_station_head_reassigns_a_case(case, worker, colleague, head, station, as_user):
    from tests.factories import make_staff

    other_supervisor = make_staff("supervisor", station=station, username="other_supervisor")
    response = as_user(head).post(
        f"/admin/cases/case/{case.pk}/change/",
        {**case_form(case.person, colleague, other_supervisor, opened_on=case.opened_on), **INLINES_EMPTY},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.worker, case.supervisor) == (colleague, other_supervisor)


def test_plan_goals_cannot_be_edited_or_deleted_in_the_admin_while_the_plan_waits(
    case, worker, supervisor, as_user
):

    Case.objects.filter(pk=case.pk).update(stage="plan", plan_summary="计划", pending_gate="plan")
    goal = Goal.objects.create(case=case, description="每周两次康复训练")
    second = Goal.objects.create(case=case, description="申请低保")
    goals = {"goals-TOTAL_FORMS": "2", "goals-INITIAL_FORMS": "2",
             "goals-0-id": goal.pk, "goals-0-case": case.pk, "goals-0-description": "改成每月一次",
             "goals-0-status": "open", "goals-1-id": second.pk, "goals-1-case": case.pk,
             "goals-1-description": "申请低保", "goals-1-status": "open", "goals-1-DELETE": "on"}  # fmt: skip
    as_user(worker).post(
        f"/admin/cases/case/{case.pk}/change/",
        {**case_form(case.person, worker, supervisor, plan_summary="计划", opened_on=case.opened_on),
         **INLINES_EMPTY, **goals},
    )  # fmt: skip
    assert list(case.goals.order_by("pk").values_list("description", flat=True)) == [
        "每周两次康复训练",
        "申请低保",
    ]


def test_approving_from_the_list_a_case_approved_meanwhile_in_another_tab_is_no_error(
    case, worker, supervisor, as_user, monkeypatch
):
    from cases import services

    Case.objects.filter(pk=case.pk).update(stage="assessment", assessment="评估")
    services.case_submit(case=Case.objects.get(pk=case.pk), actor=worker)
    approve = services.case_approve

    def approved_elsewhere_first(*, case, actor, **kwargs):
        approve(case=case, actor=actor)  # the other tab wins
        return approve(case=case, actor=actor, **kwargs)

    monkeypatch.setattr(services, "case_approve", approved_elsewhere_first)
    response = as_user(supervisor).post(
        "/admin/cases/case/", {"action": "approve_selected", "_selected_action": [case.pk]}, follow=True
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.stage == "plan"
