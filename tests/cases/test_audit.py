"""Every state change of casework leaves its audit row, written in the same transaction."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import services
from cases.models import Case, WatchEntry
from station.models import AuditEvent


def rows_for(obj):
    return AuditEvent.objects.filter(target_type=obj._meta.label, target_id=str(obj.pk))


def test_changing_a_case_working_fields_is_audited_with_before_and_after(case, worker):
    services.case_update(case=case, actor=worker, assessment="独居，行动不便", risk_level="high")
    row = rows_for(case).get()
    assert row.actor == worker and row.action == "update"
    assert row.changes == {"assessment": ["", "独居，行动不便"], "risk_level": ["medium", "high"]}


def test_saving_a_case_unchanged_writes_no_audit_row(case, worker):
    services.case_update(case=case, actor=worker, risk_level="medium")
    assert not rows_for(case).exists()


def test_putting_a_person_under_watch_and_changing_the_tier_are_audited(person_a, worker):
    yesterday = timezone.localdate() - timedelta(days=1)
    first = services.watch_entry_set(
        person=person_a, tier="high", worker=worker, actor=worker, started_on=yesterday
    )
    second = services.watch_entry_set(person=person_a, tier="key", worker=worker, actor=worker)
    assert rows_for(first).filter(action="create").exists()
    assert rows_for(first).get(action="update").changes == {
        "ended_on": [None, (timezone.localdate() - timedelta(days=1)).isoformat()]
    }
    assert rows_for(second).get().changes["tier"] == "key"


def test_a_tier_corrected_on_the_day_is_audited_on_the_same_entry(person_a, worker):
    entry = services.watch_entry_set(person=person_a, tier="high", worker=worker, actor=worker)
    services.watch_entry_set(person=person_a, tier="ordinary", worker=worker, actor=worker)
    assert WatchEntry.objects.count() == 1
    assert rows_for(entry).get(action="update").changes["tier"] == ["high", "ordinary"]


def test_submitting_and_sending_back_are_audited(case, worker, supervisor):
    Case.objects.filter(pk=case.pk).update(stage="assessment", assessment="评估")
    services.case_submit(case=case, actor=worker)
    services.case_send_back(case=case, actor=supervisor, comment="请补充家庭情况")
    submitted, sent_back = rows_for(case).order_by("pk")
    assert submitted.changes == {"pending_gate": ["", "assessment"]} and submitted.actor == worker
    assert sent_back.reason == "请补充家庭情况" and sent_back.actor == supervisor


def test_goals_service_records_and_notes_are_audited(case, worker):
    goal = services.case_add_goal(case=case, actor=worker, description="每周两次康复训练")
    session = services.case_add_session(case=case, actor=worker, content="上门评估")
    note = services.case_add_note(case=case, actor=worker, text="家属同意")
    for record in (goal, session, note):
        assert rows_for(record).get().action == "create"


def test_a_refused_change_leaves_no_audit_row(case, worker):
    Case.objects.filter(pk=case.pk).update(stage="closed", closed_on=timezone.localdate())
    with pytest.raises(ValidationError):
        services.case_update(case=case, actor=worker, assessment="改写")
    assert not rows_for(case).exists()
