"""The case page: one URL and one view per verb, sections in reading order, Chinese throughout."""

import re

import pytest
from django.utils import timezone

from cases import services
from cases.models import Case, CaseNote, CaseSession, Goal
from tests.factories import make_staff

from .factories import CaseFactory


def page_of(client, case) -> str:
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def waiting_assessment(case, worker):
    Case.objects.filter(pk=case.pk).update(stage="assessment", assessment="独居，行动不便")
    services.case_submit(case=Case.objects.get(pk=case.pk), actor=worker)
    case.refresh_from_db()
    return case


VERBS = {
    "advance": {"to": "assessment"},
    "update": {"assessment": "评估"},
    "submit": {},
    "close": {"closing_summary": "目标达成", "outcome": "goals_met"},
    "approve": {"comment": "同意"},
    "send-back": {"comment": "请补充"},
    "reopen": {"reason": "病情反复"},
    "goals/add": {"description": "每周两次康复训练"},
    "sessions/add": {"held_on": "2026-03-02", "duration_minutes": "45", "content": "上门面谈"},
    "notes/add": {"text": "家属来电"},
}


@pytest.mark.parametrize("verb", VERBS)
def test_a_worker_of_another_station_gets_404_on_every_verb(case, other_worker, verb, as_user):
    response = as_user(other_worker).post(f"/cases/{case.pk}/{verb}/", VERBS[verb])
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.stage == "intake" and not case.goals.exists() and not case.notes.exists()


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_is_a_post(case, worker, verb, as_user):
    assert as_user(worker).get(f"/cases/{case.pk}/{verb}/").status_code == 405


def test_a_worker_adds_a_goal_and_is_told_so_in_chinese(case, worker, as_user):
    client = as_user(worker)
    response = client.post(
        f"/cases/{case.pk}/goals/add/", {"description": "每周两次康复训练", "target_date": "2026-06-30"}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"/cases/{case.pk}/#goals")
    goal = Goal.objects.get()
    assert (goal.description, str(goal.target_date)) == ("每周两次康复训练", "2026-06-30")
    assert "目标已添加" in page_of(client, case)


