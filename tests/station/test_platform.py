"""Sign-in safety, sessions, health, evidence files, the audit trail and demo data."""

import io
import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from station.middleware import SIGNED_IN_AT
from station.models import (
    Activity,
    AuditEvent,
    Community,
    Designation,
    Evidence,
    Person,
    StaffProfile,
    Station,
)

from ..factories import ActivityFactory
from ..helpers import require_postgresql

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_login_locks_out_after_five_failures(worker):
    client = Client()
    for _ in range(5):
        client.post("/admin/login/", {"username": "worker", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "worker", "password": "pass-word-123"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_login_works_with_the_right_password(worker):
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": "worker", "password": "pass-word-123"})
    assert response.status_code == 302
    assert client.session.get(SIGNED_IN_AT)


def test_session_ends_twelve_hours_after_sign_in_even_if_active(worker):
    client = Client()
    client.post("/admin/login/", {"username": "worker", "password": "pass-word-123"})
    session = client.session
    session[SIGNED_IN_AT] = time.time() - 12 * 3600 - 1
    session.save()
    response = client.get("/admin/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_session_idle_for_thirty_minutes_ends_and_activity_keeps_it_alive(worker):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client = Client()
    client.post("/admin/login/", {"username": "worker", "password": "pass-word-123"})
    key = client.session.session_key
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(minutes=5))
    assert client.get("/admin/").status_code == 200  # active: the half hour starts again
    renewed = Session.objects.get(pk=key).expire_date - timezone.now()
    assert timedelta(minutes=29) < renewed <= timedelta(minutes=30)
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))  # 30 min idle
    response = client.get("/admin/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_healthz_reports_database_as_json(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def test_evidence_is_checked_by_content_and_never_served_as_html(head, station, as_user):
    activity = ActivityFactory(station=station)
    client = as_user(head)
    fake = SimpleUploadedFile(
        "photo.png", b"<html><script>alert(1)</script></html>", content_type="image/png"
    )
    from station.admin import EvidenceForm

    form = EvidenceForm(data={"caption": "x"}, files={"file": fake}, instance=Evidence(activity=activity))
    assert not form.is_valid()
    assert "PDF" in str(form.errors)
    real = SimpleUploadedFile("photo.png", PNG, content_type="text/html")
    form = EvidenceForm(
        data={"caption": "签到表"}, files={"file": real}, instance=Evidence(activity=activity)
    )
    assert form.is_valid(), form.errors
    evidence = form.save()
    response = client.get(f"/evidence/{evidence.pk}/")
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG


def test_evidence_over_the_size_limit_is_refused(station, settings):
    from station.files import sniff_evidence

    settings.EVIDENCE_MAX_BYTES = 10
    with pytest.raises(ValidationError):
        sniff_evidence(SimpleUploadedFile("a.png", PNG))


def test_evidence_of_another_station_is_not_found(other_worker, station, as_user):
    activity = ActivityFactory(station=station)
    evidence = Evidence.objects.create(
        activity=activity, file=SimpleUploadedFile("a.png", PNG), content_type="image/png"
    )
    assert as_user(other_worker).get(f"/evidence/{evidence.pk}/").status_code == 404


def test_audit_events_cannot_be_edited_or_deleted(head, person_a):
    event = AuditEvent.objects.create(actor=head, action="view", target_type="station.Person", target_id="1")
    event.reason = "changed"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()


def test_opening_a_person_page_is_logged(worker, person_a, as_user):
    as_user(worker).get(f"/people/{person_a.pk}/")
    assert AuditEvent.objects.filter(action="view", actor=worker, target_id=str(person_a.pk)).count() == 1


def test_activity_counts_people_and_person_times(station, person_a, person_b):
    activity = ActivityFactory(station=station, headcount=30)
    activity.attendances.create(person=person_a)
    activity.attendances.create(person=person_b)
    assert activity.person_times == 32


def test_activity_cannot_end_before_it_starts(station):
    from django.db import IntegrityError, transaction

    activity = ActivityFactory.build(station=station)
    activity.ends_at = activity.starts_at - timedelta(minutes=1)
    with pytest.raises(ValidationError):
        activity.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        activity.save()


def test_seed_demo_twice_leaves_the_same_counts(db):
    def counts():
        return [m.objects.count() for m in (Station, Community, Person, Designation, StaffProfile, Activity)]

    call_command("seed_demo", people=60, stdout=io.StringIO())
    first = counts()
    call_command("seed_demo", people=60, stdout=io.StringIO())
    assert counts() == first
    assert first[1] == 14 and first[2] == 60
    assert Community.objects.get(name="丰京苑社区").households == 2537


@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_the_same_id_number_from_two_concurrent_sessions(community_a):
    """Two workers register the same resident at the same moment: the database keeps exactly one."""
    require_postgresql()
    import threading

    from django.db import IntegrityError, connection, transaction

    from ..factories import valid_id_number

    number = valid_id_number(community_a.station.opened_on.replace(year=1950))
    barrier = threading.Barrier(2)
    outcomes = []

    def register(name):
        try:
            with transaction.atomic():
                person = Person(name=name, community=community_a, id_number=number)
                person.full_clean()  # both pass: neither sees the other's uncommitted row
                barrier.wait(timeout=10)
                person.save()
            outcomes.append("saved")
        except IntegrityError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(n,)) for n in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "saved"]
    assert Person.objects.filter(name__in=["甲", "乙"]).count() == 1


def test_interface_is_chinese_even_for_an_english_browser(db):
    page = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/admin/login/").content.decode()
    assert "登录" in page


def test_english_is_available_by_choice(db):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/admin/login/"})
    assert "Log in" in client.get("/admin/login/").content.decode()


def test_a_cadre_cannot_open_the_evidence_files_of_activities_in_view(cadre_a, worker, station, as_user):
    """Sign-in sheets carry names and phone numbers of people from every community: staff only."""
    activity = ActivityFactory(station=station, community=None)
    evidence = Evidence.objects.create(
        activity=activity, file=SimpleUploadedFile("sheet.png", PNG), content_type="image/png"
    )
    assert as_user(cadre_a).get(f"/evidence/{evidence.pk}/").status_code == 404
    assert as_user(worker).get(f"/evidence/{evidence.pk}/").status_code == 200


def test_evidence_whose_file_is_gone_is_not_found(worker, station, as_user):
    activity = ActivityFactory(station=station)
    evidence = Evidence.objects.create(
        activity=activity, file=SimpleUploadedFile("gone.png", PNG), content_type="image/png"
    )
    evidence.file.storage.delete(evidence.file.name)
    assert as_user(worker).get(f"/evidence/{evidence.pk}/").status_code == 404


def test_person_page_reads_designations_once(worker, person_a, as_user):
    from datetime import date

    from ..factories import DesignationFactory

    for year in range(2015, 2025):
        DesignationFactory(
            person=person_a, kind="low_income", start_date=date(year, 1, 1), end_date=date(year, 6, 30)
        )
    client = as_user(worker)
    client.get(f"/people/{person_a.pk}/")  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/people/{person_a.pk}/").status_code == 200
    designation_reads = [q for q in ctx.captured_queries if 'FROM "station_designation"' in q["sql"]]
    assert len(designation_reads) == 1
