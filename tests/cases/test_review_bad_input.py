"""Garbage posted to casework pages and admin actions gets a clear answer, never a 500, and changes nothing."""

from django.utils import timezone

from cases.models import Case, Visit, WatchEntry
from station import services as station_services
from station.models import Need


def test_a_month_outside_the_calendar_on_the_coverage_page_is_refused_not_a_crash(worker, as_user):
    page = as_user(worker).get("/cases/coverage/?month=0000-01")
    assert page.status_code == 200
    assert f'name="month" value="{timezone.localdate():%Y-%m}"' in page.content.decode()
    assert "请选择" in page.content.decode()


def test_an_admin_action_on_non_numeric_ids_says_so_and_changes_nothing(case, supervisor, person_a, as_user):
    client = as_user(supervisor)
    need = station_services.need_raise(
        person=person_a, category="health", description="量血压", source="visit", actor=supervisor
    )
    for url, action in [
        ("/admin/cases/case/", "approve_selected"),
        ("/admin/station/need/", "take_selected"),
    ]:
        response = client.post(
            url, {"action": action, "_selected_action": ["abc", str(need.pk)]}, follow=True
        )
        assert response.status_code == 200
        assert "所选记录编号无效" in response.content.decode()
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN


def test_a_garbage_person_id_on_the_admin_forms_is_a_form_error_not_a_crash(case, worker, as_user):
    client = as_user(worker)
    garbage = {"person": "x", "worker": "abc", "supervisor": "1'", "visited_on": "2026-99-99",
               "opened_on": "bad", "started_on": "zz", "members": ["q"]}  # fmt: skip
    for url in [
        f"/admin/cases/case/{case.pk}/change/",
        "/admin/cases/case/add/",
        "/admin/cases/visit/add/",
        "/admin/cases/watchentry/add/",
        "/admin/cases/visitrequest/add/",
        "/admin/station/need/add/",
    ]:
        response = client.post(url, garbage)
        assert response.status_code == 200, url
        assert "errornote" in response.content.decode(), url
    assert Visit.objects.count() == 0 and WatchEntry.objects.count() == 0 and Case.objects.count() == 1
