"""A station head reads the admin in Chinese: no English words where a label belongs."""

from .stats_helpers import local, make_activity


def test_the_person_page_links_to_the_journey_in_chinese(head, person_a, as_user):
    page = as_user(head).get(f"/admin/station/person/{person_a.pk}/change/").content.decode()
    assert "Journey page" not in page
    assert "全景页" in page


def test_the_attendance_inline_heads_its_person_column_in_chinese(head, station, person_a, as_user):
    activity = make_activity(station, at=local(2025, 7, 3), people=[person_a])
    page = as_user(head).get(f"/admin/station/activity/{activity.pk}/change/").content.decode()
    assert ">Person<" not in page and "Person\n" not in page


def test_the_reveal_page_asks_for_a_reason_in_chinese(head, person_a, as_user):
    page = as_user(head).get(f"/admin/station/person/{person_a.pk}/reveal-id/").content.decode()
    assert "Why do you need" not in page and "On file" not in page
    assert "为什么需要查看完整号码" in page
