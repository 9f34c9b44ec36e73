"""A station head reads the admin in Chinese: no English words where a label belongs."""

from datetime import date

from station.models import AuditEvent
from station.services import audit_record
from stats.rollup import rollup_month
from tests.stats.stats_helpers import local, make_activity


def test_the_person_page_links_to_the_journey_in_chinese(head, person_a, as_user):
    page = as_user(head).get(f"/admin/station/person/{person_a.pk}/change/").content.decode()
    assert "Journey page" not in page
    assert "全景页" in page


def test_the_attendance_inline_heads_its_person_column_in_chinese(head, station, person_a, as_user):
    activity = make_activity(station, at=local(2025, 7, 3), people=[person_a])
    page = as_user(head).get(f"/admin/station/activity/{activity.pk}/change/").content.decode()
    assert ">Person<" not in page and "Person\n" not in page


def test_rollup_rows_name_their_metric_in_chinese(head, station, community_a, as_user):
    make_activity(station, at=local(2025, 7, 3), community=community_a, headcount=3)
    rollup_month(station=station, month=date(2025, 7, 1))
    page = as_user(head).get("/admin/stats/statvalue/?q=station.person_times").content.decode()
    assert "服务人次" in page
    assert ">station.person_times<" not in page


def test_the_audit_trail_names_record_types_and_actions_in_chinese(head, person_a, as_user):
    audit_record(actor=head, action=AuditEvent.Action.UPDATE, target=person_a, changes={"phone": ["1", "2"]})
    client = as_user(head)
    listing = client.get("/admin/station/auditevent/").content.decode()
    assert ">station.Person<" not in listing and "居民" in listing
    event = AuditEvent.objects.get(action="update")
    page = client.get(f"/admin/station/auditevent/{event.pk}/change/").content.decode()
    assert f"{head} update" not in page


def test_the_reveal_page_asks_for_a_reason_in_chinese(head, person_a, as_user):
    page = as_user(head).get(f"/admin/station/person/{person_a.pk}/reveal-id/").content.decode()
    assert "Why do you need" not in page and "On file" not in page
    assert "为什么需要查看完整号码" in page
