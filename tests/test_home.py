"""Everyone who signs in lands on their own pages: staff in the admin, cadres on their dashboard, a volunteer
on the phone pages, a judge on the scoring pages."""

from projects.models import Judge
from tests.factories import UserFactory
from tests.volunteers.factories import make_volunteer


def test_each_kind_of_user_lands_on_their_own_home(worker, cadre_a, station, person_a, as_user):
    judge = Judge.objects.create(
        station=station, user=UserFactory(username="pw1", is_staff=False), name="评委甲"
    )
    volunteer = make_volunteer(person_a)
    assert as_user(worker).get("/")["Location"] == "/admin/"
    assert as_user(cadre_a).get("/")["Location"] == "/dashboard/"
    assert as_user(volunteer.user).get("/")["Location"] == "/v/"
    assert as_user(judge.user).get("/")["Location"] == "/projects/judge/"


def test_error_pages_are_in_chinese(cadre_a, other_person, as_user):
    page = as_user(cadre_a).get(f"/people/{other_person.pk}/")
    assert page.status_code == 404
    assert "找不到这个页面" in page.content.decode()
    refused = as_user(cadre_a).get("/admin/station/auditevent/")
    assert refused.status_code == 403
    assert "没有权限" in refused.content.decode()
