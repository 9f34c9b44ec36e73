"""A cadre's dashboard on the 1st: the month just closed beside the month to date, arrows that say what they
compare, one chart per unit, the communities in order, and when every figure was computed."""

from datetime import date

import pytest
from django.core.cache import cache

from stats import tasks
from stats.models import RollupRun, StatValue
from stats.rollup import rollup_month
from stats.selectors import headline_metrics
from tests.factories import CommunityFactory

from .stats_helpers import local, make_activity

OCTOBER, NOVEMBER, DECEMBER = date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)


def card(text, metric):
    start = text.index(f'data-metric="{metric}"')
    return text[start : text.index("</div>\n      </div>\n    </div>", start)]


def between(text, start, end):
    return text.split(start, 1)[1].split(end, 1)[0]


@pytest.fixture
def autumn(station, community_a, community_b, person_a, person_b, time_machine):
    """One activity in October, three in November (A 111 + 1 people, B twice), November rolled up at 02:00
    on the 1st."""
    make_activity(station, at=local(2026, 10, 8), community=community_a, headcount=5)
    make_activity(station, at=local(2026, 11, 3), community=community_a, headcount=111, people=[person_a])
    make_activity(station, at=local(2026, 11, 4), community=community_b, headcount=200, people=[person_b])
    make_activity(station, at=local(2026, 11, 5), community=community_b, headcount=22)
    time_machine.move_to(local(2026, 11, 30, 23, 0), tick=False)
    rollup_month(station=station, month=OCTOBER)
    time_machine.move_to(local(2026, 12, 1, 2, 0), tick=False)
    rollup_month(station=station, month=NOVEMBER)


def test_at_half_past_midnight_on_the_first_the_cadre_sees_the_month_just_closed(
    autumn, cadre_a, community_a, as_user, time_machine
):
    time_machine.move_to(local(2026, 12, 1, 0, 30), tick=False)  # still 30 November in UTC
    StatValue.objects.filter(month=DECEMBER).delete()
    client = as_user(cadre_a)
    response = client.get(f"/dashboard/community/{community_a.pk}/")
    assert response.status_code == 200
    assert response.context["scope"].month == NOVEMBER
    text = response.content.decode()
    person_times = card(text, "station.person_times")
    assert 'data-testid="card-month">112<' in person_times  # November's figure, not December's 0
    assert "12月至今" in person_times
    assert "比上月（10月）" in person_times and "▲2140%" in person_times  # 112 against October's 5
    assert "▼100%" not in text


def test_the_month_to_date_stands_beside_the_closed_month(
    autumn, head, station, community_a, as_user, time_machine
):
    time_machine.move_to(local(2026, 12, 1, 9, 0), tick=False)
    make_activity(station, at=local(2026, 12, 1, 8, 0), community=community_a, headcount=7)
    time_machine.move_to(local(2026, 12, 1, 10, 15), tick=False)
    rollup_month(station=station, month=DECEMBER)
    text = as_user(head).get(f"/dashboard/station/{station.pk}/").content.decode()
    person_times = card(text, "station.person_times")
    assert 'data-testid="card-month">335<' in person_times
    assert between(person_times, 'data-testid="card-to-date">', "</span>").endswith(
        '<strong class="text-body">7</strong>'
    )
    table = between(text, 'data-testid="all-indicators"', "</table>")
    assert '<th class="text-end">2026年11月</th><th class="text-end">2026年12月至今</th>' in table


def test_each_month_says_when_its_figures_were_computed(autumn, head, station, as_user, time_machine):
    time_machine.move_to(local(2026, 12, 1, 10, 20), tick=False)
    client = as_user(head)
    text = client.get(f"/dashboard/station/{station.pk}/").content.decode()
    periods = between(text, 'data-testid="periods"', "</ul>")
    assert "2026年11月" in periods and "数据截至 12月1日 02:00" in periods
    assert "2026年12月至今" in periods and "尚未统计" in periods  # the month to date was never computed

    time_machine.move_to(local(2026, 12, 1, 10, 15), tick=False)
    rollup_month(station=station, month=DECEMBER)
    time_machine.move_to(local(2026, 12, 1, 10, 20), tick=False)
    text = client.get(f"/dashboard/station/{station.pk}/").content.decode()
    assert "数据截至 12月1日 10:15" in between(text, 'data-testid="as-of-to-date">', "<")
    assert "数据截至 12月1日 02:00" in between(text, 'data-testid="as-of-month">', "<")


