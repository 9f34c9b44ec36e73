"""The dashboards' figures are rendered once per scope and month and kept until the next rollup run: a new run
(or a revision, or the month to date's recompute) shows at once, nobody sees a page outside their scope
through the cache, and a page served from the cache costs a handful of queries."""

from datetime import date, timedelta

import pytest

from station.models import StaffProfile
from station.registry import dashboard_panels
from stats.rollup import rollup_month
from tests.factories import make_staff

from .stats_helpers import local, make_activity

NOVEMBER, DECEMBER = date(2026, 11, 1), date(2026, 12, 1)


def card(text, metric):
    start = text.index(f'data-metric="{metric}"')
    return text[start : text.index("</div>\n      </div>\n    </div>", start)]


def month_figure(text, metric="station.person_times"):
    return card(text, metric).split('data-testid="card-month">', 1)[1].split("<", 1)[0]


def to_date_figure(text, metric="station.person_times"):
    to_date = card(text, metric).split('data-testid="card-to-date">', 1)[1]
    return to_date.split('<strong class="text-body">', 1)[1].split("<", 1)[0]


def district_row(text, station):
    return text.split(f"{station.name}</a></th>", 1)[1].split("</tr>", 1)[0]


@pytest.fixture
def november(station, community_a, community_b, person_a, person_b, time_machine):
    """November closed and rolled up at 02:00 on 1 December: 人次 11 in A, 21 in B, 32 for the station."""
    make_activity(station, at=local(2026, 11, 3), community=community_a, headcount=10, people=[person_a])
    make_activity(station, at=local(2026, 11, 4), community=community_b, headcount=20, people=[person_b])
    time_machine.move_to(local(2026, 12, 1, 2, 0), tick=False)
    rollup_month(station=station, month=NOVEMBER)
    time_machine.move_to(local(2026, 12, 1, 9, 0), tick=False)


@pytest.fixture
def cadre_b(station, community_b):
    return make_staff(StaffProfile.Role.CADRE, station=station, communities=[community_b], username="cadre_b")


def test_a_new_run_of_the_month_shows_at_once(november, head, station, community_a, as_user, time_machine):
    client = as_user(head)
    page = f"/dashboard/station/{station.pk}/?month=2026-11"
    assert month_figure(client.get(page).content.decode()) == "32"
    make_activity(station, at=local(2026, 11, 20), community=community_a, headcount=100)  # a late record
    assert month_figure(client.get(page).content.decode()) == "32"  # the rollup has not run yet

    time_machine.move_to(local(2026, 12, 1, 9, 5), tick=False)
    rollup_month(station=station, month=NOVEMBER)  # the catch-up revises the final month
    text = client.get(page).content.decode()
    assert month_figure(text) == "132"
    assert 'data-testid="revised"' in text
    assert 'data-testid="as-of-month">数据截至 12月1日 09:05<' in text
    community = client.get(f"{page}&community={community_a.pk}").content.decode()
    assert month_figure(community) == "111"


def test_the_month_to_date_moves_when_its_recompute_runs(
    november, head, station, community_a, as_user, time_machine
):
    client = as_user(head)
    page = f"/dashboard/station/{station.pk}/?month=2026-11"
    assert to_date_figure(client.get(page).content.decode()) == "0"
    make_activity(station, at=local(2026, 12, 1, 8, 0), community=community_a, headcount=7)
    time_machine.move_to(local(2026, 12, 1, 9, 3), tick=False)
    rollup_month(station=station, month=DECEMBER)  # what the write's queued recompute runs
    assert to_date_figure(client.get(page).content.decode()) == "7"


def test_the_district_overview_shows_a_new_run_at_once(
    november, district_viewer, station, community_a, as_user, time_machine
):
    client = as_user(district_viewer)
    assert ">32<" in district_row(client.get("/dashboard/?month=2026-11").content.decode(), station)
    make_activity(station, at=local(2026, 11, 20), community=community_a, headcount=100)
    time_machine.move_to(local(2026, 12, 1, 9, 5), tick=False)
    rollup_month(station=station, month=NOVEMBER)
    row = district_row(client.get("/dashboard/?month=2026-11").content.decode(), station)
    assert ">132<" in row and "12月1日 09:05" in row


