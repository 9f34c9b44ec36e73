"""Who may open a case: its worker, its supervisor, the station head. Nobody else, and every view is logged."""

import pytest
from django.contrib import admin
from import_export.formats.base_formats import CSV

from cases.models import Case, CaseAccessLog
from cases.resources import CaseExportResource
from cases.selectors import case_get_for_user, case_list_visible_to

CLIENT = "张桂兰"  # person_a, the case's client

# persona -> (case admin page, case file page, listed, exported)
EXPECTED = {
    "worker": (200, 200, True, True),
    "colleague": (404, 404, False, False),
    "supervisor": (200, 200, True, True),
    "head": (200, 200, True, True),
    "cadre_a": (404, 404, False, None),  # no case pages at all: 404 everywhere
    "other_worker": (404, 404, False, False),
}


def export_csv(client):
    model_admin = admin.site._registry[Case]
    formats = model_admin.get_export_formats()
    index = next(i for i, f in enumerate(formats) if issubclass(f, CSV))
    data = {"format": str(index), "resource": "0"}
    for field in CaseExportResource().get_export_order():
        data[f"caseexportresource_{field}"] = "on"
    return client.post("/admin/cases/case/export/", data)


@pytest.mark.parametrize("persona", EXPECTED)
def test_case_access_by_persona(request, case, as_user, persona):
    user = request.getfixturevalue(persona)
    admin_page, file_page, listed, exported = EXPECTED[persona]
    client = as_user(user)

    assert client.get(f"/admin/cases/case/{case.pk}/change/").status_code == admin_page
    assert client.get(f"/cases/{case.pk}/").status_code == file_page

    page = client.get("/cases/")
    assert page.status_code == 200
    assert (CLIENT in page.content.decode()) is listed
    assert (case in case_list_visible_to(user)) is listed

    changelist = client.get("/admin/cases/case/")
    if exported is None:
        assert changelist.status_code == 404
    else:
        assert changelist.status_code == 200
        assert (CLIENT in changelist.content.decode()) is listed

    response = export_csv(client)
    if exported is None:
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        body = response.content.decode("utf-8-sig")
        assert (CLIENT in body) is exported


def test_every_opening_of_a_case_file_is_logged_once(case, worker, head, as_user):
    client = as_user(worker)
    client.get(f"/admin/cases/case/{case.pk}/change/")
    client.get(f"/cases/{case.pk}/")
    as_user(head).get(f"/cases/{case.pk}/")
    log = list(
        CaseAccessLog.objects.filter(case=case).order_by("at", "pk").values_list("user__username", "where")
    )
    assert log == [("worker", "admin"), ("worker", "page"), ("head", "page")]


def test_refused_openings_are_not_logged(case, colleague, cadre_a, as_user):
    as_user(colleague).get(f"/cases/{case.pk}/")
    as_user(cadre_a).get(f"/admin/cases/case/{case.pk}/change/")
    assert not CaseAccessLog.objects.exists()


def test_the_access_log_is_for_the_station_head(case, worker, head, supervisor, as_user):
    as_user(worker).get(f"/cases/{case.pk}/")
    page = as_user(head).get("/admin/cases/caseaccesslog/")
    assert page.status_code == 200 and "worker" in page.content.decode()
    assert as_user(worker).get("/admin/cases/caseaccesslog/").status_code == 403
    assert as_user(supervisor).get("/admin/cases/caseaccesslog/").status_code == 403


def test_a_cadre_sees_counts_never_the_case(case, cadre_a, as_user):
    page = as_user(cadre_a).get("/cases/")
    text = page.content.decode()
    assert "接案 1" in text  # the count by stage
    assert CLIENT not in text and case.number not in text


def test_case_selector_404s_out_of_scope(case, colleague):
    from django.http import Http404

    with pytest.raises(Http404):
        case_get_for_user(colleague, case.pk)


def test_export_masks_ids_and_leaves_notes_out(case, worker, as_user):
    from cases import services

    services.case_add_note(case=case, actor=worker, text="家中矛盾细节，仅限个案社工")
    body = export_csv(as_user(worker)).content.decode("utf-8-sig")
    assert case.person.masked_id_number in body
    assert case.person.id_number not in body
    assert "家中矛盾细节" not in body


def test_the_access_log_says_in_chinese_where_the_file_was_opened(case, worker, head, as_user):
    as_user(worker).get(f"/cases/{case.pk}/")
    as_user(worker).get(f"/admin/cases/case/{case.pk}/change/")
    text = as_user(head).get("/admin/cases/caseaccesslog/").content.decode()
    assert "个案档案页" in text and "管理后台" in text
    assert 'class="field-where">page<' not in text and 'class="field-where">admin<' not in text


def test_typing_another_stations_visit_number_into_a_case_reveals_nothing(
    person_a, other_person, worker, supervisor, other_worker, as_user
):
    from .factories import VisitFactory

    theirs = VisitFactory(person=other_person, worker=other_worker)
    form = {"person": person_a.pk, "worker": worker.pk, "supervisor": supervisor.pk, "source": "visit",
            "source_visit": theirs.pk, "risk_level": "low", "opened_on": "2026-03-01"}  # fmt: skip
    response = as_user(worker).post("/admin/cases/case/add/", form)
    assert response.status_code == 200
    assert other_person.name not in response.content.decode()