def test_a_month_still_running_is_not_compared_with_a_whole_one(autumn, head, station, as_user, time_machine):
    time_machine.move_to(local(2026, 12, 1, 10, 0), tick=False)
    rollup_month(station=station, month=DECEMBER)
    text = as_user(head).get(f"/dashboard/station/{station.pk}/?month=2026-12").content.decode()
    person_times = card(text, "station.person_times")
    assert "本月尚未结束，不作比较" in person_times
    assert "▼" not in between(person_times, 'data-testid="card-change">', "</div>")


def test_one_small_chart_per_unit(autumn, head, station, as_user, time_machine):
    time_machine.move_to(local(2026, 12, 1, 10, 0), tick=False)
    response = as_user(head).get(f"/dashboard/station/{station.pk}/")
    units = [chart["unit"] for chart in response.context["charts"]]
    assert len(units) == len(set(units)) >= 3  # 次, 人次, 人, ... each its own axis
    unit_of = {str(m.label): m.unit for m in headline_metrics()}
    for chart in response.context["charts"]:
        assert {unit_of[s["name"]] for s in chart["series"]} == {chart["unit"]}, chart["title"]
    text = response.content.decode()
    person_times = between(text, 'data-unit="人次"', "</figure>")
    assert "按月（人次）" in person_times and "电话探访" not in person_times
    assert "电话探访" in between(text, 'data-unit="次"', "</figure>")


def test_the_communities_are_listed_largest_first(autumn, head, station, as_user, time_machine):
    CommunityFactory(station=station, name="新建社区")  # nothing yet: last, with 0
    time_machine.move_to(local(2026, 12, 1, 10, 0), tick=False)
    client = as_user(head)
    text = client.get(f"/dashboard/station/{station.pk}/").content.decode()
    bars = between(text, 'data-testid="community-bars"', "</table>")
    names = [between(row, ">", "<") for row in bars.split('<th scope="row"')[1:]]
    assert names == ["韩南村", "丰京苑社区", "新建社区"]  # 224 人次, 112, 0
    assert 'style="height:.9rem;width:100%' in bars
    text = client.get(f"/dashboard/station/{station.pk}/?compare=station.activities").content.decode()
    bars = between(text, 'data-testid="community-bars"', "</table>")
    values = [between(cell, ">", "<") for cell in bars.split('data-testid="community-value"')[1:]]
    assert values == ["2", "1", "0"]


@pytest.fixture
def refresh_on(settings):
    settings.STATS_REFRESH_SECONDS = 120
    cache.clear()
    yield
    cache.clear()


