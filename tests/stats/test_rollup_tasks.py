"""The beat tasks that keep the rollup current, and one run through a real Celery worker."""

from datetime import date

import pytest
from django.conf import settings

from stats import tasks
from stats.models import RollupRun, StatValue
from stats.registry import add_months
from stats.rollup import current_month

from .stats_helpers import local, make_activity, with_a_real_worker


def test_the_schedule_runs_the_current_month_nightly_last_month_on_the_first_and_a_catch_up():
    schedule = settings.CELERY_BEAT_SCHEDULE
    tasks_scheduled = {entry["task"] for entry in schedule.values()}
    assert {
        "stats.tasks.rollup_current_month",
        "stats.tasks.rollup_last_month",
        "stats.tasks.rollup_catch_up",
    } <= tasks_scheduled
    first_of_month = schedule["stats-rollup-last-month-final"]["schedule"]
    assert first_of_month.day_of_month == {1}


def test_the_nightly_task_rolls_up_the_month_so_far_for_every_station(station, other_station, community_a):
    make_activity(station, at=local(*current_month().timetuple()[:3], 1), community=community_a, headcount=3)
    assert tasks.rollup_current_month() == 2
    run = RollupRun.objects.get(station=station, month=current_month())
    assert run.status == RollupRun.Status.DONE and not run.final
    assert (
        StatValue.objects.get(
            station=station, month=current_month(), community=None, metric="station.person_times"
        ).value
        == 3
    )
    assert RollupRun.objects.filter(station=other_station, month=current_month()).exists()


def test_the_first_of_the_month_task_writes_last_month_final(station):
    tasks.rollup_last_month()
    run = RollupRun.objects.get(station=station, month=add_months(current_month(), -1))
    assert run.status == RollupRun.Status.DONE and run.final


def test_the_catch_up_fills_closed_months_since_opening_once(station):
    station.opened_on = add_months(current_month(), -3)
    station.save()
    assert tasks.rollup_catch_up() == 3
    assert RollupRun.objects.filter(station=station, final=True).count() == 3
    assert tasks.rollup_catch_up() == 0  # nothing left to do


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_rolls_up_a_month(station, community_a):
    make_activity(station, at=local(2025, 7, 10), community=community_a, headcount=9)
    july = date(2025, 7, 1)
    with_a_real_worker(
        lambda: tasks.rollup_station_month.delay(station.pk, "2025-07"),
        lambda: RollupRun.objects.filter(station=station, month=july, status="done").exists(),
    )
    total = StatValue.objects.get(station=station, month=july, community=None, metric="station.person_times")
    assert total.value == 9


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_district_month_fans_out_as_a_group_and_every_station_is_collected(
    station, community_a, other_station, other_community, settings
):
    from django.utils import timezone

    from stats.rollup import runs_done_since

    settings.STATS_ROLLUP_STATIONS_PER_TASK = 1
    make_activity(station, at=local(2025, 7, 10), community=community_a, headcount=9)
    make_activity(other_station, at=local(2025, 7, 11), community=other_community, headcount=4)
    july, since = date(2025, 7, 1), timezone.now()

    def fan_out():
        assert tasks.rollup_district_month(july) == 2

    with_a_real_worker(fan_out, lambda: runs_done_since([station.pk, other_station.pk], july, since) >= 2)
    assert runs_done_since([station.pk, other_station.pk], july, since) == 2
    totals = StatValue.objects.filter(month=july, community=None, metric="station.person_times")
    assert {v.station_id: v.value for v in totals} == {station.pk: 9, other_station.pk: 4}