def test_a_goal_without_words_comes_back_with_the_form_marked(case, worker, as_user):
    response = as_user(worker).post(
        f"/cases/{case.pk}/goals/add/", {"description": "", "target_date": "2026-06-30"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "请修改标出的内容" in text and 'value="2026-06-30"' in text
    assert not Goal.objects.exists()


def test_a_worker_records_a_service_session(case, worker, as_user):
    client = as_user(worker)
    response = client.post(f"/cases/{case.pk}/sessions/add/", VERBS["sessions/add"])
    assert response.status_code == 302
    session = CaseSession.objects.get()
    assert (session.duration_minutes, session.content, session.worker) == (45, "上门面谈", worker)
    text = page_of(client, case)
    assert "服务记录已保存" in text and "45 分钟" in text


def test_a_worker_adds_a_note(case, worker, as_user):
    assert as_user(worker).post(f"/cases/{case.pk}/notes/add/", {"text": "家属来电"}).status_code == 302
    assert CaseNote.objects.get().text == "家属来电"


def test_a_worker_moves_the_case_on_and_submits_the_assessment(case, worker, as_user):
    client = as_user(worker)
    client.post(f"/cases/{case.pk}/advance/", {"to": "assessment"})
    client.post(
        f"/cases/{case.pk}/update/", {"assessment": "独居，行动不便", "next_follow_up_on": "2026-12-01"}
    )
    response = client.post(f"/cases/{case.pk}/submit/")
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.stage, case.pending_gate, case.assessment) == ("assessment", "assessment", "独居，行动不便")
    assert "已提交督导审批" in page_of(client, case)


def test_submitting_an_empty_assessment_is_refused_with_the_reason(case, worker, as_user):
    Case.objects.filter(pk=case.pk).update(stage="assessment")
    response = as_user(worker).post(f"/cases/{case.pk}/submit/", follow=True)
    assert "请先填写评估再提交" in response.content.decode()
    case.refresh_from_db()
    assert not case.pending_gate


def test_the_supervisor_approves_from_the_case_page(case, worker, supervisor, as_user):
    waiting_assessment(case, worker)
    response = as_user(supervisor).post(f"/cases/{case.pk}/approve/", {"comment": "同意"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == "plan" and case.approvals.get().comment == "同意"


def test_a_non_supervisor_is_refused_the_approve_view(case, worker, head, as_user):
    waiting_assessment(case, worker)
    for user in (worker, head):
        response = as_user(user).post(f"/cases/{case.pk}/approve/", {"comment": ""}, follow=True)
        assert response.status_code == 200
        assert "只有该个案的督导可以审批或退回" in response.content.decode()
    case.refresh_from_db()
    assert case.stage == "assessment" and case.pending_gate == "assessment"


def test_the_supervisor_sends_back_with_a_comment(case, worker, supervisor, as_user):
    waiting_assessment(case, worker)
    response = as_user(supervisor).post(f"/cases/{case.pk}/send-back/", {"comment": "请补充家庭情况"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == "assessment" and not case.pending_gate
    assert case.approvals.get().decision == "sent_back"


def test_a_worker_asks_to_close_from_review_and_the_supervisor_closes(case, worker, supervisor, as_user):
    Case.objects.filter(pk=case.pk).update(stage="review")
    response = as_user(worker).post(f"/cases/{case.pk}/close/", VERBS["close"])
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.pending_gate == "closure" and case.outcome == "goals_met"
    as_user(supervisor).post(f"/cases/{case.pk}/approve/", {"comment": ""})
    case.refresh_from_db()
    assert case.stage == "closed" and case.closed_on == timezone.localdate()


def test_asking_to_close_before_review_is_refused(case, worker, as_user):
    response = as_user(worker).post(f"/cases/{case.pk}/close/", VERBS["close"], follow=True)
    assert "请先转入评估回顾" in response.content.decode()
    case.refresh_from_db()
    assert not case.pending_gate and not case.closing_summary


def test_a_closed_case_is_reopened_with_a_reason(case, worker, as_user):
    Case.objects.filter(pk=case.pk).update(
        stage="closed", closed_on=timezone.localdate(), outcome="goals_met"
    )
    assert as_user(worker).post(f"/cases/{case.pk}/reopen/", {"reason": ""}).status_code == 200
    assert as_user(worker).post(f"/cases/{case.pk}/reopen/", {"reason": "病情反复"}).status_code == 302
    case.refresh_from_db()
    assert case.stage == "assessment" and case.reopened_count == 1


# ---------------------------------------------------------------- what the page shows


def test_approve_and_send_back_are_shown_only_to_the_supervisor(case, worker, supervisor, head, as_user):
    waiting_assessment(case, worker)
    assert f"/cases/{case.pk}/approve/" in page_of(as_user(supervisor), case)
    for user in (worker, head):
        text = page_of(as_user(user), case)
        assert f"/cases/{case.pk}/approve/" not in text and f"/cases/{case.pk}/send-back/" not in text
        assert "待审批" in text


def test_a_station_head_who_supervises_the_case_sees_the_approval_controls(person_a, worker, head, as_user):
    case = CaseFactory(person=person_a, worker=worker, supervisor=head)
    waiting_assessment(case, worker)
    assert f"/cases/{case.pk}/send-back/" in page_of(as_user(head), case)


def test_sections_read_top_to_bottom_with_the_case_words(case, worker, as_user):
    text = page_of(as_user(worker), case)
    order = [text.index(f'id="{name}"') for name in ("summary", "goals", "sessions", "notes", "history")]
    assert order == sorted(order)
    assert "开案日期" in text and "服务记录" in text
    assert "建站日期" not in text and "会话" not in text


def test_the_pending_approval_comes_right_after_the_summary(case, worker, supervisor, as_user):
    waiting_assessment(case, worker)
    text = page_of(as_user(supervisor), case)
    assert text.index('id="summary"') < text.index('id="approval"') < text.index('id="goals"')


def test_dates_are_the_browsers_date_field_with_labels_above(case, worker, as_user):
    text = page_of(as_user(worker), case)
    for name in ("next_follow_up_on", "target_date", "held_on"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', text).group(0)
        assert 'type="date"' in tag, name
    assert re.search(r'<label[^>]*for="id_held_on"', text)


def test_a_closed_case_shows_no_next_follow_up(case, worker, as_user):
    Case.objects.filter(pk=case.pk).update(
        stage="closed",
        closed_on=timezone.localdate(),
        outcome="goals_met",
        next_follow_up_on=timezone.localdate(),
    )
    text = page_of(as_user(worker), case)
    assert 'data-testid="next-follow-up"' not in text and 'name="next_follow_up_on"' not in text
    assert 'data-testid="closed-on"' in text


ENGLISH_LEFTOVERS = re.compile(r">[^<>]*\b(intake|assessment|review|closed|pending|approve|session|goal|"
                               r"minutes|None|walk_in|medium|goals_met)\b[^<>]*<", re.I)  # fmt: skip


@pytest.mark.parametrize("stage", ["intake", "assessment", "plan", "review", "closed"])
def test_no_raw_codes_or_english_on_the_page(case, worker, supervisor, stage, as_user):
    Case.objects.filter(pk=case.pk).update(
        stage=stage, closed_on=timezone.localdate() if stage == "closed" else None,
        outcome="goals_met" if stage == "closed" else "", assessment="评估", plan_summary="计划",
    )  # fmt: skip
    services.case_add_session(case=case, actor=worker, content="面谈", duration_minutes=30)
    if stage in ("assessment", "plan"):
        Goal.objects.create(case=case, description="目标")
        services.case_submit(case=Case.objects.get(pk=case.pk), actor=worker)
    for user in (worker, supervisor):
        text = page_of(as_user(user), case)
        body = text[text.index("<main") : text.index("</main>")]
        body = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", body, flags=re.S)
        assert not ENGLISH_LEFTOVERS.search(body), ENGLISH_LEFTOVERS.search(body).group(0)


def test_the_case_page_reads_in_a_bounded_number_of_queries(
    case, worker, supervisor, as_user, django_assert_max_num_queries
):
    for n in range(5):
        services.case_add_session(case=case, actor=worker, content=f"面谈{n}")
        services.case_add_note(case=case, actor=supervisor, text=f"备注{n}")
    client = as_user(worker)
    client.get(f"/cases/{case.pk}/")
    with django_assert_max_num_queries(25):
        client.get(f"/cases/{case.pk}/")


def test_another_supervisor_of_the_station_cannot_open_the_case(case, station, as_user):
    stranger = make_staff("supervisor", station=station, username="stranger")
    assert as_user(stranger).post(f"/cases/{case.pk}/approve/", {"comment": ""}).status_code == 404