def test_a_burst_of_writes_recomputes_the_month_to_date_once(
    refresh_on, station, community_a, head, as_user, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    today = timezone.localdate()
    at = local(today.year, today.month, today.day, 0, 1)
    with django_capture_on_commit_callbacks(execute=True):
        make_activity(station, at=at, community=community_a, headcount=4)
    month = today.replace(day=1)
    run = RollupRun.objects.get(station=station, month=month)
    first_finish = run.finished_at
    with django_capture_on_commit_callbacks(execute=True):
        for _n in range(3):
            make_activity(station, at=at, community=community_a, headcount=1)
    run.refresh_from_db()
    assert run.finished_at == first_finish  # the burst rides on the recompute already queued
    value = StatValue.objects.get(station=station, month=month, community=None, metric="station.person_times")
    assert value.value == 4

    cache.clear()  # the spell is over: the next write queues the next recompute
    with django_capture_on_commit_callbacks(execute=True):
        make_activity(station, at=at, community=community_a, headcount=10)
    value = StatValue.objects.get(station=station, month=month, community=None, metric="station.person_times")
    assert value.value == 17  # every write so far, computed together
    month_rows = StatValue.objects.filter(station=station, month=month)
    assert month_rows.values("computed_at").distinct().count() == 1  # every figure of the month moved at once


def test_an_imported_visit_log_moves_the_month_to_date(
    refresh_on, station, person_a, worker, django_capture_on_commit_callbacks
):
    """An import writes its rows in one batch (no signal per row); its station's month to date follows all
    the same."""
    import tablib
    from django.utils import timezone

    from cases.resources import VisitResource

    today = timezone.localdate()
    headers = ["姓名", "电话", "探访方式", "日期", "时长（分钟）", "发现情况", "风险判断", "跟进日期"]
    rows = [["张桂兰", "", "电话探访", f"{today:%Y-%m-%d}", 10, "一切安好", "无风险", ""]] * 2
    rows[1] = [*rows[1][:5], "血压偏高", "无风险", ""]
    with django_capture_on_commit_callbacks(execute=True):
        result = VisitResource(user=worker).import_data(tablib.Dataset(*rows, headers=headers), dry_run=False)
    assert not result.has_validation_errors() and not result.has_errors()
    value = StatValue.objects.get(
        station=station, month=today.replace(day=1), community=None, metric="cases.phone_visits"
    )
    assert value.value == 2


def test_a_cache_that_does_not_answer_never_fails_the_write(
    settings, station, community_a, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    settings.STATS_REFRESH_SECONDS = 120
    settings.CACHES = {
        "default": {
            "BACKEND": "station.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        activity = make_activity(
            station, at=local(today.year, today.month, today.day, 0, 1), community=community_a, headcount=3
        )
    assert activity.pk  # saved, and the month to date was queued all the same
    assert RollupRun.objects.filter(station=station, month=today.replace(day=1)).exists()


def test_a_queued_recompute_finds_a_run_since_and_does_nothing(station, community_a):
    from django.utils import timezone

    asked = timezone.now()
    rollup_month(station=station, month=timezone.localdate().replace(day=1))
    assert tasks.refresh_month_to_date(station.pk, asked.isoformat()) is False
    assert tasks.refresh_month_to_date(station.pk, timezone.now().isoformat()) is True


def test_the_sign_in_form_sends_cadres_and_district_viewers_to_their_dashboard(
    cadre_a, district_viewer, head, as_user
):
    assert as_user(cadre_a).get("/admin/")["Location"] == "/dashboard/"
    assert as_user(district_viewer).get("/admin/")["Location"] == "/dashboard/"
    assert as_user(head).get("/admin/").status_code == 200  # staff keep the admin


def test_a_january_compares_with_last_december_by_its_year(head, station, as_user, time_machine):
    time_machine.move_to(local(2027, 2, 3, 9, 0), tick=False)
    text = as_user(head).get(f"/dashboard/station/{station.pk}/").content.decode()
    assert "比上月（2026年12月）" in text and "2月至今" in text


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_recomputes_the_month_to_date_soon_after_a_write(settings, station, community_a):
    from django.utils import timezone

    from .stats_helpers import with_a_real_worker

    settings.STATS_REFRESH_SECONDS = 1
    cache.clear()
    month = timezone.localdate().replace(day=1)

    def write():
        make_activity(station, at=timezone.now(), community=community_a, headcount=9)  # commits at once
        assert not RollupRun.objects.filter(station=station, month=month).exists()  # not in the request

    try:
        with_a_real_worker(
            write, lambda: RollupRun.objects.filter(station=station, month=month, status="done").exists()
        )
    finally:
        cache.clear()
    total = StatValue.objects.get(station=station, month=month, community=None, metric="station.person_times")
    assert total.value == 9


def test_a_write_is_traced_to_its_station_without_a_query_when_its_records_are_at_hand(
    refresh_on, station, community_a, person_a, django_assert_num_queries
):
    from cases.models import Visit
    from station.models import Attendance
    from stats.freshness import station_of

    activity = make_activity(station, at=local(2026, 3, 2), community=community_a)
    station_of(person_a)  # the communities' stations, read once per process
    with django_assert_num_queries(0):
        assert station_of(activity) == station.pk
        assert station_of(person_a) == station.pk
        assert station_of(Visit(person=person_a)) == station.pk  # a form or an import assigns the person
        assert station_of(Attendance(activity=activity, person=person_a)) == station.pk
    with django_assert_num_queries(1):
        assert station_of(Attendance(activity_id=activity.pk, person_id=person_a.pk)) == station.pk


def test_the_district_list_opens_on_the_closed_month_and_says_when_each_station_was_computed(
    autumn, district_viewer, station, as_user, time_machine
):
    time_machine.move_to(local(2026, 12, 1, 9, 0), tick=False)
    response = as_user(district_viewer).get("/dashboard/")
    assert response.context["month"] == NOVEMBER
    row = between(response.content.decode(), station.name, "</tr>")
    assert ">335<" in row and "数据截至 12月1日 02:00" in row
