"""Certificate registration follows the national system's states; a skipped state is refused."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from talent import services
from talent.models import Certificate, Registration

from .factories import ExamYearFactory, certificate_with_registration, level


@pytest.fixture
def certificate(person_a):
    ExamYearFactory(year=2025)
    return Certificate.objects.create(person=person_a, level=level("assistant"), year_passed=2025)


@pytest.mark.parametrize("to", ["first_approved", "final_approved", "completed", "issued"])
def test_a_registration_that_skips_a_state_is_refused(certificate, worker, to):
    registration = services.registration_open(certificate=certificate, actor=worker, today=date(2025, 9, 1))
    with pytest.raises(ValidationError, match="不能从"):
        services.registration_move(registration=registration, to=to, actor=worker)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.NOT_APPLIED


def test_final_review_cannot_come_before_the_first(certificate, worker):
    registration = services.registration_open(certificate=certificate, actor=worker, today=date(2025, 9, 1))
    services.registration_move(registration=registration, to="pending", actor=worker)
    with pytest.raises(ValidationError):
        services.registration_move(registration=registration, to="final_approved", actor=worker)


def test_a_registration_walks_every_state_and_is_valid_three_years(certificate, worker):
    registration = services.registration_open(certificate=certificate, actor=worker, today=date(2025, 9, 1))
    for state in ["pending", "first_approved", "final_approved", "completed", "issued"]:
        registration = services.registration_move(
            registration=registration, to=state, actor=worker, on=date(2025, 10, 8)
        )
    assert registration.status == "issued"
    assert (registration.valid_from, registration.valid_until) == (date(2025, 10, 8), date(2028, 10, 8))


def test_a_rejected_registration_may_be_submitted_again(certificate, worker):
    registration = services.registration_open(certificate=certificate, actor=worker, today=date(2025, 9, 1))
    services.registration_move(registration=registration, to="pending", actor=worker)
    services.registration_move(registration=registration, to="first_rejected", actor=worker)
    registration = services.registration_move(registration=registration, to="pending", actor=worker)
    assert registration.status == "pending"


def test_the_first_registration_is_refused_more_than_a_year_after_passing(certificate, worker):
    with pytest.raises(ValidationError):
        services.registration_open(certificate=certificate, actor=worker, today=date(2026, 9, 1))
    assert not Registration.objects.exists()


def test_renewal_opens_only_in_the_three_months_before_expiry(person_a, worker):
    certificate, first = certificate_with_registration(person_a, worker, valid_from=date(2023, 1, 10))
    with pytest.raises(ValidationError):
        services.registration_open(certificate=certificate, actor=worker, today=date(2025, 9, 1))
    renewal = services.registration_open(certificate=certificate, actor=worker, today=date(2025, 11, 1))
    assert renewal.kind == Registration.Kind.RENEWAL
    for state in ["pending", "first_approved", "final_approved", "completed"]:
        renewal = services.registration_move(
            registration=renewal, to=state, actor=worker, on=date(2025, 12, 1)
        )
    assert renewal.valid_from == first.valid_until == date(2026, 1, 10)
    assert renewal.valid_until == date(2029, 1, 10)


def test_a_worker_of_another_station_cannot_move_a_registration(certificate, worker, other_worker):
    registration = services.registration_open(certificate=certificate, actor=worker, today=date(2025, 9, 1))
    with pytest.raises(PermissionDenied):
        services.registration_move(registration=registration, to="pending", actor=other_worker)
    registration.refresh_from_db()
    assert registration.status == "not_applied"


def test_the_admin_action_reports_a_skipped_state_and_changes_nothing(certificate, worker, as_user):
    registration = services.registration_open(certificate=certificate, actor=worker, today=date(2025, 9, 1))
    response = as_user(worker).post(
        "/admin/talent/registration/",
        {"action": "move_to_completed", "_selected_action": [registration.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "已跳过" in page and "不能从" in page
    registration.refresh_from_db()
    assert registration.status == "not_applied"
