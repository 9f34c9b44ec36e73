"""Scores recorded at the same moment by several workers: one certificate, the person counted once."""

import threading

import pytest
from django.db import connection

from talent import services
from talent.models import Certificate, ExamAttempt, TalentProfile
from tests.helpers import require_postgresql

from .factories import ExamYearFactory, TalentProfileFactory, level, subject


@pytest.mark.django_db(transaction=True)
def test_concurrent_score_entries_make_one_certificate_and_count_the_person_once(person_a, worker):
    require_postgresql()
    services.exam_levels_ensure()
    TalentProfileFactory(person=person_a)
    attempt = services.attempt_register(
        person=person_a, exam_year=ExamYearFactory(year=2024), level=level("assistant"), actor=worker
    )
    scores = {subject("assistant_general"): 70, subject("assistant_practice"): 65}
    barrier, errors = threading.Barrier(8), []

    def enter():
        try:
            barrier.wait()
            services.scores_record(
                attempt=ExamAttempt.objects.get(pk=attempt.pk), scores=scores, actor=worker
            )
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=enter) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Certificate.objects.filter(person=person_a).count() == 1
    assert TalentProfile.objects.get(person=person_a).local_counted_on is not None
    assert ExamAttempt.objects.get(pk=attempt.pk).result == ExamAttempt.Result.PASSED
