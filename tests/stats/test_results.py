"""服务成效: the results table for a month, a half year and since opening, against a fixed data set whose totals
are worked out by hand below; the page and the Excel file; who may see which."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from cases.models import Case, Visit
from station.models import Activity, AuditEvent, Person
from tests.factories import PersonFactory, make_staff

from .stats_helpers import local, make_activity

R, T, OT = Person.Residency.RESETTLED, Person.Residency.TENANT, Person.Residency.OTHER
NR = "未记录"


@pytest.fixture
def records(station, community_a, community_b):
    """Six people, five activities, five visits, two cases; the station opened in January 2026."""
    station.opened_on = date(2026, 1, 1)
    station.save()
    v1 = PersonFactory(community=community_a, residency=R)
    v2 = PersonFactory(community=community_a, residency=R)
    t1 = PersonFactory(community=community_b, residency=T)
    o1 = PersonFactory(community=community_a, residency=OT)
    PersonFactory(community=community_b, residency=T, registered_on=date(2026, 5, 1))  # t2, never takes part
    PersonFactory(  # v3: on the register until March
        community=community_a, residency=R, registered_on=date(2025, 1, 1), moved_out_on=date(2026, 3, 1)
    )
    make_activity(station, at=local(2026, 1, 10), community=community_a, headcount=5, people=[v1, t1])
    make_activity(station, at=local(2026, 3, 15), community=community_b, people=[v1, v2])
    make_activity(station, at=local(2026, 6, 20), community=community_a, headcount=10, people=[t1, o1])
    make_activity(station, at=local(2026, 7, 5), community=community_b, headcount=1, people=[v2])
    group = make_activity(
        station, at=local(2026, 2, 3), community=community_a, headcount=2, people=[v1],
        platform=Activity.Platform.CASEWORK,
    )  # fmt: skip
    group.kind = "group_session"
    group.save()
    worker = make_staff("social_worker", station=station, username="results_worker")
    boss = make_staff("supervisor", station=station, username="results_boss")
    for person, kind, day in [
        (v1, Visit.Kind.PHONE, date(2026, 1, 5)),
        (v1, Visit.Kind.PHONE, date(2026, 1, 20)),
        (t1, Visit.Kind.PHONE, date(2026, 6, 2)),
        (v2, Visit.Kind.HOME, date(2026, 3, 3)),
        (v2, Visit.Kind.HOME, date(2026, 8, 1)),
    ]:
        Visit.objects.create(person=person, kind=kind, visited_on=day, worker=worker)
    for person, opened, closed in [(v1, date(2026, 1, 5), date(2026, 4, 30)), (t1, date(2026, 6, 1), None)]:
        Case.objects.create(
            station=station, person=person, worker=worker, supervisor=boss, source="walk_in",
            stage="closed" if closed else "assessment", opened_on=opened, closed_on=closed,
        )  # fmt: skip
    return station


def figures_on(text):
    """{metric: figure} from the page's results table."""
    out = {}
    for chunk in text.split('<tr data-metric="')[1:]:
        name = chunk.split('"', 1)[0]
        out[name] = chunk.split('data-testid="figure">', 1)[1].split("<", 1)[0]
    return out


def participation_on(text):
    table = text.split('data-testid="results-participation"', 1)[1].split("</table>", 1)[0]
    rows = []
    for row in table.split("<tbody>", 1)[1].split("<tr>")[1:]:
        rows.append(
            [cell.split(">", 1)[1].split("<", 1)[0] for cell in row.split("<t")[1:] if ">" in cell][:7]
        )
    return rows


