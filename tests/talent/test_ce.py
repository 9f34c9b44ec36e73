"""Continuing-education hours counted into the registration cycle they fall in; the at-risk list."""

from datetime import date
from decimal import Decimal

from talent import selectors

from .factories import CEHoursFactory, certificate_with_registration


def test_hours_count_only_into_the_cycle_they_fall_in(person_a, worker):
    certificate_with_registration(person_a, worker, valid_from=date(2024, 3, 1))
    CEHoursFactory(person=person_a, completed_on=date(2024, 2, 29), hours=30)  # before the cycle
    CEHoursFactory(person=person_a, completed_on=date(2024, 3, 1), hours=20)  # its first day
    CEHoursFactory(person=person_a, completed_on=date(2026, 12, 1), hours=12)
    CEHoursFactory(person=person_a, completed_on=date(2027, 3, 1), hours=40)  # the next cycle's first day
    progress = selectors.ce_progress(person_a, today=date(2026, 12, 15))
    assert progress.done == Decimal(32)
    assert progress.required == 72  # assistant
    assert progress.missing == Decimal(40)


def test_the_requirement_is_90_hours_for_a_social_worker(person_a, worker):
    certificate_with_registration(person_a, worker, level_code="intermediate", valid_from=date(2024, 3, 1))
    assert selectors.ce_progress(person_a, today=date(2025, 1, 1)).required == 90


def test_the_at_risk_list_names_who_will_not_make_it_before_expiry(station, person_a, person_b, worker):
    certificate_with_registration(person_a, worker, valid_from=date(2024, 3, 1))
    certificate_with_registration(person_b, worker, valid_from=date(2024, 3, 1))
    CEHoursFactory(person=person_a, completed_on=date(2025, 5, 1), hours=72)  # done
    CEHoursFactory(person=person_b, completed_on=date(2025, 5, 1), hours=10)  # far behind
    at_risk = selectors.ce_at_risk(station.pk, today=date(2026, 12, 1))
    assert [p.registration.certificate.person for p in at_risk] == [person_b]
    assert at_risk[0].expires_on == date(2027, 3, 1)


def test_someone_on_pace_early_in_the_cycle_is_not_at_risk(station, person_a, worker):
    certificate_with_registration(person_a, worker, valid_from=date(2024, 3, 1))
    CEHoursFactory(person=person_a, completed_on=date(2024, 6, 1), hours=30)
    assert selectors.ce_at_risk(station.pk, today=date(2024, 9, 1)) == []


def test_the_at_risk_page_lists_them_for_staff_and_404s_for_a_cadre(
    station, person_b, worker, cadre_a, as_user
):
    from datetime import timedelta

    from django.utils import timezone

    certificate_with_registration(person_b, worker, valid_from=timezone.localdate() - timedelta(days=400))
    response = as_user(worker).get("/talent/ce-at-risk/")
    assert response.status_code == 200
    assert person_b.name in response.content.decode()
    assert as_user(cadre_a).get("/talent/ce-at-risk/").status_code == 404
