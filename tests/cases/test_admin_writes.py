"""Every write in the casework admin goes through a service and leaves an audit row; bulk actions say what
they skipped and why."""

from cases import services
from cases.models import Case, Group, Visit, WatchEntry
from station.models import AuditEvent

from .factories import VisitFactory, WatchEntryFactory
from .test_admin import INLINES_EMPTY, case_form


def audit_rows(obj):
    return AuditEvent.objects.filter(target_type=obj._meta.label, target_id=str(obj.pk))


def test_correcting_a_visit_in_the_admin_is_audited_and_keeps_the_follow_up_flag(person_a, worker, as_user):
    visit = VisitFactory(person=person_a, worker=worker)
    response = as_user(worker).post(
        f"/admin/cases/visit/{visit.pk}/change/",
        {"person": person_a.pk, "kind": "home", "worker": worker.pk, "visited_on": visit.visited_on.isoformat(),
         "duration_minutes": "40", "findings": "改正：上门", "risk": "low",
         "follow_up_on": visit.visited_on.isoformat()},
    )  # fmt: skip
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.kind, visit.duration_minutes, visit.follow_up_needed) == ("home", 40, True)
    row = audit_rows(visit).get()
    assert row.actor == worker and row.changes["kind"] == ["phone", "home"]


def test_correcting_a_watch_entry_in_the_admin_is_audited(person_a, worker, as_user):
    entry = WatchEntryFactory(person=person_a, worker=worker)
    response = as_user(worker).post(
        f"/admin/cases/watchentry/{entry.pk}/change/",
        {"person": person_a.pk, "tier": "key", "reason": "独居", "worker": worker.pk,
         "started_on": entry.started_on.isoformat(), "ended_on": ""},
    )  # fmt: skip
    assert response.status_code == 302
    assert WatchEntry.objects.get(pk=entry.pk).tier == "key"
    assert audit_rows(entry).get().changes["tier"] == ["high", "key"]


def test_correcting_a_case_opening_date_in_the_admin_is_audited(case, worker, supervisor, as_user):
    response = as_user(worker).post(
        f"/admin/cases/case/{case.pk}/change/",
        {**case_form(case.person, worker, supervisor, opened_on="2026-01-15"), **INLINES_EMPTY},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert str(case.opened_on) == "2026-01-15"
    assert audit_rows(case).get().changes["opened_on"][1] == "2026-01-15"


def test_a_group_saved_in_the_admin_is_audited_with_its_members(
    station, community_a, person_a, worker, as_user
):
    response = as_user(worker).post(
        "/admin/cases/group/add/",
        {"station": station.pk, "community": community_a.pk, "title": "长者手工小组", "kind": "mutual_aid",
         "goals": "", "worker": worker.pk, "members": [person_a.pk], "planned_sessions": "6",
         "started_on": "2026-03-01", "sessions-TOTAL_FORMS": "0", "sessions-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    group = Group.objects.get()
    assert list(group.members.all()) == [person_a]
    assert audit_rows(group).get().changes["members"] == [person_a.pk]


def test_bulk_approve_names_each_skipped_case_and_why(case, worker, supervisor, person_a, as_user):
    from .factories import CaseFactory

    Case.objects.filter(pk=case.pk).update(stage="assessment", assessment="评估")
    services.case_submit(case=Case.objects.get(pk=case.pk), actor=worker)
    idle = CaseFactory(person=person_a, worker=worker, supervisor=supervisor)
    response = as_user(supervisor).post(
        "/admin/cases/case/",
        {"action": "approve_selected", "_selected_action": [case.pk, idle.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "已审批 1 个个案" in page
    assert f"已跳过 个案 {idle.number}" in page and "该个案没有待审批的内容" in page
    case.refresh_from_db()
    assert case.stage == "plan"


def test_bulk_approve_by_a_worker_skips_every_case_saying_only_the_supervisor_may(case, worker, as_user):
    Case.objects.filter(pk=case.pk).update(stage="assessment", assessment="评估")
    services.case_submit(case=Case.objects.get(pk=case.pk), actor=worker)
    page = (
        as_user(worker)
        .post(
            "/admin/cases/case/", {"action": "approve_selected", "_selected_action": [case.pk]}, follow=True
        )
        .content.decode()
    )
    assert "已审批 0 个个案" in page and case.number in page and "只有该个案的督导" in page
    assert Case.objects.get(pk=case.pk).stage == "assessment"


def test_a_visit_corrected_to_a_worker_of_another_station_is_refused(person_a, worker, other_worker):
    import pytest
    from django.core.exceptions import ValidationError

    visit = VisitFactory(person=person_a, worker=worker)
    with pytest.raises(ValidationError):
        services.visit_update(visit=visit, actor=worker, worker=other_worker)
    assert Visit.objects.get(pk=visit.pk).worker == worker and not audit_rows(visit).exists()
