"""The demo seeder: the station's team, the study group, two exams with passes; fast and idempotent."""

import random
import time

from station.demo import seed_demo
from station.models import Activity, Station
from talent.demo import seed_talent
from talent.models import (
    Certificate,
    ExamAttempt,
    MentoringPair,
    MockScore,
    StudyGroup,
    SupervisionSession,
    TalentProfile,
)


def test_the_demo_seeds_the_talent_platform_quickly_and_once(db):
    seed_demo(people=200, skip=("cases", "volunteers", "talent"))
    station = Station.objects.get()
    started = time.process_time()
    seed_talent(station, random.Random(2020))
    assert time.process_time() - started < 5
    assert TalentProfile.objects.filter(team_role="full_time").count() == 3
    assert TalentProfile.objects.filter(team_role="part_time").count() == 12
    assert StudyGroup.objects.get().memberships.count() == 16
    assert Activity.objects.filter(platform="talent").exists() and MockScore.objects.exists()
    assert ExamAttempt.objects.filter(exam_year__year=2024, result="passed").exists()
    assert ExamAttempt.objects.filter(exam_year__year=2025, result="passed").exists()
    assert Certificate.objects.filter(registrations__status="issued").exists()
    assert SupervisionSession.objects.count() == 6 and MentoringPair.objects.count() == 6
    assert TalentProfile.objects.filter(local_counted_on__isnull=False).exists()
    before = TalentProfile.objects.count()
    seed_talent(station, random.Random(2020))
    assert TalentProfile.objects.count() == before
