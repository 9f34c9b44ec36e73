"""The platform's monthly figures per community."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from station.periods import month_period
from stats.registry import all_metrics
from talent import stats as talent_stats
from talent.models import MentoringPair, SupervisionSession, TalentProfile
from tests.helpers import OneStation

from .factories import CEHoursFactory, ExamYearFactory, make_group, make_session, sit

stats = OneStation(talent_stats)


def test_the_metrics_are_registered_with_known_units():
    names = {m.name for m in all_metrics()}
    assert {"talent.social_workers_trained", "talent.passes_assistant", "talent.ce_hours"} <= names


def test_exam_candidates_and_passes_by_level(station, community_a, person_a, person_b, worker):
    ExamYearFactory(year=2024)
    sit(person_a, 2024, {"assistant_general": 70, "assistant_practice": 66}, worker)
    sit(person_b, 2024, {"assistant_general": 40, "assistant_practice": 66}, worker)
    june, august = month_period(station, 2024, 6), month_period(station, 2024, 8)
    assert stats.exam_candidates(june)["total"] == 2
    assert stats.METRIC_PASSES["assistant"](august) == {community_a.pk: 1}


def test_supervision_ce_and_mentoring_figures(station, community_a, person_a, person_b, worker):
    session = SupervisionSession.objects.create(
        station=station, supervisor_name="王教授", held_on=date(2025, 4, 3), hours=2, topic="个案督导"
    )
    session.supervisees.set([person_a, person_b])
    CEHoursFactory(person=person_a, completed_on=date(2025, 4, 9), hours=6)
    MentoringPair.objects.create(
        station=station, mentor=person_b, mentee=person_a, starts_on=date(2025, 1, 1)
    )
    april = month_period(station, 2025, 4)
    assert stats.supervision_sessions(april) == {None: 1}
    assert stats.supervision_hours(april) == {None: 2.0}
    assert stats.ce_hours(april) == {community_a.pk: 6.0}
    assert stats.mentoring_pairs_active(april)["total"] == 1


def test_part_timers_on_post_and_study_sessions(station, community_a, person_a, worker):
    TalentProfile.objects.create(
        person=person_a,
        team_role="part_time",
        part_time_since=date(2025, 2, 1),
        supported_since=date(2024, 1, 1),
    )
    assert stats.part_time_on_post(month_period(station, 2025, 1)) == {"total": 0}
    assert stats.part_time_on_post(month_period(station, 2025, 3))["total"] == 1
    group = make_group(station, worker, [person_a])
    session = make_session(group, worker, days_ago=0)
    session.activity.starts_at = datetime.combine(
        date(2025, 5, 10), time(9), tzinfo=ZoneInfo("Asia/Shanghai")
    )
    session.activity.ends_at = session.activity.starts_at
    session.activity.save()
    session.activity.attendances.create(person=person_a)
    may = month_period(station, 2025, 5)
    assert stats.study_sessions(may) == {None: 1}
    assert stats.study_person_times(may) == {None: 1}


def test_each_social_worker_s_supervision_hours_against_the_target(
    station, person_a, person_b, worker, as_user
):
    from django.utils import timezone

    TalentProfile.objects.create(person=person_a, team_role="full_time")
    TalentProfile.objects.create(person=person_b, team_role="part_time", part_time_since=date(2024, 1, 1))
    session = SupervisionSession.objects.create(
        station=station, supervisor_name="陈督导", held_on=timezone.localdate(), hours=3, topic="个案督导"
    )
    session.supervisees.set([person_a])
    page = as_user(worker).get("/talent/supervision-hours/").content.decode()
    assert "已达标" in page and "未达标" in page and person_b.name in page
