"""The admin pages a worker uses daily render in Chinese, and refusals are form errors, not 500s."""

import pytest

from orgs import services
from orgs.models import Filing

from .factories import add_members, full_filing

PAGES = ["communityorg", "membership", "filing", "stage", "needssurvey", "orgactivity", "capacityassessment",
         "annualreview"]  # fmt: skip


@pytest.mark.parametrize("model", PAGES)
def test_list_and_add_pages_open_for_a_worker(as_user, worker, org_a, model):
    client = as_user(worker)
    assert client.get(f"/admin/orgs/{model}/").status_code == 200
    assert client.get(f"/admin/orgs/{model}/add/").status_code in (200, 403)


def test_the_org_page_reads_in_chinese(as_user, worker, org_a):
    page = as_user(worker).get(f"/admin/orgs/communityorg/{org_a.pk}/change/").content.decode()
    assert "法律地位" in page and "孵化" in page


def test_submitting_an_incomplete_filing_in_the_admin_is_a_form_error(as_user, worker, org_a):
    add_members(org_a, worker, 2)
    filing = services.filing_open(org=org_a, actor=worker, materials=["application"])
    response = as_user(worker).post(
        f"/admin/orgs/filing/{filing.pk}/change/", {"materials_ticked": ["application"], "step": "submit"}
    )
    assert response.status_code == 200
    assert "errornote" in response.content.decode() or "errorlist" in response.content.decode()
    filing.refresh_from_db()
    assert filing.status == Filing.Status.DRAFT


def test_returning_a_filing_in_the_admin(as_user, worker, supervisor, org_a):
    filing = full_filing(org_a, worker)
    services.filing_submit(filing=filing, actor=worker)
    response = as_user(supervisor).post(
        f"/admin/orgs/filing/{filing.pk}/change/", {"step": "return", "reason": "名册缺少联系电话"}
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    assert (filing.status, filing.return_reason) == (Filing.Status.RETURNED, "名册缺少联系电话")


def test_starting_incubation_from_the_org_page(as_user, worker, org_a):
    data = {
        "name": org_a.name, "category": "volunteer", "led_by": "station", "community": org_a.community_id,
        "tier": "loose", "move": "start", "move_note": "调研后成立",
        "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0,
        "stage_moves-TOTAL_FORMS": 0, "stage_moves-INITIAL_FORMS": 0,
    }  # fmt: skip
    response = as_user(worker).post(f"/admin/orgs/communityorg/{org_a.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    org_a.refresh_from_db()
    assert org_a.stage.name == "需求调研"
    data["move"], data["move_note"] = "advance", "x"
    response = as_user(worker).post(f"/admin/orgs/communityorg/{org_a.pk}/change/", data)
    assert response.status_code == 200  # checklist not ticked: a form error
    org_a.refresh_from_db()
    assert org_a.stage.name == "需求调研"


@pytest.mark.parametrize("who", ["worker", "cadre_a", "head"])
def test_every_change_page_opens_for_staff_and_a_cadre_of_the_community(as_user, request, worker, org_a, who):
    from orgs.models import CapacityAssessment, NeedsSurvey, OrgActivity

    from .test_assessment import GOOD

    services.incubation_start(org=org_a, actor=worker)
    filing = full_filing(org_a, worker)
    assessment = services.assessment_record(org=org_a, scores=GOOD, occasion="intake", actor=worker)
    from datetime import date

    from station.models import Activity

    start = services.activity_day_start(date(2025, 5, 1))
    activity = services.org_activity_save(
        org_activity=OrgActivity(org=org_a), actor=worker,
        activity=Activity(station=org_a.station, community=org_a.community, title="敬老", starts_at=start, ends_at=start),
    )  # fmt: skip
    survey = services.survey_record(
        survey=NeedsSurvey(station=org_a.station, community=org_a.community, category="arts", wish="跳舞",
                           asked_count=5), actor=worker,
    )  # fmt: skip
    client = as_user(request.getfixturevalue(who))
    urls = [
        f"/admin/orgs/communityorg/{org_a.pk}/change/",
        f"/admin/orgs/filing/{filing.pk}/change/",
        f"/admin/orgs/orgactivity/{activity.pk}/change/",
        f"/admin/orgs/membership/{org_a.memberships.first().pk}/change/",
    ]
    if who != "cadre_a":
        urls += [
            f"/admin/orgs/needssurvey/{survey.pk}/change/",
            f"/admin/orgs/capacityassessment/{assessment.pk}/change/",
        ]
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert CapacityAssessment.objects.count() == 1
