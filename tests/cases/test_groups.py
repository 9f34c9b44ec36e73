"""Group work: sessions are casework activities; groups, sessions, people and person-times stay distinct."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from cases import selectors, services
from cases.models import Group
from station.models import Activity
from tests.factories import PersonFactory

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def group(station, community_a, worker):
    return services.group_save(
        group=Group(station=station, community=community_a, title="独居老人互助小组", kind="mutual_aid",
                    worker=worker, planned_sessions=6),
        actor=worker, members=[PersonFactory(community=community_a) for _ in range(4)],
    )  # fmt: skip


def session(group, worker, day, attendees, headcount=0):
    start = datetime(2026, 3, day, 14, 0, tzinfo=TZ)
    return services.group_session_record(
        group=group, actor=worker, starts_at=start, ends_at=start + timedelta(hours=2),
        attendees=attendees, headcount=headcount,
    )  # fmt: skip


def test_sessions_are_casework_activities_with_distinct_counts(group, worker):
    a, b, c, _d = group.members.all()
    first = session(group, worker, 5, [a, b, c], headcount=2)
    session(group, worker, 12, [a, b], headcount=1)
    activity = first.activity
    assert (activity.platform, activity.kind, activity.community) == (
        "casework",
        "group_session",
        group.community,
    )
    assert [s.number for s in group.sessions.all()] == [1, 2]
    counts = selectors.group_counts(group)
    assert counts == {"sessions": 2, "participants": 3, "person_times": 8, "members": 4}
    assert Activity.objects.filter(platform="casework").count() == 2


def test_attendees_must_live_in_the_station(group, worker, other_person):
    with pytest.raises(ValidationError):
        session(group, worker, 5, [other_person])
    assert not group.sessions.exists()


def test_worker_records_a_session_on_the_group_page(group, worker, as_user):
    members = list(group.members.all())
    response = as_user(worker).post(
        f"/cases/groups/{group.pk}/",
        {"starts_at": "2026-03-05T14:00", "duration_minutes": "90", "place": "活动室",
         "attendees": [members[0].pk, members[1].pk], "headcount": "3"},
    )  # fmt: skip
    assert response.status_code == 302
    page = as_user(worker).get(f"/cases/groups/{group.pk}/").content.decode()
    assert "1/6" in page
    assert selectors.group_counts(group)["person_times"] == 5


def test_group_page_is_for_the_groups_station(group, other_worker, cadre_a, as_user):
    assert as_user(other_worker).get(f"/cases/groups/{group.pk}/").status_code == 404
    assert as_user(cadre_a).get(f"/cases/groups/{group.pk}/").status_code == 404


def test_a_person_from_another_community_attends_and_joins_the_group(group, worker, as_user, community_b):
    members = list(group.members.all())
    newcomer = PersonFactory(community=community_b, name="韩南新人")
    client = as_user(worker)
    form = {"starts_at": "2026-03-05T14:00", "duration_minutes": "90", "place": "活动室", "headcount": "0"}
    page = client.post(
        f"/cases/groups/{group.pk}/", {**form, "attendees": [members[0].pk], "q": "韩南新", "find": "1"}
    )
    text = page.content.decode()
    assert "韩南新人 · 韩南村（非成员）" in text  # offered though not a member, from another community
    assert not group.sessions.exists()  # finding saves nothing
    response = client.post(
        f"/cases/groups/{group.pk}/",
        {**form, "attendees": [members[0].pk, newcomer.pk], "newcomers_join": "on", "save": "1"},
    )
    assert response.status_code == 302
    session = group.sessions.get()
    assert set(session.activity.attendees.all()) == {members[0], newcomer}
    assert newcomer in group.members.all() and group.members.count() == 5
    assert "韩南新人" in client.get(f"/cases/groups/{group.pk}/").content.decode()


def test_a_newcomer_may_attend_without_joining(group, worker, as_user, community_b):
    newcomer = PersonFactory(community=community_b)
    response = as_user(worker).post(
        f"/cases/groups/{group.pk}/",
        {
            "starts_at": "2026-03-05T14:00",
            "duration_minutes": "90",
            "headcount": "0",
            "attendees": [newcomer.pk],
        },
    )
    assert response.status_code == 302
    assert newcomer in group.sessions.get().activity.attendees.all()
    assert newcomer not in group.members.all()


def test_a_person_of_another_station_is_neither_found_nor_accepted(group, worker, as_user, other_person):
    client = as_user(worker)
    form = {"starts_at": "2026-03-05T14:00", "duration_minutes": "90", "headcount": "0"}
    page = client.post(f"/cases/groups/{group.pk}/", {**form, "q": other_person.name, "find": "1"})
    assert 'data-testid="found-none"' in page.content.decode()
    page = client.post(
        f"/cases/groups/{group.pk}/", {**form, "attendees": [other_person.pk], "newcomers_join": "on"}
    )
    assert page.status_code == 200 and not group.sessions.exists()
    assert other_person not in group.members.all()
