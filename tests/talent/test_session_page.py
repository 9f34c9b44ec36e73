"""The tutor's page for a session: attendance and mock scores on one screen; who is falling behind."""

from decimal import Decimal

from station.models import Attendance
from talent import selectors
from talent.models import MockScore, StudySession

from .factories import make_group, make_session, subject


def _post(client, session, data):
    return client.post(f"/talent/sessions/{session.pk}/", data)


def test_the_tutor_records_attendance_and_mock_scores_on_one_screen(
    station, person_a, person_b, worker, as_user
):
    group = make_group(station, worker, [person_a, person_b])
    session = make_session(group, worker)
    s = subject("assistant_general")
    client = as_user(worker)
    page = client.get(f"/talent/sessions/{session.pk}/").content.decode()
    assert person_a.name in page and s.name in page
    response = _post(client, session, {f"present_{person_a.pk}": "on", f"score_{person_a.pk}_{s.pk}": "72.5"})
    assert response.status_code == 302
    assert list(Attendance.objects.filter(activity=session.activity).values_list("person", flat=True)) == [
        person_a.pk
    ]
    assert MockScore.objects.get(person=person_a).score == Decimal("72.5")
    assert session.activity.platform == "talent"


def test_a_mock_score_of_101_is_a_form_error_and_nothing_is_saved(station, person_a, worker, as_user):
    group = make_group(station, worker, [person_a])
    session = make_session(group, worker)
    s = subject("assistant_general")
    response = _post(
        as_user(worker), session, {f"present_{person_a.pk}": "on", f"score_{person_a.pk}_{s.pk}": "101"}
    )
    assert response.status_code == 200
    assert "满分 100" in response.content.decode()
    assert not MockScore.objects.exists() and not Attendance.objects.exists()


def test_a_cadre_cannot_open_the_session_page(station, person_a, worker, cadre_a, as_user):
    session = make_session(make_group(station, worker, [person_a]), worker)
    assert as_user(cadre_a).get(f"/talent/sessions/{session.pk}/").status_code == 404


def test_unchecking_a_member_removes_their_attendance(station, person_a, worker, as_user):
    session = make_session(make_group(station, worker, [person_a]), worker, kind=StudySession.Kind.TUTORING)
    client = as_user(worker)
    _post(client, session, {f"present_{person_a.pk}": "on"})
    _post(client, session, {})
    assert not Attendance.objects.exists()


def test_the_falling_behind_list_names_low_attendance_and_low_mock_scores(station, worker, as_user):
    from tests.factories import PersonFactory

    community = station.communities.create(name="甲社区")
    people = [PersonFactory(community=community) for _ in range(3)]
    good, absent, weak = people
    group = make_group(station, worker, people)
    s = subject("assistant_general")
    from talent import services

    for days_ago in (3, 2):
        session = make_session(group, worker, days_ago=days_ago)
        services.session_record(
            session=session,
            attended={good.pk, weak.pk},
            scores={(good.pk, s.pk): Decimal(80), (weak.pk, s.pk): Decimal(45)},
            actor=worker,
        )
    behind = {row["person"]: row for row in selectors.falling_behind(group)}
    assert set(behind) == {absent, weak}
    assert behind[absent]["rate"] == 0 and behind[weak]["average"] == Decimal("45.0")
    page = as_user(worker).get(f"/talent/groups/{group.pk}/").content.decode()
    assert weak.name in page and "掉队" in page


def test_recording_a_session_takes_a_bounded_number_of_queries(
    station, worker, django_assert_max_num_queries
):
    from talent import services
    from tests.factories import PersonFactory

    community = station.communities.create(name="乙社区")
    people = [PersonFactory(community=community) for _ in range(12)]
    group = make_group(station, worker, people)
    session = make_session(group, worker)
    s = subject("assistant_general")
    with django_assert_max_num_queries(12):
        services.session_record(
            session=session,
            attended={p.pk for p in people},
            scores={(p.pk, s.pk): Decimal(70) for p in people},
            actor=worker,
        )
    assert MockScore.objects.count() == 12


def test_scoring_an_exam_attempt_takes_a_bounded_number_of_queries(
    person_a, worker, django_assert_max_num_queries
):
    from talent import services
    from talent.models import ExamAttempt

    from .factories import sit, subject

    sit(person_a, 2024, {"intermediate_general": 61}, worker)
    attempt = sit(person_a, 2025, {"intermediate_law": 50}, worker)
    scores = {subject("intermediate_law"): 70, subject("intermediate_practice"): 64}
    with django_assert_max_num_queries(50):
        services.scores_record(attempt=attempt, scores=scores, actor=worker)
    assert ExamAttempt.objects.get(pk=attempt.pk).result == ExamAttempt.Result.PASSED
