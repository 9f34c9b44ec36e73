"""Staged funding: a tranche is released only once the evaluation before it passed, never by the person who
asked for it, as a dated record of who approved it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from projects import permissions, services
from projects.models import Tranche
from station.models import Rubric

from .factories import ProjectFactory, make_rubric

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(station):
    return ProjectFactory(station=station)


@pytest.fixture
def rubric(station):
    return make_rubric(station, purpose=Rubric.Purpose.EVALUATION, criteria=(("进度", 50), ("成效", 50)))


def _evaluate(project, rubric, actor, first, second, stage="initiation"):
    criteria = list(rubric.criteria.order_by("order"))
    return services.evaluation_record(
        project=project, stage=stage, rubric=rubric, actor=actor,
        scores={criteria[0].pk: Decimal(first), criteria[1].pk: Decimal(second)},
    )  # fmt: skip


def _requested(project, worker, stage="initiation"):
    tranche = services.tranche_plan(
        tranche=Tranche(project=project, number=1, amount=Decimal("15000"), after_stage=stage), actor=worker
    )
    return services.tranche_request(tranche=tranche, actor=worker)


def test_a_tranche_is_refused_before_its_evaluation_passed(project, rubric, worker, head):
    tranche = _requested(project, worker)
    with pytest.raises(ValidationError) as refused:
        services.tranche_release(tranche=tranche, actor=head)
    assert "立项评估" in refused.value.messages[0]
    _evaluate(project, rubric, head, 20, 25)  # 45 < 60: failed, the tranche is held
    assert "未通过" in permissions.can_release_tranche(head, tranche)
    tranche.refresh_from_db()
    assert tranche.status == Tranche.Status.REQUESTED and tranche.released_on is None


def test_once_the_evaluation_passed_the_release_is_a_dated_record_of_who_approved(
    project, rubric, worker, head
):
    tranche = _requested(project, worker)
    evaluation = _evaluate(project, rubric, head, 40, 35)
    assert evaluation.total == Decimal("75.00") and evaluation.passed
    assert evaluation.rubric.copied_from == rubric  # scored on its own copy
    services.tranche_release(tranche=tranche, actor=head)
    tranche.refresh_from_db()
    assert (tranche.status, tranche.approved_by, tranche.released_on) == (
        "released",
        head,
        timezone.localdate(),
    )


def test_the_requester_cannot_approve_their_own_release(project, rubric, supervisor, head):
    tranche = _requested(project, supervisor)
    _evaluate(project, rubric, head, 40, 40)
    with pytest.raises(ValidationError):
        services.tranche_release(tranche=tranche, actor=supervisor)
    with pytest.raises(IntegrityError), transaction.atomic():
        Tranche.objects.filter(pk=tranche.pk).update(
            status="released", approved_by=supervisor, released_on=timezone.localdate()
        )


def test_a_social_worker_cannot_approve_a_release(project, rubric, worker, supervisor, head):
    tranche = _requested(project, supervisor)
    _evaluate(project, rubric, head, 40, 40)
    assert permissions.can_release_tranche(worker, tranche) is not None
    services.tranche_release(tranche=tranche, actor=head)


def test_no_release_for_a_terminated_project(project, rubric, worker, head):
    tranche = _requested(project, worker)
    _evaluate(project, rubric, head, 45, 45)
    services.project_move(project=project, to="terminated", actor=head, reason="停止执行", amount_recovered=0)
    with pytest.raises(ValidationError):
        services.tranche_release(tranche=tranche, actor=head)


def test_releasing_a_tranche_takes_a_bounded_number_of_queries(
    project, rubric, worker, head, django_assert_max_num_queries
):
    tranche = _requested(project, worker)
    _evaluate(project, rubric, head, 45, 45)
    with django_assert_max_num_queries(20):  # a constant: lock, rule checks, validation, update, audit
        services.tranche_release(tranche=tranche, actor=head)


def test_an_evaluation_with_a_missing_score_saves_nothing(project, rubric, head):
    from projects.models import Evaluation

    with pytest.raises(ValidationError):
        services.evaluation_record(project=project, stage="midterm", rubric=rubric, actor=head, scores={})
    assert not Evaluation.objects.exists()
    assert not Rubric.objects.filter(copied_from=rubric).exists()


def test_the_evaluation_page_records_an_evaluation_and_refuses_a_score_out_of_range(
    project, rubric, head, as_user
):
    from projects.models import Evaluation

    criteria = list(rubric.criteria.order_by("order"))
    url = f"/projects/{project.pk}/evaluate/?rubric={rubric.pk}"
    client = as_user(head)
    bad = client.post(url, {"rubric": rubric.pk, "stage": "initiation", f"c{criteria[0].pk}": "80",
                            f"c{criteria[1].pk}": "40"})  # fmt: skip
    assert bad.status_code == 200 and not Evaluation.objects.exists()
    good = client.post(url, {"rubric": rubric.pk, "stage": "initiation", f"c{criteria[0].pk}": "40",
                             f"c{criteria[1].pk}": "30"})  # fmt: skip
    assert good.status_code == 302
    assert Evaluation.objects.get().total == Decimal("70.00")
