"""The judges' phone pages: their own sign-in, only their own assignments, scores of others hidden until
their own are in."""

from decimal import Decimal

import pytest
from django.test import Client

from projects import services
from projects.models import Assignment, ScoreRow

from .conftest import entry_of, score
from .factories import ContestFactory, make_rubric

pytestmark = pytest.mark.django_db


def _page(judge, round_id, application_id):
    client = Client()
    client.force_login(judge.user)
    return client, f"/projects/judge/round/{round_id}/application/{application_id}/"


def test_a_judge_signs_in_on_their_own_page_and_sees_their_applications(
    apply, first_round, make_judge, worker
):
    judge = make_judge("张教授")
    application = apply(title="乐龄书画社")
    services.assignment_create(judge=judge, entry=entry_of(application, first_round), actor=worker)
    assert not judge.user.is_staff
    client = Client()
    page = client.get("/projects/judge/login/")
    assert page.status_code == 200 and "评委" in page.content.decode()
    response = client.post(
        "/projects/judge/login/", {"username": judge.user.username, "password": "judge-pass-123"}
    )
    assert response.status_code == 302
    home = client.get("/projects/judge/").content.decode()
    assert "乐龄书画社" in home


def test_a_judge_cannot_open_another_rounds_application(
    apply, contest, first_round, make_judge, worker, head
):
    judge = make_judge()
    application = apply()
    services.assignment_create(judge=judge, entry=entry_of(application, first_round), actor=worker)
    from projects.models import Entry

    services.entry_decide(entry=entry_of(application, first_round), result=Entry.Result.ADVANCED, actor=head)
    second = contest.rounds.get(order=2)
    client, url = _page(judge, first_round.pk, application.pk)
    assert client.get(url).status_code == 200
    _client, other_round = _page(judge, second.pk, application.pk)
    assert client.get(other_round).status_code == 404


def test_a_judge_cannot_open_another_contests_application(apply, first_round, make_judge, station, worker):
    judge = make_judge()
    services.assignment_create(judge=judge, entry=entry_of(apply(), first_round), actor=worker)
    elsewhere = ContestFactory(station=station)
    other_round = services.contest_round_add(
        contest=elsewhere, name="初审", actor=worker, rubric=make_rubric(station)
    )
    stranger = apply(title="别的大赛的申报", target=elsewhere)
    client, url = _page(judge, other_round.pk, stranger.pk)
    assert client.get(url).status_code == 404
    assert "别的大赛的申报" not in client.get("/projects/judge/").content.decode()


def test_staff_and_strangers_are_sent_to_the_judges_sign_in(worker, as_user):
    response = as_user(worker).get("/projects/judge/")
    assert response.status_code == 302 and "/projects/judge/login/" in response["Location"]


def test_other_judges_scores_are_hidden_until_you_submit_yours(apply, first_round, make_judge, worker):
    application = apply()
    entry = entry_of(application, first_round)
    early, late = make_judge("早"), make_judge("晚")
    score(services.assignment_create(judge=early, entry=entry, actor=worker), early, 44, 43)  # 87.00
    mine = services.assignment_create(judge=late, entry=entry, actor=worker)
    client, url = _page(late, first_round.pk, application.pk)
    assert "87.00" not in client.get(url).content.decode()
    client.post(url, {"step": "conflict", "conflict": "none", "note": ""})
    criteria = list(first_round.rubric.criteria.order_by("order"))
    response = client.post(url, {"step": "score", f"c{criteria[0].pk}": "30", f"c{criteria[1].pk}": "35.5"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.total == Decimal("65.50")
    assert "87.00" in client.get(url).content.decode()


def test_a_score_out_of_range_on_the_phone_is_a_clear_message_and_nothing_is_saved(
    apply, first_round, make_judge, worker
):
    application = apply()
    judge = make_judge()
    assignment = services.assignment_create(
        judge=judge, entry=entry_of(application, first_round), actor=worker
    )
    client, url = _page(judge, first_round.pk, application.pk)
    client.post(url, {"step": "conflict", "conflict": "none"})
    criteria = list(first_round.rubric.criteria.order_by("order"))
    response = client.post(url, {"step": "score", f"c{criteria[0].pk}": "80", f"c{criteria[1].pk}": "abc"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "50" in body and 'class="text-danger"' in body
    assignment.refresh_from_db()
    assert assignment.submitted_at is None and not ScoreRow.objects.exists()


def test_a_conflict_declared_without_details_is_refused_on_the_page(apply, first_round, make_judge, worker):
    application = apply()
    judge = make_judge()
    assignment = services.assignment_create(
        judge=judge, entry=entry_of(application, first_round), actor=worker
    )
    client, url = _page(judge, first_round.pk, application.pk)
    response = client.post(url, {"step": "conflict", "conflict": "hard", "note": ""}, follow=True)
    assert response.status_code == 200
    assignment.refresh_from_db()
    assert assignment.declared_at is None and assignment.conflict == ""
    assert Assignment.objects.filter(pk=assignment.pk, conflict="hard").count() == 0


def test_a_hard_conflict_shows_the_judge_why_they_cannot_score(apply, first_round, make_judge, worker):
    application = apply()
    judge = make_judge()
    services.assignment_create(judge=judge, entry=entry_of(application, first_round), actor=worker)
    client, url = _page(judge, first_round.pk, application.pk)
    client.post(url, {"step": "conflict", "conflict": "hard", "note": "本人在该组织任职"})
    page = client.get(url).content.decode()
    assert 'data-testid="score-refused"' in page and 'name="step" value="score"' not in page
