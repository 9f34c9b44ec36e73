"""A station head reads the admin in Chinese: no English words where a label belongs."""



def test_the_person_page_links_to_the_journey_in_chinese(head, person_a, as_user):
    page = as_user(head).get(f"/admin/station/person/{person_a.pk}/change/").content.decode()
    assert "Journey page" not in page
    assert "全景页" in page


def test_the_reveal_page_asks_for_a_reason_in_chinese(head, person_a, as_user):
    page = as_user(head).get(f"/admin/station/person/{person_a.pk}/reveal-id/").content.decode()
    assert "Why do you need" not in page and "On file" not in page
    assert "为什么需要查看完整号码" in page
