"""Capacity assessments on the core's rubric, and the annual review."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from orgs import services
from orgs.models import AnnualReview, AssessmentScore, CapacityAssessment
from station.models import Rubric

GOOD = {"基础条件": 16, "内部治理": 24, "工作绩效": "22.5", "社会评价": 18}


def test_a_rubric_score_out_of_range_is_refused_and_nothing_is_saved(org_a, worker):
    with pytest.raises(ValidationError) as exc:
        services.assessment_record(
            org=org_a, scores={**GOOD, "内部治理": 31}, occasion="intake", actor=worker
        )
    # (The core writes the maximum 30.00 as "3E+1": reported to the lead.)
    assert [m for m in exc.value.messages if "内部治理" in m]
    assert not [m for m in exc.value.messages if "工作绩效" in m]
    assert not CapacityAssessment.objects.exists() and not AssessmentScore.objects.exists()


def test_a_missing_score_is_refused(org_a, worker):
    scores = dict(GOOD)
    del scores["社会评价"]
    with pytest.raises(ValidationError):
        services.assessment_record(org=org_a, scores=scores, occasion="intake", actor=worker)


def test_the_default_rubric_has_four_areas_out_of_100_shared_by_every_station(db):
    rubric = services.capacity_rubric_template()
    assert rubric.station is None and rubric.purpose == Rubric.Purpose.CAPACITY
    assert [c.label for c in rubric.criteria.all()] == ["基础条件", "内部治理", "工作绩效", "社会评价"]
    assert sum(c.max_score for c in rubric.criteria.all()) == 100
    assert services.capacity_rubric_template() == rubric


def test_scores_over_time_on_a_working_copy(org_a, worker):
    first = services.assessment_record(org=org_a, scores=GOOD, occasion="intake", actor=worker,
                                       assessed_on=date(2025, 1, 10))  # fmt: skip
    assert first.total == Decimal("80.50")
    assert first.rubric.copied_from == services.capacity_rubric_template()
    # Editing the template later leaves the station's copy (and past scores) alone.
    template = services.capacity_rubric_template()
    template.criteria.filter(label="社会评价").update(max_score=40)
    second = services.assessment_record(org=org_a, scores=GOOD, occasion="review", actor=worker)
    assert second.rubric == first.rubric and second.total == first.total
    assert list(org_a.assessments.order_by("assessed_on").values_list("total", flat=True)) == [
        Decimal("80.50"), Decimal("80.50")
    ]  # fmt: skip


def test_scoring_runs_in_a_bounded_number_of_queries(org_a, worker, django_assert_max_num_queries):
    services.assessment_record(org=org_a, scores=GOOD, occasion="intake", actor=worker)
    with django_assert_max_num_queries(16):
        services.assessment_record(org=org_a, scores=GOOD, occasion="review", actor=worker)


def test_the_annual_review_counts_the_years_activities_and_is_once_a_year(org_a, worker, station):
    from orgs.models import OrgActivity
    from station.models import Activity

    for day in (date(2025, 3, 1), date(2025, 9, 1), date(2024, 9, 1)):
        services.org_activity_save(
            org_activity=OrgActivity(org=org_a), actor=worker,
            activity=Activity(station=station, title="敬老", starts_at=services.activity_day_start(day),
                              ends_at=services.activity_day_start(day)),
        )  # fmt: skip
    review = services.annual_review_record(
        review=AnnualReview(org=org_a, year=2025, committees_satisfaction=95, residents_satisfaction=90,
                            result=AnnualReview.Result.PASSED),
        actor=worker,
    )  # fmt: skip
    assert review.activities_count == 2 and review.recorded_by == worker
    with pytest.raises(ValidationError):
        services.annual_review_record(
            review=AnnualReview(org=org_a, year=2025, committees_satisfaction=95, residents_satisfaction=90,
                                result=AnnualReview.Result.PASSED),
            actor=worker,
        )  # fmt: skip


def test_a_satisfaction_over_100_percent_is_refused(org_a, worker):
    with pytest.raises(ValidationError):
        services.annual_review_record(
            review=AnnualReview(org=org_a, year=2025, committees_satisfaction=120, residents_satisfaction=90,
                                result=AnnualReview.Result.RECTIFY),
            actor=worker,
        )  # fmt: skip


def test_scoring_in_the_admin_with_a_score_out_of_range_is_a_form_error(as_user, worker, org_a):
    services.capacity_rubric_template()
    client = as_user(worker)
    page = client.get("/admin/orgs/capacityassessment/add/")
    form = page.context["adminform"].form
    data = {"org": org_a.pk, "occasion": "intake", "assessed_on": "2025-05-01"}
    for criterion in form.criteria:
        data[f"score_{criterion.pk}"] = criterion.max_score + 1 if criterion.label == "基础条件" else 1
    response = client.post("/admin/orgs/capacityassessment/add/", data)
    assert response.status_code == 200 and "基础条件" in response.content.decode()
    assert not CapacityAssessment.objects.exists()
    data[f"score_{form.criteria[0].pk}"] = 10
    assert client.post("/admin/orgs/capacityassessment/add/", data).status_code == 302
    assert CapacityAssessment.objects.get().total == Decimal("13.00")
