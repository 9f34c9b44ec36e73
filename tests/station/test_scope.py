"""Who may open what: one table per persona, by URL and in the admin."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from station.models import Person

A, B, OTHER = "person_a", "person_b", "other_person"

# persona -> {(url kind, whose record): expected status}
EXPECTED = {
    "head": {
        ("changelist", None): 200,
        ("change", A): 200,
        ("change", B): 200,
        ("change", OTHER): 404,
        ("page", A): 200,
        ("page", OTHER): 404,
        ("export", None): 200,
    },
    "worker": {
        ("changelist", None): 200,
        ("change", A): 200,
        ("change", B): 200,
        ("change", OTHER): 404,
        ("page", A): 200,
        ("page", B): 200,
        ("page", OTHER): 404,
        ("export", None): 200,
    },
    "supervisor": {("changelist", None): 200, ("change", A): 200, ("page", B): 200, ("page", OTHER): 404},
    "cadre_a": {
        ("changelist", None): 200,
        ("change", A): 200,
        ("change", B): 404,
        ("change", OTHER): 404,
        ("page", A): 200,
        ("page", B): 404,
        ("export", None): 200,
    },
    "other_worker": {
        ("changelist", None): 200,
        ("change", A): 404,
        ("change", OTHER): 200,
        ("page", A): 404,
        ("page", OTHER): 200,
    },
    "district_viewer": {
        ("changelist", None): 403,
        ("change", A): 404,
        ("page", A): 404,
        ("export", None): 403,
    },
    "volunteer": {("changelist", None): 302, ("change", A): 302, ("page", A): 404},
    "anonymous": {("changelist", None): 302, ("change", A): 302, ("page", A): 302, ("export", None): 302},
}

CASES = [
    (persona, kind, whose, status)
    for persona, table in EXPECTED.items()
    for (kind, whose), status in table.items()
]


def url_for(kind, person):
    return {
        "changelist": "/admin/station/person/",
        "change": f"/admin/station/person/{person.pk if person else 0}/change/",
        "page": f"/people/{person.pk if person else 0}/",
        "export": "/admin/station/person/export/",
    }[kind]


@pytest.fixture
def volunteer(db):
    return get_user_model().objects.create_user("13900000000", password="x-pass-123", is_staff=False)


@pytest.mark.parametrize("persona, kind, whose, status", CASES)
def test_scope_table(request, persona, kind, whose, status, person_a, person_b, other_person):
    client = Client()
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    person = request.getfixturevalue(whose) if whose else None
    response = client.get(url_for(kind, person))
    assert response.status_code == status, (persona, kind, whose)


def test_changelist_lists_only_people_in_scope(cadre_a, person_a, person_b, other_person, as_user):
    body = as_user(cadre_a).get("/admin/station/person/").content.decode()
    assert person_a.name in body
    assert person_b.name not in body
    assert other_person.name not in body


def test_cadre_cannot_change_a_person(cadre_a, person_a, as_user):
    response = as_user(cadre_a).post(
        f"/admin/station/person/{person_a.pk}/change/", {"name": "改名", "community": person_a.community_id}
    )
    assert response.status_code == 403
    assert Person.objects.get(pk=person_a.pk).name == person_a.name


def test_worker_of_other_station_cannot_find_a_person_by_id_search(other_worker, person_a, as_user):
    body = as_user(other_worker).get("/admin/station/person/", {"q": person_a.id_number}).content.decode()
    assert person_a.name not in body


def test_person_visible_to_queryset_matches_selector(cadre_a, person_a, person_b):
    assert list(Person.objects.visible_to(cadre_a)) == [person_a]
