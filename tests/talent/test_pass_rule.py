"""The national exam's rule for "passed the level", one function, with its carry-over windows."""

from decimal import Decimal

import pytest

from talent.models import Certificate, ExamAttempt
from talent.rules import level_pass_year

from .factories import ExamYearFactory, sit

ASSISTANT = ["assistant_general", "assistant_practice"]
INTERMEDIATE = ["intermediate_general", "intermediate_law", "intermediate_practice"]


def test_assistant_passes_with_both_subjects_in_one_year():
    assert (
        level_pass_year(
            "assistant", ASSISTANT, {"assistant_general": {2024}, "assistant_practice": {2024}}, set()
        )
        == 2024
    )


def test_assistant_subjects_do_not_carry_over_to_the_next_year():
    passed = {"assistant_general": {2024}, "assistant_practice": {2025}}
    assert level_pass_year("assistant", ASSISTANT, passed, set()) is None


def test_intermediate_passes_with_subjects_across_two_consecutive_years():
    passed = {"intermediate_general": {2024}, "intermediate_law": {2024}, "intermediate_practice": {2025}}
    assert level_pass_year("intermediate", INTERMEDIATE, passed, set()) == 2025


def test_an_intermediate_subject_expires_when_the_two_year_window_passes():
    passed = {"intermediate_general": {2023}, "intermediate_law": {2025}, "intermediate_practice": {2025}}
    assert level_pass_year("intermediate", INTERMEDIATE, passed, set()) is None


def test_an_expired_subject_passed_again_completes_the_level():
    passed = {
        "intermediate_general": {2023, 2026},
        "intermediate_law": {2025},
        "intermediate_practice": {2025},
    }
    assert level_pass_year("intermediate", INTERMEDIATE, passed, set()) == 2026


def test_senior_needs_the_practice_subject_then_the_review():
    assert level_pass_year("senior", ["senior_practice"], {"senior_practice": {2025}}, set()) is None
    assert level_pass_year("senior", ["senior_practice"], {"senior_practice": {2025}}, {2025}) == 2025


@pytest.mark.django_db
def test_recorded_scores_pass_the_assistant_level_and_make_the_certificate(person_a, worker):
    attempt = sit(person_a, 2024, {"assistant_general": 72, "assistant_practice": 60}, worker)
    assert attempt.result == ExamAttempt.Result.PASSED
    certificate = Certificate.objects.get(person=person_a)
    assert certificate.year_passed == 2024 and certificate.level.code == "assistant"


@pytest.mark.django_db
def test_a_score_under_the_mark_is_not_a_pass(person_a, worker):
    attempt = sit(person_a, 2024, {"assistant_general": 72, "assistant_practice": Decimal("59.5")}, worker)
    assert attempt.result == ExamAttempt.Result.NOT_YET
    assert not Certificate.objects.exists()


@pytest.mark.django_db
def test_the_pass_mark_is_the_exam_years_own(person_a, worker):
    ExamYearFactory(year=2024, pass_mark=55)
    attempt = sit(person_a, 2024, {"assistant_general": 56, "assistant_practice": 58}, worker)
    assert attempt.result == ExamAttempt.Result.PASSED


@pytest.mark.django_db
def test_intermediate_recorded_over_two_years_passes_in_the_second(person_a, worker):
    first = sit(
        person_a,
        2024,
        {"intermediate_general": 65, "intermediate_law": 70, "intermediate_practice": 40},
        worker,
    )
    assert first.result == ExamAttempt.Result.NOT_YET
    second = sit(person_a, 2025, {"intermediate_practice": 61}, worker)
    assert second.result == ExamAttempt.Result.PASSED
    assert Certificate.objects.get(person=person_a).year_passed == 2025


@pytest.mark.django_db
def test_intermediate_subject_from_two_years_before_has_expired(person_a, worker):
    sit(
        person_a,
        2023,
        {"intermediate_general": 65, "intermediate_law": 40, "intermediate_practice": 40},
        worker,
    )
    last = sit(
        person_a,
        2025,
        {"intermediate_law": 70, "intermediate_practice": 61, "intermediate_general": 30},
        worker,
    )
    assert last.result == ExamAttempt.Result.NOT_YET
    assert not Certificate.objects.exists()


@pytest.mark.django_db
def test_senior_passes_only_after_the_review(person_a, worker):
    attempt = sit(person_a, 2025, {"senior_practice": 70}, worker)
    assert attempt.result == ExamAttempt.Result.PENDING
    attempt = sit(person_a, 2025, {"senior_practice": 70}, worker, review=True)
    assert attempt.result == ExamAttempt.Result.PASSED
