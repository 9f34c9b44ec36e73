"""The dashboards: who sees which figures, what the headline says, and that they read the rollup only."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from station.registry import dashboard_panels
from stats import registry as stats
from stats.models import StatValue
from stats.rollup import rollup_month
from tests.factories import CommunityFactory, StationFactory, make_staff

from .stats_helpers import bulk_records, local, make_activity

JULY = date(2025, 7, 1)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def card_value(response_text, metric):
    marker = f'data-metric="{metric}"'
    start = response_text.index(marker)
    chunk = response_text[start : start + 600]
    return chunk.split('data-testid="card-month">', 1)[1].split("<", 1)[0]


@pytest.fixture
def july_rolled(station, community_a, community_b, person_a, person_b):
    make_activity(station, at=local(2025, 6, 5), community=community_a, headcount=10)
    make_activity(station, at=local(2025, 7, 3), community=community_a, headcount=111, people=[person_a])
    make_activity(station, at=local(2025, 7, 4), community=community_b, headcount=222, people=[person_b])
    for month in (date(2025, 6, 1), JULY):
        rollup_month(station=station, month=month)


def test_cadre_of_community_a_sees_a_figures_only(cadre_a, community_a, july_rolled, as_user):
    client = as_user(cadre_a)
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response.url == f"/dashboard/community/{community_a.pk}/"
    text = page(client, f"/dashboard/community/{community_a.pk}/?month=2025-07")
    assert card_value(text, "station.person_times") == "112"
    assert "223" not in text and "335" not in text  # neither B's figure nor the station's total
    assert "韩南村" not in text  # no comparison with the other community


def test_cadre_of_other_community_gets_404(cadre_a, community_b, station, july_rolled, as_user):
    client = as_user(cadre_a)
    assert client.get(f"/dashboard/community/{community_b.pk}/").status_code == 404
    assert client.get(f"/dashboard/station/{station.pk}/").status_code == 404
    assert client.get(f"/dashboard/station/{station.pk}/report.xlsx?from=2025-07").status_code == 404


def test_station_head_sees_the_station_and_can_pick_a_community(
    head, station, community_b, july_rolled, as_user
):
    client = as_user(head)
    assert client.get("/dashboard/").url == f"/dashboard/station/{station.pk}/"
    text = page(client, f"/dashboard/station/{station.pk}/?month=2025-07")
    assert card_value(text, "station.person_times") == "335"
    assert "丰京苑社区" in text and "韩南村" in text  # the selector and the comparison
    text = page(client, f"/dashboard/station/{station.pk}/?month=2025-07&community={community_b.pk}")
    assert card_value(text, "station.person_times") == "223"


def test_the_headline_compares_with_the_previous_month_and_counts_since_opening(
    head, station, july_rolled, as_user
):
    text = page(as_user(head), f"/dashboard/station/{station.pk}/?month=2025-07")
    start = text.index('data-metric="station.activities"')
    card = text[start : start + 900]
    assert '比上月（6月） <span class="text-success">▲100%</span>' in card  # 2 in July, 1 in June
    assert '<strong class="text-body">3</strong>' in card  # since opening: June's one and July's two


def test_worker_of_another_station_gets_404(other_worker, station, community_a, july_rolled, as_user):
    client = as_user(other_worker)
    assert client.get(f"/dashboard/station/{station.pk}/").status_code == 404
    assert client.get(f"/dashboard/community/{community_a.pk}/").status_code == 404
    assert (
        client.get(
            f"/dashboard/station/{other_worker.staff_profile.station_id}/?community={community_a.pk}"
        ).status_code
        == 404
    )


def test_district_viewer_sees_every_station_of_the_district(
    district_viewer, station, other_station, july_rolled, as_user
):
    neighbour = StationFactory(name="邻近街道社会工作服务站", district=station.district)
    client = as_user(district_viewer)
    text = page(client, "/dashboard/?month=2025-07")
    assert station.name in text and neighbour.name in text
    assert other_station.name not in text  # another district
    assert "335" in text
    assert client.get(f"/dashboard/station/{neighbour.pk}/").status_code == 200
    assert client.get(f"/dashboard/station/{other_station.pk}/").status_code == 404


@pytest.mark.parametrize("month", ["July", "2025-13", "0001-01"])
def test_a_bad_month_is_a_message_not_an_error(head, station, as_user, month):
    response = as_user(head).get(f"/dashboard/station/{station.pk}/?month={month}")
    assert response.status_code == 200
    assert any("YYYY-MM" in str(m) for m in response.context["messages"])


def test_every_chart_has_its_numbers_in_a_table(head, station, july_rolled, as_user):
    text = page(as_user(head), f"/dashboard/station/{station.pk}/?month=2025-07")
    assert text.count('data-testid="chart"') == text.count(
        'class="table table-sm table-bordered small mt-2 chart-table"'
    )
    assert text.count('data-testid="chart"') >= 4
    assert "vendor/echarts/echarts.min.js" in text


def test_participation_compares_participants_with_residents(head, station, july_rolled, as_user):
    text = page(as_user(head), f"/dashboard/station/{station.pk}/?month=2025-07")
    table = text.split('data-testid="participation"', 1)[1].split("</table>", 1)[0]
    assert "100.0%" in table  # both July participants are resettled villagers


def test_a_metric_added_in_a_test_app_appears_on_the_dashboard(head, station, community_a, as_user):
    @stats.metric("testapp.kites", label="放风筝", unit="次", platform="station", headline=True)
    def kites(period):
        return {community_a.pk: 4}

    try:
        rollup_month(station=station, month=JULY)
        text = page(as_user(head), f"/dashboard/station/{station.pk}/?month=2025-07")
        assert "放风筝" in text
        assert card_value(text, "testapp.kites") == "4"
    finally:
        stats.METRICS.pop("testapp.kites")


def test_watch_list_shows_coverage_and_a_registered_panel_to_staff_only(
    head, cadre_a, station, community_a, as_user
):
    real_metric = stats.all_metrics() and stats.METRICS.get("cases.visit_coverage")
    real_panels = dict(dashboard_panels._items)
    dashboard_panels._items.clear()

    @stats.metric(
        "cases.visit_coverage", label="探访计划覆盖率", unit="%", platform="casework", additive=False
    )
    def coverage(period):
        return {community_a.pk: 80, "total": 75}

    def overdue(scope, user):
        return {"title": "逾期未探访", "template": "stats/dashboard_change.html", "context": {}}

    dashboard_panels.register("testapp", order=1)(overdue)
    try:
        rollup_month(station=station, month=JULY)
        text = page(as_user(head), f"/dashboard/station/{station.pk}/?month=2025-07")
        assert "探访计划覆盖率" in text and "75%" in text
        assert "逾期未探访" in text
        text = page(as_user(cadre_a), f"/dashboard/community/{community_a.pk}/?month=2025-07")
        assert "80%" in text
        assert "逾期未探访" not in text
    finally:
        stats.METRICS.pop("cases.visit_coverage")
        if real_metric:
            stats.METRICS["cases.visit_coverage"] = real_metric
        dashboard_panels._items.clear()
        dashboard_panels._items.update(real_panels)


def test_without_registered_panels_the_watch_list_shows_nothing_personal(head, station, as_user):
    real_panels = dict(dashboard_panels._items)
    dashboard_panels._items.clear()
    try:
        text = page(as_user(head), f"/dashboard/station/{station.pk}/?month=2025-07")
    finally:
        dashboard_panels._items.update(real_panels)
    watch = text.split('id="watch-title"', 1)[1].split("</section>", 1)[0]
    assert 'data-testid="panel-' not in watch


def _queries_for(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_dashboard_query_count_does_not_grow_with_records(db, as_user):
    counts = {"station": [], "community": []}
    for n in (10, 10_000):
        station = StationFactory()
        community = CommunityFactory(station=station)
        CommunityFactory(station=station)
        bulk_records(station, community, n, at=local(2025, 7, 15))
        for month in (date(2025, 6, 1), JULY):
            rollup_month(station=station, month=month)
        total = StatValue.objects.get(
            station=station, month=JULY, community=None, metric="station.people_served"
        )
        assert total.value == n
        pages = {
            "station": (make_staff("station_head", station=station), f"/dashboard/station/{station.pk}/"),
            "community": (
                make_staff("cadre", station=station, communities=[community]),
                f"/dashboard/community/{community.pk}/",
            ),
        }
        for view, (user, url) in pages.items():
            client = as_user(user)
            client.get(url + "?month=2025-07")  # warm the session
            counts[view].append(_queries_for(client, url + "?month=2025-07"))
    for view, (small, large) in counts.items():
        assert small == large, view
        # + what the station has recorded, and people served over the year and since opening
        assert small <= 23, view


def test_home_sends_cadres_and_district_viewers_to_the_dashboards(cadre_a, district_viewer, as_user):
    assert as_user(cadre_a).get("/").url == "/dashboard/"
    assert as_user(district_viewer).get("/").url == "/dashboard/"


def test_home_never_sends_someone_without_a_role_to_the_dashboards(db, as_user):
    from tests.factories import UserFactory

    resident = UserFactory(is_staff=False)
    response = as_user(resident).get("/")
    assert response.status_code in (302, 404)
    assert getattr(response, "url", "") != "/dashboard/"


def test_an_older_month_stays_chosen_in_the_month_picker(head, station, as_user):
    text = page(as_user(head), f"/dashboard/station/{station.pk}/?month=2023-05")
    picker = text.split('name="month"', 1)[1].split("</select>", 1)[0]
    assert '<option value="2023-05" selected>' in picker
    assert picker.count(" selected>") == 1  # the month, not also the default one
