"""A case moves intake → assessment → plan → intervention → review → closed, with the supervisor's say."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import services
from cases.models import Case, CaseApproval

Stage = Case.Stage
STAGES = list(Stage.values)
ALLOWED_FREE = {("intake", "assessment"), ("intervention", "review"), ("review", "intervention")}
GATED = {
    ("assessment", "plan"): "assessment",
    ("plan", "intervention"): "plan",
    ("review", "closed"): "closure",
}


def put_at(case, stage):
    Case.objects.filter(pk=case.pk).update(
        stage=stage, closed_on=timezone.localdate() if stage == "closed" else None
    )
    case.refresh_from_db()
    return case


def fill_for_gate(case, worker):
    services.case_update(case=case, actor=worker, assessment="独居，行动不便", plan_summary="每周探访",
                         closing_summary="目标达成", outcome="goals_met")  # fmt: skip
    if not case.goals.exists():
        services.case_add_goal(case=case, actor=worker, description="建立邻里支持")


@pytest.mark.parametrize(
    "start,target", [(a, b) for a in STAGES for b in STAGES if a != b], ids=lambda v: str(v)
)
def test_every_direct_move(case, worker, start, target):
    put_at(case, start)
    if (start, target) in ALLOWED_FREE:
        services.case_advance(case=case, to_stage=target, actor=worker)
        case.refresh_from_db()
        assert case.stage == target
        return
    with pytest.raises(ValidationError) as refused:
        services.case_advance(case=case, to_stage=target, actor=worker)
    case.refresh_from_db()
    assert case.stage == start
    message = " ".join(refused.value.messages)
    if (start, target) in GATED:
        assert "督导" in message  # "needs the supervisor's approval"
    else:
        assert "按顺序" in message  # "steps are taken in order"


@pytest.mark.parametrize("start,gate", [(a, g) for (a, _b), g in GATED.items()])
def test_gated_steps_pass_only_by_approval(case, worker, supervisor, start, gate):
    put_at(case, start)
    fill_for_gate(case, worker) if start != "review" else services.case_update(
        case=case, actor=worker, closing_summary="目标达成", outcome="goals_met"
    )
    services.case_submit(case=case, actor=worker)
    case.refresh_from_db()
    assert case.is_waiting and case.pending_gate == gate
    services.case_approve(case=case, actor=supervisor, comment="同意")
    case.refresh_from_db()
    target = [b for (a, b) in GATED if a == start][0]
    assert case.stage == target and not case.is_waiting
    assert CaseApproval.objects.get(case=case).decision == "approved"


def test_full_journey_from_intake_to_closed(case, worker, supervisor):
    services.case_advance(case=case, to_stage="assessment", actor=worker)
    services.case_update(case=case, actor=worker, assessment="独居，子女在外地")
    services.case_submit(case=case, actor=worker)
    services.case_approve(case=case, actor=supervisor)
    services.case_update(case=case, actor=worker, plan_summary="链接助餐与邻里互助")
    services.case_add_goal(case=case, actor=worker, description="每日有人问候")
    services.case_submit(case=case, actor=worker)
    services.case_approve(case=case, actor=supervisor)
    case.refresh_from_db()
    assert case.stage == "intervention" and case.review_due_on is not None
    services.case_add_session(case=case, actor=worker, content="入户陪伴，梳理需求")
    services.case_advance(case=case, to_stage="review", actor=worker)
    services.case_update(case=case, actor=worker, closing_summary="已建立支持网络", outcome="goals_met")
    services.case_submit(case=case, actor=worker)
    services.case_approve(case=case, actor=supervisor)
    case.refresh_from_db()
    assert case.stage == "closed" and case.closed_on == timezone.localdate()
    assert case.approvals.filter(decision="approved").count() == 3


def test_waiting_blocks_moves_and_edits_until_the_supervisor_answers(case, worker, supervisor):
    put_at(case, "assessment")
    services.case_update(case=case, actor=worker, assessment="初稿")
    services.case_submit(case=case, actor=worker)
    with pytest.raises(ValidationError) as blocked:
        services.case_update(case=case, actor=worker, assessment="改了")
    assert "等待" in " ".join(blocked.value.messages)
    with pytest.raises(ValidationError):
        services.case_submit(case=case, actor=worker)
    with pytest.raises(ValidationError):
        services.case_advance(case=case, to_stage="plan", actor=worker)
    # A follow-up date is not frozen by a waiting assessment.
    services.case_update(case=case, actor=worker, next_follow_up_on=timezone.localdate())

    services.case_send_back(case=case, actor=supervisor, comment="请补充家庭支持情况")
    case.refresh_from_db()
    assert case.stage == "assessment" and not case.is_waiting
    approval = CaseApproval.objects.get(case=case)
    assert approval.decision == "sent_back" and approval.comment == "请补充家庭支持情况"
    assert worker.notifications.filter(key=f"cases:sent-back:{approval.pk}").exists()

    services.case_update(case=case, actor=worker, assessment="补充：女儿每月回来一次")
    services.case_submit(case=case, actor=worker)
    services.case_approve(case=case, actor=supervisor)
    case.refresh_from_db()
    assert case.stage == "plan"


def test_sending_back_needs_a_comment(case, worker, supervisor):
    put_at(case, "assessment")
    services.case_update(case=case, actor=worker, assessment="初稿")
    services.case_submit(case=case, actor=worker)
    with pytest.raises(ValidationError):
        services.case_send_back(case=case, actor=supervisor, comment="  ")
    case.refresh_from_db()
    assert case.is_waiting


def test_only_the_cases_supervisor_approves(case, worker, head, colleague):
    put_at(case, "assessment")
    services.case_update(case=case, actor=worker, assessment="初稿")
    services.case_submit(case=case, actor=worker)
    for someone in (worker, head, colleague):
        with pytest.raises(PermissionDenied):
            services.case_approve(case=case, actor=someone)
    case.refresh_from_db()
    assert case.stage == "assessment" and case.is_waiting


def test_submitting_needs_content(case, worker):
    put_at(case, "assessment")
    with pytest.raises(ValidationError):
        services.case_submit(case=case, actor=worker)
    put_at(case, "plan")
    services.case_update(case=case, actor=worker, plan_summary="计划")
    with pytest.raises(ValidationError):  # no goal yet
        services.case_submit(case=case, actor=worker)
    put_at(case, "intervention")
    with pytest.raises(ValidationError):  # nothing to approve here
        services.case_submit(case=case, actor=worker)


def test_reopen_a_closed_case(case, worker):
    put_at(case, "closed")
    with pytest.raises(ValidationError):
        services.case_reopen(case=case, actor=worker, reason="")
    services.case_reopen(case=case, actor=worker, reason="老人再次跌倒")
    case.refresh_from_db()
    assert case.stage == "assessment" and case.closed_on is None and case.reopened_count == 1
    assert case.notes.filter(text__contains="老人再次跌倒").exists()


def test_only_a_closed_case_reopens(case, worker):
    put_at(case, "intervention")
    with pytest.raises(ValidationError):
        services.case_reopen(case=case, actor=worker, reason="再开")


def test_a_closed_case_cannot_be_edited_or_take_sessions(case, worker):
    put_at(case, "closed")
    with pytest.raises(ValidationError):
        services.case_update(case=case, actor=worker, assessment="改")
    with pytest.raises(ValidationError):
        services.case_add_session(case=case, actor=worker, content="再访")


def test_another_worker_cannot_move_the_case(case, colleague):
    with pytest.raises(PermissionDenied):
        services.case_advance(case=case, to_stage="assessment", actor=colleague)


def test_a_second_open_case_warns_first(person_a, worker, supervisor, case):
    with pytest.raises(services.DuplicateCaseWarning) as warned:
        services.case_open(
            person=person_a, worker=worker, supervisor=supervisor, source="walk_in", actor=worker
        )
    assert case.number in " ".join(warned.value.messages)
    assert Case.objects.filter(person=person_a).count() == 1
    services.case_open(
        person=person_a, worker=worker, supervisor=supervisor, source="walk_in", actor=worker,
        confirm_duplicate=True,
    )  # fmt: skip
    assert Case.objects.filter(person=person_a).count() == 2


def test_a_closed_case_does_not_warn(person_a, worker, supervisor, case):
    put_at(case, "closed")
    services.case_open(person=person_a, worker=worker, supervisor=supervisor, source="referral", actor=worker)
    assert Case.objects.filter(person=person_a).count() == 2


def test_supervisor_must_be_a_supervisor_of_the_station(person_a, worker, colleague, other_worker):
    with pytest.raises(ValidationError):
        services.case_open(person=person_a, worker=worker, supervisor=colleague, source="visit", actor=worker)
    with pytest.raises(ValidationError):
        services.case_open(
            person=person_a, worker=other_worker, supervisor=colleague, source="visit", actor=worker
        )


def test_a_cadre_cannot_open_a_case(person_a, worker, supervisor, cadre_a):
    with pytest.raises(PermissionDenied):
        services.case_open(
            person=person_a, worker=worker, supervisor=supervisor, source="other", actor=cadre_a
        )


def test_only_the_station_head_reassigns_a_case(case, worker, supervisor, colleague, head):
    with pytest.raises(PermissionDenied):
        services.case_reassign(case=case, actor=worker, supervisor=head)
    with pytest.raises(PermissionDenied):
        services.case_reassign(case=case, actor=supervisor, worker=colleague)
    services.case_reassign(case=case, actor=head, worker=colleague)
    case.refresh_from_db()
    assert (case.worker, case.supervisor) == (colleague, supervisor)


def test_the_supervisor_cannot_approve_a_step_they_submitted_themselves(case, supervisor):
    Case.objects.filter(pk=case.pk).update(stage="assessment", assessment="督导自己写的评估")
    services.case_submit(case=case, actor=supervisor)
    with pytest.raises(PermissionDenied):
        services.case_approve(case=case, actor=supervisor)
    case.refresh_from_db()
    assert case.stage == "assessment" and case.pending_gate == "assessment"
    services.case_send_back(case=case, actor=supervisor, comment="请社工重新提交")
    case.refresh_from_db()
    assert case.pending_gate == ""
