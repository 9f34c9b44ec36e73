"""Holes a security sweep found, each tried from the attacker's side."""

from django.test import Client

from station.models import AuditEvent, Notification, StaffProfile
from station.services import notification_create

from ..factories import PersonFactory, UserFactory


def test_a_head_cannot_make_a_volunteers_account_a_social_worker(head, station, django_user_model, as_user):
    volunteer_login = django_user_model.objects.create_user("13800138000", password="Volunteer-pass-1")
    page = as_user(head).get("/admin/station/staffprofile/add/").content.decode()
    assert "13800138000" not in page
    response = as_user(head).post(
        "/admin/station/staffprofile/add/",
        {"user": volunteer_login.pk, "role": "social_worker", "station": station.pk, "employment": ""},
    )
    assert response.status_code == 200  # the form comes back with an error
    assert not StaffProfile.objects.filter(user=volunteer_login).exists()


def test_a_volunteers_account_given_a_profile_behind_the_admins_back_is_still_not_staff(station, person_a):
    login = UserFactory(username="13900139000", is_staff=False)
    StaffProfile.objects.create(user=login, role="social_worker", station=station)
    client = Client()
    client.force_login(login)
    assert client.get("/cases/visit/new/").status_code == 404
    assert client.get(f"/people/{person_a.pk}/").status_code == 404


def test_a_supervisor_cannot_read_the_audit_trail_or_the_staff_profiles(supervisor, head, as_user):
    assert as_user(supervisor).get("/admin/station/auditevent/").status_code == 403
    assert as_user(supervisor).get("/admin/station/staffprofile/").status_code == 403
    assert as_user(head).get("/admin/station/auditevent/").status_code == 200


def test_twelve_names_from_one_address_lock_that_address(worker):
    sprayer = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(12):
        sprayer.post("/admin/login/", {"username": f"user{n}", "password": "wrong"})
    locked = sprayer.post("/admin/login/", {"username": "worker", "password": "pass-word-123"})
    assert locked.status_code == 429
    assert "尝试次数过多" in locked.content.decode()  # in Chinese, not axes' English
    # The worker at their own desk is not locked out by someone else's spraying.
    desk = Client(REMOTE_ADDR="198.51.100.7")
    assert desk.post("/admin/login/", {"username": "worker", "password": "pass-word-123"}).status_code == 302


def test_a_forged_forwarded_for_header_does_not_dodge_the_count(worker, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(6):
        Client(REMOTE_ADDR="10.0.0.1").post(
            "/admin/login/",
            {"username": f"user{n}", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9",  # the proxy appended the real address last
        )
    locked = Client(REMOTE_ADDR="10.0.0.1").post(
        "/admin/login/",
        {"username": "worker", "password": "pass-word-123"},
        HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.9",
    )
    assert locked.status_code == 429


def test_the_lockout_log_keeps_phone_numbers_masked(db):
    from axes.models import AccessAttempt

    Client().post("/v/login/", {"phone": "13800138000", "password": "wrong-one"})
    Client().post("/admin/login/", {"username": "13800138000", "password": "wrong-one"})
    names = list(AccessAttempt.objects.values_list("username", flat=True))
    assert names and all("13800138000" not in n and n.startswith("138****8000") for n in names)


def test_the_placeholder_keys_of_env_example_are_refused_by_check_deploy(settings):
    from django.core.checks import run_checks

    settings.SECRET_KEY = "change-me-to-a-long-random-string-of-at-least-fifty-characters"
    settings.FIELD_ENCRYPTION_KEY = "change-me-too"
    ids = [e.id for e in run_checks(include_deployment_checks=True)]
    assert ids.count("station.E002") == 2


def test_a_phone_with_a_zero_width_space_or_full_width_digits_is_the_same_number(community_a, worker):
    from station.services import person_save

    person = PersonFactory.build(community=community_a, phone="１３８００１３８０００\u200b", id_number="")
    person_save(person=person, actor=worker)
    assert person.phone == "13800138000"


def test_a_phone_with_letters_or_markup_is_refused(community_a, worker):
    import pytest
    from django.core.exceptions import ValidationError

    from station.services import person_save

    for bad in ("1380013800О", "<b>13800138000</b>", "12345"):  # the first ends in a Cyrillic O
        with pytest.raises(ValidationError, match="手机号|mobile"):
            person_save(
                person=PersonFactory.build(community=community_a, phone=bad, id_number=""), actor=worker
            )


def test_a_notification_never_links_off_the_site(worker, as_user):
    notification_create(recipient=worker, key="x-1", title="点我", url="javascript:alert(1)")
    notification_create(recipient=worker, key="x-2", title="外站", url="//evil.example/")
    Notification.objects.create(recipient=worker, key="x-3", title="旧数据", url="https://evil.example/")
    page = as_user(worker).get("/notifications/").content.decode()
    assert "javascript:" not in page and "evil.example" not in page


def test_opening_a_persons_admin_page_is_written_to_the_audit_trail(person_a, worker, as_user):
    as_user(worker).get(f"/admin/station/person/{person_a.pk}/change/")
    assert AuditEvent.objects.filter(action="view", target_id=str(person_a.pk), actor=worker).exists()


def test_opening_the_printable_monthly_report_is_written_to_the_audit_trail(head, station, as_user):
    response = as_user(head).get(f"/dashboard/station/{station.pk}/report/?from=2025-07&to=2025-08")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="view", target_type="station.Station", actor=head).exists()


def test_a_ten_megabyte_case_note_is_refused_with_a_message_and_nothing_is_stored(
    person_a, worker, supervisor, as_user
):
    import pytest
    from django.core.exceptions import ValidationError

    from cases import services as case_services
    from cases.models import CaseNote
    from tests.cases.factories import CaseFactory

    case = CaseFactory(person=person_a, worker=worker, supervisor=supervisor)
    huge = "长" * (10 * 1024 * 1024 // 3)
    response = as_user(worker).post(f"/cases/{case.pk}/notes/add/", {"text": huge})
    assert response.status_code == 200  # the page comes back with the message
    assert "5000" in response.content.decode()
    with pytest.raises(ValidationError):
        case_services.case_add_note(case=case, actor=worker, text=huge)
    assert not CaseNote.objects.exists()


def test_a_volunteer_signs_in_with_the_number_typed_in_full_width_or_with_an_invisible_space(person_a):
    from tests.volunteers.factories import make_volunteer

    make_volunteer(person_a, password="Volunteer-pass-123")
    client = Client()
    typed = "".join(chr(ord(c) + 0xFEE0) for c in person_a.phone) + "\u200b"  # full-width, then a ZWSP
    response = client.post("/v/login/", {"phone": typed, "password": "Volunteer-pass-123"})
    assert response.status_code == 302 and "_auth_user_id" in client.session


def test_every_free_text_field_of_every_app_has_a_maximum_the_model_enforces():
    from django.apps import apps
    from django.core.validators import MaxLengthValidator
    from django.db import models

    unbounded = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label not in {"auth", "admin", "contenttypes", "sessions", "axes"}
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField)
        and not any(isinstance(v, MaxLengthValidator) for v in field.validators)
    ]
    assert unbounded == []
