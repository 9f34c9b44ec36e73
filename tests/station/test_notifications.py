import pytest
from django.core import mail

from station.models import Notification
from station.services import notification_create, notification_send_email
from station.tasks import send_pending_notifications


def test_the_same_reminder_made_twice_exists_once(worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = notification_create(recipient=worker, key="case-followup:7:2026-11-28", title="个案跟进到期")
        second = notification_create(recipient=worker, key="case-followup:7:2026-11-28", title="个案跟进到期")
    assert first is not None and second is None
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_sending_twice_delivers_once(worker):
    note = Notification.objects.create(recipient=worker, key="k1", title="提醒")
    assert notification_send_email(notification_id=note.pk) is True
    assert notification_send_email(notification_id=note.pk) is False
    assert send_pending_notifications() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [worker.email]


def test_pending_task_catches_up_on_lost_sends(worker):
    Notification.objects.create(recipient=worker, key="a", title="甲")
    Notification.objects.create(recipient=worker, key="b", title="乙")
    assert send_pending_notifications() == 2
    assert send_pending_notifications() == 0
    assert sorted(m.subject for m in mail.outbox) == ["乙", "甲"]


def test_a_worker_stopped_mid_send_leaves_the_email_for_the_sweep(worker, monkeypatch):
    """A worker that dies while an e-mail goes out (here: SystemExit, which no ``except Exception`` catches)
    must not leave that notification marked sent: the next sweep sends it, and nothing is sent twice."""
    from station import services

    for key in "abc":
        Notification.objects.create(recipient=worker, key=key, title=f"提醒{key}")
    real_send, calls = services.send_mail, []

    def dies_on_the_second(**kwargs):
        calls.append(kwargs["subject"])
        if len(calls) == 2:
            raise SystemExit("worker stopped")
        return real_send(**kwargs)

    monkeypatch.setattr(services, "send_mail", dies_on_the_second)
    with pytest.raises(SystemExit):
        send_pending_notifications()
    monkeypatch.setattr(services, "send_mail", real_send)
    assert send_pending_notifications() == 2
    assert send_pending_notifications() == 0
    assert sorted(m.subject for m in mail.outbox) == ["提醒a", "提醒b", "提醒c"]


def test_bell_shows_unread_count_and_reading_clears_it(worker, as_user):
    Notification.objects.create(recipient=worker, key="x", title="入户探访逾期")
    client = as_user(worker)
    page = client.get("/notifications/").content.decode()
    assert "入户探访逾期" in page
    assert 'data-testid="unread-count">1<' in page
    client.post("/notifications/read/")
    assert 'data-testid="unread-count"' not in client.get("/notifications/").content.decode()


def test_admin_header_shows_station_name_and_bell(worker, station, as_user):
    Notification.objects.create(recipient=worker, key="y", title="t")
    page = as_user(worker).get("/admin/").content.decode()
    assert station.name in page
    assert "通知" in page and "(1)" in page


@pytest.mark.django_db
def test_someone_elses_notifications_are_not_listed(worker, head, as_user):
    Notification.objects.create(recipient=head, key="z", title="站长专属")
    assert "站长专属" not in as_user(worker).get("/notifications/").content.decode()


@pytest.mark.parametrize("ids", [["abc"], ["1", "x"], ["99999999999999999999999"], ["²"]])
def test_marking_read_with_a_garbled_id_changes_nothing_and_is_not_an_error(worker, as_user, ids):
    note = Notification.objects.create(recipient=worker, key="k-garbled", title="提醒")
    response = as_user(worker).post("/notifications/read/", {"id": ids})
    assert response.status_code in (302, 400)
    note.refresh_from_db()
    assert note.read_at is None


def test_each_role_finds_its_daily_pages_in_the_header(worker, cadre_a, district_viewer, as_user):
    worker_page = as_user(worker).get("/notifications/").content.decode()
    assert 'href="/cases/visit/new/"' in worker_page and 'href="/dashboard/"' in worker_page
    admin_page = as_user(worker).get("/admin/").content.decode()
    assert 'href="/cases/visit/new/"' in admin_page
    cadre_page = as_user(cadre_a).get("/notifications/").content.decode()
    assert 'href="/dashboard/"' in cadre_page and 'href="/cases/visit/new/"' not in cadre_page
    district_page = as_user(district_viewer).get("/notifications/").content.decode()
    assert 'href="/dashboard/"' in district_page and 'href="/cases/"' not in district_page
