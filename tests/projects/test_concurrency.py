"""Races on PostgreSQL: concurrent awards never overrun the contest's budget; a judge's double submit scores
once; a tranche released twice at once is released once."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from projects import services
from projects.models import Application, Assignment, Contest, Entry, PrizeTier, ScoreRow, Tranche
from station.models import Rubric, StaffProfile
from tests.factories import make_staff
from tests.helpers import require_postgresql

from .factories import ProjectFactory, make_rubric


def _run_in_threads(n, target):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run(i):
        try:
            barrier.wait()
            results.append(target(i))
        except Exception as exc:  # noqa: BLE001 - the test reports every failure
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_awards_never_overrun_the_budget(station):
    require_postgresql()
    worker = make_staff(StaffProfile.Role.SOCIAL_WORKER, station=station, username="w-race")
    head = make_staff(StaffProfile.Role.STATION_HEAD, station=station, username="h-race")
    contest = Contest.objects.create(station=station, title="大赛", budget=Decimal("50000"))
    services.contest_round_add(contest=contest, name="决赛", actor=worker, rubric=make_rubric(station))
    prize = PrizeTier.objects.create(
        contest=contest, order=1, name="优秀奖", places=10, amount=Decimal("20000")
    )
    entries = []
    for i in range(6):
        application = services.application_submit(
            application=Application(contest=contest, title=f"项目{i}", applicant_name=f"小组{i}", proposal="x",
                                    budget_asked=Decimal(20000)),
            actor=worker,
        )  # fmt: skip
        entries.append(application.entries.get())

    def award(i):
        return services.entry_decide(entry=Entry.objects.get(pk=entries[i].pk), result="awarded", actor=head,
                                     prize=prize)  # fmt: skip

    results, errors = _run_in_threads(6, award)
    assert len(results) == 2  # 2 × 20000 of 50000
    assert Entry.objects.filter(result="awarded").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_judges_double_submit_scores_once(station):
    require_postgresql()
    worker = make_staff(StaffProfile.Role.SOCIAL_WORKER, station=station, username="w-race2")
    contest = Contest.objects.create(station=station, title="大赛", budget=Decimal("50000"))
    first = services.contest_round_add(
        contest=contest, name="初审", actor=worker, rubric=make_rubric(station)
    )
    application = services.application_submit(
        application=Application(
            contest=contest, title="项目", applicant_name="小组", proposal="x", budget_asked=1
        ),
        actor=worker,
    )
    judge = services.judge_create(station=station, name="评委", username="pw-race", password="judge-pass-1",
                                  actor=worker)  # fmt: skip
    assignment = services.assignment_create(judge=judge, entry=application.entries.get(), actor=worker)
    services.conflict_declare(assignment=assignment, conflict="none", actor=judge.user)
    criteria = list(first.rubric.criteria.all())

    def submit(i):
        return services.scorecard_submit(
            assignment=Assignment.objects.get(pk=assignment.pk), scores={c.pk: 40 for c in criteria},
            actor=judge.user,
        )  # fmt: skip

    results, errors = _run_in_threads(5, submit)
    assert len(results) == 1
    assert ScoreRow.objects.filter(assignment=assignment).count() == len(criteria)


@pytest.mark.django_db(transaction=True)
def test_a_tranche_released_twice_at_once_is_released_once(station):
    require_postgresql()
    worker = make_staff(StaffProfile.Role.SOCIAL_WORKER, station=station, username="w-race3")
    head = make_staff(StaffProfile.Role.STATION_HEAD, station=station, username="h-race3")
    project = ProjectFactory(station=station)
    rubric = make_rubric(station, purpose=Rubric.Purpose.EVALUATION)
    criteria = list(rubric.criteria.all())
    services.evaluation_record(project=project, stage="initiation", rubric=rubric, actor=head,
                               scores={c.pk: 45 for c in criteria})  # fmt: skip
    tranche = services.tranche_plan(
        tranche=Tranche(project=project, number=1, amount=1000, after_stage="initiation"), actor=worker
    )
    services.tranche_request(tranche=tranche, actor=worker)
    results, errors = _run_in_threads(
        4, lambda i: services.tranche_release(tranche=Tranche.objects.get(pk=tranche.pk), actor=head)
    )
    assert len(results) == 1 and len(errors) == 3