# (query, figures expected, participation rows: label, people, share, 人次, share, registered, share)
JANUARY = (
    "?from=2026-01&to=2026-01",
    {
        "cases.phone_visits": "2",
        "cases.home_visits": "0",
        "cases.new_cases": "1",
        "cases.open_cases": "1",
        "station.community_activities": "1",
        "station.community_person_times": "7",
        "station.person_times": "7",
        "station.people_served": "2",
        "station.first_time_participants": "2",
        "volunteers.new_volunteers": NR,
        "talent.social_workers_trained": NR,
        "projects.projects_brought_in": NR,
    },  # fmt: skip
    [
        ["回迁村民", "1", "50.0%", "1", "50.0%", "3", "60.0%"],
        ["租户", "1", "50.0%", "1", "50.0%", "1", "20.0%"],
        ["其他居民", "0", "0.0%", "0", "0.0%", "1", "20.0%"],
    ],
)
HALF_YEAR = (
    "?from=2026-01&to=2026-06",
    {
        "cases.phone_visits": "3",
        "cases.home_visits": "1",
        "cases.new_cases": "2",
        "cases.open_cases": "1",
        "station.community_activities": "3",
        "station.community_person_times": "21",
        "station.person_times": "24",
        "station.people_served": "4",
        "station.first_time_participants": "4",
        "volunteers.approved_hours": NR,
    },  # fmt: skip
    [
        ["回迁村民", "2", "50.0%", "4", "57.1%", "2", "40.0%"],
        ["租户", "1", "25.0%", "2", "28.6%", "2", "40.0%"],
        ["其他居民", "1", "25.0%", "1", "14.3%", "1", "20.0%"],
    ],
)
SINCE_OPENING = (
    "",
    {
        "cases.phone_visits": "3",
        "cases.home_visits": "2",
        "cases.new_cases": "2",
        "cases.open_cases": "1",
        "station.community_activities": "4",
        "station.community_person_times": "23",
        "station.person_times": "26",
        "station.people_served": "4",
        "station.first_time_participants": "4",
    },  # fmt: skip
    [
        ["回迁村民", "2", "50.0%", "5", "62.5%", "2", "40.0%"],
        ["租户", "1", "25.0%", "2", "25.0%", "2", "40.0%"],
        ["其他居民", "1", "25.0%", "1", "12.5%", "1", "20.0%"],
    ],
)


def _label(cell):
    return {"resettled villagers": "回迁村民", "tenants": "租户", "others": "其他居民"}.get(cell, cell)


@pytest.mark.parametrize("query, expected, participation", [JANUARY, HALF_YEAR, SINCE_OPENING])
def test_the_results_page_adds_up_to_the_unit(head, records, as_user, query, expected, participation):
    response = as_user(head).get(f"/dashboard/station/{records.pk}/results/{query}")
    assert response.status_code == 200
    text = response.content.decode()
    shown = figures_on(text)
    for name, value in expected.items():
        assert shown[name] == value, name
    assert [[_label(row[0]), *row[1:]] for row in participation_on(text)] == participation


@pytest.mark.parametrize("query, expected, participation", [JANUARY, HALF_YEAR, SINCE_OPENING])
def test_the_results_workbook_holds_the_same_figures(head, records, as_user, query, expected, participation):
    response = as_user(head).get(f"/dashboard/station/{records.pk}/results.xlsx{query}")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert ws.title == "服务成效" and "服务成效" in ws["A1"].value
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    by_label = {(row[1], row[2]): row[3] for row in rows if row[0] and row[3] is not None}
    assert by_label[("社区活动", "场")] == int(expected["station.community_activities"])
    assert by_label[("电话探访", "次")] == int(expected["cases.phone_visits"])
    assert isinstance(by_label[("电话探访", "次")], int)
    assert by_label[("培育本土社工", "人")] == NR
    villagers = next(row for row in rows if row[0] in ("回迁村民", "resettled villagers"))
    assert [str(v) for v in villagers[1:7:2]] == [
        participation[0][1],
        participation[0][3],
        participation[0][5],
    ]
    assert AuditEvent.objects.filter(action="export").exists()


def test_a_cadre_sees_the_results_of_their_community_only(
    cadre_a, records, community_a, community_b, as_user
):
    client = as_user(cadre_a)
    text = client.get(
        f"/dashboard/community/{community_a.pk}/results/?from=2026-01&to=2026-06"
    ).content.decode()
    shown = figures_on(text)
    assert shown["cases.phone_visits"] == "2"  # v1's two calls; t1 lives in the other community
    assert shown["station.people_served"] == "3"  # v1, v2 and o1 live in A
    assert client.get(f"/dashboard/community/{community_b.pk}/results/").status_code == 404
    assert client.get(f"/dashboard/station/{records.pk}/results/").status_code == 404
    assert client.get(f"/dashboard/community/{community_b.pk}/results.xlsx").status_code == 404


def test_district_viewers_see_their_district_and_other_stations_staff_do_not(
    district_viewer, other_worker, records, as_user
):
    assert as_user(district_viewer).get(f"/dashboard/station/{records.pk}/results/").status_code == 200
    assert as_user(other_worker).get(f"/dashboard/station/{records.pk}/results/").status_code == 404


def test_a_bad_range_is_a_message_and_the_page_still_answers(head, records, as_user):
    response = as_user(head).get(f"/dashboard/station/{records.pk}/results/?from=2026-13&to=x")
    assert response.status_code == 200
    assert "YYYY-MM" in response.content.decode()


def test_the_dashboard_links_to_the_results(head, records, as_user):
    text = as_user(head).get(f"/dashboard/station/{records.pk}/").content.decode()
    assert f'href="/dashboard/station/{records.pk}/results/"' in text
