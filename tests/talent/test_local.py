"""A local social worker cultivated (本土社工) is defined once and counted once, in the month it became true."""

from datetime import date

from station.periods import month_period
from talent import services
from talent.models import TalentProfile
from talent.stats import social_workers_trained

from .factories import TalentProfileFactory, sit


def test_passing_the_exam_while_supported_counts_on_the_results_day(person_a, worker):
    TalentProfileFactory(person=person_a, supported_since=date(2023, 9, 1))
    sit(person_a, 2024, {"assistant_general": 70, "assistant_practice": 66}, worker)
    assert TalentProfile.objects.get(person=person_a).local_counted_on == date(2024, 8, 30)


def test_a_person_is_counted_once_even_after_passing_and_going_part_time(station, person_a, worker):
    profile = TalentProfileFactory(person=person_a, supported_since=date(2023, 9, 1))
    profile.team_role, profile.part_time_since = TalentProfile.TeamRole.PART_TIME, date(2024, 3, 1)
    services.talent_profile_save(profile=profile, actor=worker)
    sit(person_a, 2024, {"assistant_general": 70, "assistant_practice": 66}, worker)
    sit(
        person_a,
        2025,
        {"intermediate_general": 70, "intermediate_law": 66, "intermediate_practice": 61},
        worker,
    )
    assert TalentProfile.objects.get(person=person_a).local_counted_on == date(2024, 3, 1)
    counted = [
        sum(v for k, v in social_workers_trained(month_period(station, year, month)).items() if k != "total")
        for year in (2024, 2025)
        for month in range(1, 13)
    ]
    assert sum(counted) == 1
    assert counted[2] == 1  # March 2024


def test_someone_not_from_the_communities_is_not_counted(person_a, worker):
    TalentProfileFactory(person=person_a, is_local=False)
    sit(person_a, 2024, {"assistant_general": 70, "assistant_practice": 66}, worker)
    assert TalentProfile.objects.get(person=person_a).local_counted_on is None


def test_passing_before_the_station_supported_them_does_not_count(person_a, worker):
    TalentProfileFactory(person=person_a, supported_since=date(2025, 1, 1))
    sit(person_a, 2024, {"assistant_general": 70, "assistant_practice": 66}, worker)
    assert TalentProfile.objects.get(person=person_a).local_counted_on is None


def test_the_definition_is_shown_on_a_page(worker, person_a, as_user):
    TalentProfileFactory(person=person_a)
    sit(person_a, 2024, {"assistant_general": 70, "assistant_practice": 66}, worker)
    page = as_user(worker).get("/talent/local/").content.decode()
    assert "本土社工" in page and person_a.name in page