def test_a_cached_page_reaches_nobody_outside_its_scope(
    november, cadre_a, cadre_b, head, other_worker, station, community_a, community_b, as_user
):
    a_page, b_page = f"/dashboard/community/{community_a.pk}/", f"/dashboard/community/{community_b.pk}/"
    station_page = f"/dashboard/station/{station.pk}/"
    cadre_a_client = as_user(cadre_a)
    assert month_figure(cadre_a_client.get(a_page).content.decode()) == "11"
    as_user(head).get(station_page)  # the whole station's figures are cached too

    cadre_b_client = as_user(cadre_b)
    assert cadre_b_client.get(a_page).status_code == 404
    assert cadre_b_client.get(f"{station_page}?community={community_a.pk}").status_code == 404
    assert cadre_b_client.get(station_page).status_code == 404
    assert month_figure(cadre_b_client.get(b_page).content.decode()) == "21"
    assert cadre_a_client.get(b_page).status_code == 404

    other = as_user(other_worker)
    assert other.get(station_page).status_code == 404
    assert other.get(a_page).status_code == 404
    assert station.name not in other.get("/dashboard/").content.decode()


def test_a_district_viewer_sees_only_the_stations_of_their_district(
    november, district_viewer, station, other_station, as_user
):
    rollup_month(station=other_station, month=NOVEMBER)
    mine = as_user(district_viewer).get("/dashboard/?month=2026-11").content.decode()
    assert station.name in mine and other_station.name not in mine
    elsewhere = make_staff(StaffProfile.Role.DISTRICT_VIEWER, district=other_station.district, username="far")
    theirs = as_user(elsewhere).get("/dashboard/?month=2026-11").content.decode()
    assert other_station.name in theirs and station.name not in theirs


@pytest.fixture
def panel_of_the_day():
    """A watch-list panel saying how many are overdue today (``overdue[0]``) and to whom it was shown."""
    overdue = [3]
    real = dict(dashboard_panels._items)
    dashboard_panels._items.clear()

    def panel(scope, user):
        title = f"逾期{overdue[0]}人，给{user.username}看"
        return {"title": title, "template": "stats/dashboard_change.html", "context": {}}

    dashboard_panels.register("testapp", order=1)(panel)
    yield overdue
    dashboard_panels._items.clear()
    dashboard_panels._items.update(real)


def test_the_watch_list_is_each_users_own_and_at_most_a_minute_old(
    november, panel_of_the_day, head, supervisor, cadre_a, station, community_a, as_user, time_machine
):
    page = f"/dashboard/station/{station.pk}/?month=2026-11"
    head_client = as_user(head)
    assert "逾期3人，给head看" in head_client.get(page).content.decode()
    text = as_user(supervisor).get(page).content.decode()
    assert "给supervisor看" in text and "给head看" not in text
    assert "人，给" not in as_user(cadre_a).get(f"/dashboard/community/{community_a.pk}/").content.decode()

    panel_of_the_day[0] = 2  # a visit recorded
    assert "逾期3人" in head_client.get(page).content.decode()
    time_machine.move_to(local(2026, 12, 1, 9, 0) + timedelta(seconds=61), tick=False)
    assert "逾期2人，给head看" in head_client.get(page).content.decode()


def test_each_language_has_its_own_copy(november, head, station, as_user):
    client = as_user(head)
    page = f"/dashboard/station/{station.pk}/?month=2026-11"
    assert "数据截至" in client.get(page).content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": page})
    assert "Figures as of" in client.get(page).content.decode()


def test_a_cache_that_does_not_answer_still_shows_the_page(november, head, station, settings, as_user):
    settings.CACHES = {
        "default": {
            "BACKEND": "station.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    response = as_user(head).get(f"/dashboard/station/{station.pk}/?month=2026-11")
    assert response.status_code == 200
    assert month_figure(response.content.decode()) == "32"


@pytest.mark.parametrize("whose", ["station", "community", "district"])
def test_a_page_served_from_the_cache_costs_a_few_queries(
    november, head, cadre_a, district_viewer, station, community_a, as_user, whose,
    django_assert_max_num_queries,
):  # fmt: skip
    user, page = {
        "station": (head, f"/dashboard/station/{station.pk}/?month=2026-11"),
        "community": (cadre_a, f"/dashboard/community/{community_a.pk}/?month=2026-11"),
        "district": (district_viewer, "/dashboard/?month=2026-11"),
    }[whose]
    client = as_user(user)
    client.get(page)  # renders and keeps the page
    # The session (from the database without a shared cache), the user with her profile, its station and her
    # unread count (one query), the scope she may read, the rollup's stamp: the page itself is not rendered.
    with django_assert_max_num_queries(4):
        again = client.get(page)
    assert again.status_code == 200 and not again.templates


def test_a_cadre_taken_off_a_community_loses_its_kept_dashboard_at_once(
    november, cadre_a, community_a, as_user
):
    client = as_user(cadre_a)
    page = f"/dashboard/community/{community_a.pk}/?month=2026-11"
    assert month_figure(client.get(page).content.decode()) == "11"
    cadre_a.staff_profile.communities.remove(community_a)
    assert client.get(page).status_code == 404
