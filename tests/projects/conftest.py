"""A contest with two rounds, each on its own copy of a two-criterion rubric (方案 ≤ 50, 预算 ≤ 50, so a
judge's weighted total is the plain sum), and judges with their own sign-ins."""

from decimal import Decimal

import pytest

from projects import services
from projects.models import Application, Entry

from .factories import ContestFactory, make_rubric


@pytest.fixture
def contest(station, worker):
    contest = ContestFactory(station=station, budget=Decimal("50000"))
    template = make_rubric(station)
    services.contest_round_add(contest=contest, name="初审", actor=worker, rubric=template)
    services.contest_round_add(contest=contest, name="路演", actor=worker, rubric=template)
    return contest


@pytest.fixture
def first_round(contest):
    return contest.rounds.get(order=1)


@pytest.fixture
def make_judge(station, worker):
    counter = iter(range(1, 100))

    def make(name=None):
        n = next(counter)
        return services.judge_create(
            station=station,
            name=name or f"评委{n}",
            username=f"judge{n}",
            password="judge-pass-123",
            actor=worker,
        )

    return make


@pytest.fixture
def apply(contest, worker):
    def make(title="社区书画社", applicant="书画兴趣小组", asked="20000", target=None):
        application = Application(
            contest=target or contest, title=title, applicant_name=applicant, leader_name="王秀芳",
            proposal="方案", budget_asked=Decimal(asked),
        )  # fmt: skip
        return services.application_submit(application=application, actor=worker)

    return make


def entry_of(application, contest_round):
    return Entry.objects.get(application=application, round=contest_round)


def score(assignment, judge, first, second, conflict="none"):
    """Declare (no conflict by default) and score 方案 = first, 预算 = second."""
    services.conflict_declare(assignment=assignment, conflict=conflict, note="" if conflict == "none" else "亲属",
                              actor=judge.user)  # fmt: skip
    criteria = list(assignment.entry.round.rubric.criteria.order_by("order"))
    return services.scorecard_submit(
        assignment=assignment,
        scores={criteria[0].pk: Decimal(first), criteria[1].pk: Decimal(second)},
        actor=judge.user,
    )
