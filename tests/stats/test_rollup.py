"""The monthly rollup: stored once per (station, community, month, metric), recomputable, crash-safe."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.utils import timezone
from openpyxl import load_workbook

from station.models import Activity, Person
from stats import registry as stats
from stats.models import RollupRun, StatValue
from stats.rollup import months_needing_final, rollup_month
from stats.tasks import rollup_catch_up
from tests.factories import PersonFactory

from .stats_helpers import local, make_activity, need_postgresql

JULY = date(2025, 7, 1)


def values(station, month=JULY, community="total"):
    qs = StatValue.objects.filter(station=station, month=month)
    qs = qs.filter(community__isnull=True) if community == "total" else qs.filter(community=community)
    return {v.metric: v.value for v in qs}


def snapshot(station):
    rows = StatValue.objects.filter(station=station).values_list("community_id", "month", "metric", "value")
    return sorted((c or 0, m, name, v) for c, m, name, v in rows)


@pytest.fixture
def july_work(station, community_a, community_b, person_a, person_b):
    tenant = PersonFactory(community=community_b, residency=Person.Residency.TENANT)
    make_activity(station, at=local(2025, 7, 3), community=community_a, headcount=5, people=[person_a])
    make_activity(
        station,
        at=local(2025, 7, 9),
        community=community_b,
        platform=Activity.Platform.VOLUNTEERS,
        people=[person_b, tenant, person_a],
    )
    make_activity(station, at=local(2025, 7, 20), community=None, headcount=30)  # station-wide event
    return tenant


def test_a_month_counts_activities_person_times_and_people(station, community_a, community_b, july_work):
    rollup_month(station=station, month=JULY)

    total = values(station)
    assert total["station.activities"] == 3
    assert total["station.person_times"] == 5 + 1 + 3 + 30
    assert total["station.people_served"] == 3
    assert total["station.activities.volunteers"] == 1
    assert total["station.person_times.volunteers"] == 3
    assert total["station.participants.resettled"] == 2
    assert total["station.participants.tenant"] == 1
    assert total["station.multi_platform_people"] == 1  # person_a went to a station and a volunteer activity
    assert values(station, community=community_a)["station.person_times"] == 6
    assert values(station, community=community_b)["station.person_times"] == 3
    # People are counted where they live: person_a in A, person_b and the tenant in B.
    assert values(station, community=community_a)["station.people_served"] == 1
    assert values(station, community=community_b)["station.people_served"] == 2


def test_a_month_recomputed_twice_gives_identical_rows(station, july_work):
    rollup_month(station=station, month=JULY)
    first = snapshot(station)
    rollup_month(station=station, month=JULY)
    assert snapshot(station) == first
    assert RollupRun.objects.get(station=station, month=JULY).status == RollupRun.Status.DONE


def test_recomputing_picks_up_a_late_record(station, community_a, july_work):
    rollup_month(station=station, month=JULY)
    make_activity(station, at=local(2025, 7, 30), community=community_a, headcount=2)
    rollup_month(station=station, month=JULY)
    assert values(station)["station.activities"] == 4


def test_an_activity_at_2330_on_31_july_local_time_counts_in_july(station, community_a):
    make_activity(station, at=local(2025, 7, 31, 23, 30), community=community_a, headcount=4)
    make_activity(station, at=local(2025, 8, 1, 0, 0), community=community_a, headcount=7)
    rollup_month(station=station, month=JULY)
    rollup_month(station=station, month=date(2025, 8, 1))
    # 23:30 on 31 July in Shanghai is 15:30 UTC: July. Midnight 1 August local is still 31 July in UTC: August.
    assert values(station)["station.person_times"] == 4
    assert values(station, month=date(2025, 8, 1))["station.person_times"] == 7


def test_first_time_participants_are_counted_in_their_first_month_only(station, community_a, person_a):
    make_activity(station, at=local(2025, 6, 10), community=community_a, people=[person_a])
    newcomer = PersonFactory(community=community_a)
    make_activity(station, at=local(2025, 7, 10), community=community_a, people=[person_a, newcomer])
    rollup_month(station=station, month=JULY)
    assert values(station)["station.first_time_participants"] == 1


def test_other_stations_work_stays_out(station, other_station, other_community, other_person, july_work):
    make_activity(other_station, at=local(2025, 7, 5), community=other_community, people=[other_person])
    rollup_month(station=station, month=JULY)
    rollup_month(station=other_station, month=JULY)
    assert values(station)["station.activities"] == 3
    assert values(other_station)["station.activities"] == 1


def test_a_run_left_started_is_redone_by_the_catch_up(station, july_work, settings):
    from django.utils import timezone

    station.opened_on = date(2025, 6, 1)
    station.save()
    # The catch-up looks back a bounded number of months from today: far enough to reach July, whatever today is.
    settings.STATS_CATCHUP_MONTHS = len(stats.months_between(JULY, timezone.localdate())) + 1
    # A crash mid-run: the run was marked STARTED and no rows were written.
    RollupRun.objects.create(station=station, month=JULY, status=RollupRun.Status.STARTED)
    assert JULY in months_needing_final(station, today=date(2025, 9, 15))

    rollup_catch_up()

    run = RollupRun.objects.get(station=station, month=JULY)
    assert run.status == RollupRun.Status.DONE and run.final
    assert values(station)["station.activities"] == 3


def test_a_month_computed_before_it_closed_is_not_final(station, july_work, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: local(2025, 7, 25, 2, 0))
    run = rollup_month(station=station, month=JULY)
    assert run.status == RollupRun.Status.DONE and not run.final
    assert JULY in months_needing_final(station, today=date(2025, 8, 2))


def test_a_crash_inside_the_rewrite_keeps_the_old_rows(station, july_work, monkeypatch):
    rollup_month(station=station, month=JULY)
    before = snapshot(station)

    def boom(self, period):
        raise RuntimeError("database went away")

    broken = stats.Metric("test.broken", "broken", "次", "station", None)
    monkeypatch.setitem(stats.METRICS, "test.broken", broken)
    monkeypatch.setattr(stats.Metric, "compute", boom)
    with pytest.raises(RuntimeError):
        rollup_month(station=station, month=JULY)
    assert snapshot(station) == before
    assert RollupRun.objects.get(station=station, month=JULY).status == RollupRun.Status.STARTED


def test_one_metric_can_be_recomputed_alone(station, community_a, july_work):
    rollup_month(station=station, month=JULY)
    make_activity(station, at=local(2025, 7, 30), community=community_a, headcount=2)
    call_command(
        "rollup_stats", "--month", "2025-07", "--metric", "station.activities", "--station", station.pk
    )
    assert values(station)["station.activities"] == 4
    assert values(station)["station.person_times"] == 39  # untouched


def test_a_year_backfill_is_one_command(station, july_work):
    call_command("rollup_stats", "--month", "2025-07", "--to", "2026-06")
    assert RollupRun.objects.filter(station=station, status=RollupRun.Status.DONE).count() == 12
    assert values(station)["station.activities"] == 3


@pytest.mark.parametrize(
    "args",
    [
        ["--month", "July"],
        ["--month", "2025-07", "--to", "2025-01"],
        ["--month", "2025-07", "--metric", "no.such"],
    ],
)
def test_the_command_refuses_bad_input_with_a_clear_message(station, args):
    with pytest.raises(CommandError):
        call_command("rollup_stats", *args)
    assert not StatValue.objects.exists()


def test_a_metric_added_by_another_app_is_rolled_up_without_touching_station(station, community_a):
    @stats.metric("testapp.smiles", label="笑脸", unit="个", platform="station")
    def smiles(period):
        return {community_a.pk: 7, None: 2}

    try:
        rollup_month(station=station, month=JULY)
        assert values(station)["testapp.smiles"] == 9
        assert values(station, community=community_a)["testapp.smiles"] == 7
    finally:
        stats.METRICS.pop("testapp.smiles")


def test_a_non_additive_metric_keeps_its_own_total(station, community_a, community_b):
    @stats.metric("testapp.distinct", label="去重", unit="人", platform="station", additive=False)
    def distinct(period):
        return {community_a.pk: 3, community_b.pk: 4, "total": 5}

    try:
        rollup_month(station=station, month=JULY)
        assert values(station)["testapp.distinct"] == Decimal("5")
    finally:
        stats.METRICS.pop("testapp.distinct")


def test_the_database_refuses_a_second_total_row_for_the_same_month(station):
    StatValue.objects.create(station=station, month=JULY, metric="x", value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StatValue.objects.create(station=station, month=JULY, metric="x", value=2)


def test_rollup_admin_is_read_only_and_scoped(
    head, other_worker, station, other_station, july_work, as_user, django_capture_on_commit_callbacks
):
    rollup_month(station=station, month=JULY)
    rollup_month(station=other_station, month=JULY)
    head.is_staff = True
    head.save()
    response = as_user(head).get("/admin/stats/rolluprun/")
    assert response.status_code == 200
    assert station.name in response.content.decode()
    assert other_station.name not in response.content.decode()
    other_run = RollupRun.objects.get(station=other_station)
    assert as_user(head).get(f"/admin/stats/rolluprun/{other_run.pk}/change/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(head).post(
            "/admin/stats/rolluprun/",
            {"action": "recompute", "_selected_action": [RollupRun.objects.get(station=station).pk]},
        )
    assert response.status_code == 302
    assert RollupRun.objects.get(station=station).status == RollupRun.Status.DONE


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_the_same_month_take_turns_and_leave_one_set_of_rows(station, community_a, person_a):
    need_postgresql()
    import threading

    from django.db import connection

    make_activity(station, at=local(2025, 7, 3), community=community_a, headcount=5, people=[person_a])
    errors = []

    def work():
        try:
            rollup_month(station=station, month=JULY)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert values(station)["station.person_times"] == 6
    assert StatValue.objects.filter(station=station, month=JULY, metric="station.person_times").count() == 2


def test_several_stations_rolled_up_at_once_get_what_each_gets_alone(
    station,
    community_a,
    person_a,
    worker,
    other_station,
    other_community,
    other_person,
    other_worker,
    july_work,
):
    """One grouped pass over the month for both stations stores, for each, exactly the rows of its own run:
    a person active in both stations counts in each, on each station's platforms only; the visit plan's
    coverage and the organisations' leaders come out per station as well."""
    from cases.models import Visit
    from orgs import services as orgs_services
    from orgs.models import Membership
    from projects.models import Project
    from stats.rollup import rollup_stations_month
    from tests.cases.factories import VisitFactory, WatchEntryFactory
    from tests.orgs.factories import make_org
    from tests.projects.factories import ProjectFactory
    from volunteers import services as volunteer_services

    for community, someone, staff in (
        (community_a, person_a, worker),
        (other_community, other_person, other_worker),
    ):
        WatchEntryFactory(person=someone, worker=staff, tier="ordinary", started_on=date(2025, 1, 1))
        WatchEntryFactory(
            person=PersonFactory(community=community), worker=staff, started_on=date(2025, 1, 1)
        )
        leader = PersonFactory(community=community)
        volunteer_services.volunteer_register(person=leader, actor=staff, joined_on=date(2024, 1, 1))
        orgs_services.membership_add(org=make_org(staff, community), person=leader,
                                     role=Membership.Role.LEADER, actor=staff, joined_on=date(2024, 6, 1))  # fmt: skip

    make_activity(
        other_station, at=local(2025, 7, 4), community=other_community, people=[other_person, person_a]
    )
    make_activity(
        other_station,
        at=local(2025, 7, 5),
        community=None,
        platform=Activity.Platform.ORGS,
        headcount=12,
        people=[person_a],
    )
    make_activity(other_station, at=local(2025, 8, 1), community=other_community, headcount=99)  # August
    VisitFactory(person=person_a, worker=worker, visited_on=date(2025, 7, 8), kind=Visit.Kind.HOME)
    VisitFactory(person=other_person, worker=worker, visited_on=date(2025, 7, 9))
    ProjectFactory(station=other_station, community=other_community, origin=Project.Origin.INTRODUCED,
                   introduced_on=date(2025, 7, 2), starts_on=date(2025, 7, 10))  # fmt: skip

    for one in (station, other_station):
        rollup_month(station=one, month=JULY)
    alone = {one.pk: snapshot(one) for one in (station, other_station)}
    StatValue.objects.all().delete()

    runs = rollup_stations_month(stations=[other_station, station], month=JULY)

    assert {run.station_id for run in runs} == {station.pk, other_station.pk}
    assert all(run.status == RollupRun.Status.DONE for run in runs)
    assert {one.pk: snapshot(one) for one in (station, other_station)} == alone
    assert values(other_station)["station.person_times"] == 2 + 1 + 12
    assert values(other_station)["station.multi_platform_people"] == 1  # person_a, on two of its platforms
    assert values(station)["station.multi_platform_people"] == 1
    assert values(other_station)["cases.phone_visits"] == 1 and values(station)["cases.home_visits"] == 1
    for one in (station, other_station):  # one of two watched people visited in July, one leader
        assert values(one)["cases.visited_in_month"] == Decimal("50.00")
        assert values(one)["orgs.leaders_from_volunteers"] == 1


def test_a_district_month_costs_the_same_statements_as_one_station(
    station, other_station, other_community, person_a, july_work
):
    """The run records of every station are marked STARTED and DONE together, and the month's figures read
    in grouped passes: rolling up two stations sends exactly as many statements as rolling up one, a
    second time (a final month revised) included. (SQLite takes the stored rows in batches of 999 values:
    those INSERTs are left out of the count.)"""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from stats.rollup import rollup_stations_month

    make_activity(other_station, at=local(2025, 7, 4), community=other_community, people=[person_a])
    rollup_stations_month(stations=[station], month=JULY)  # the content types cached, as in a worker
    counts = []
    for stations in ([station], [station, other_station], [station], [station, other_station]):
        with CaptureQueriesContext(connection) as ctx:
            runs = rollup_stations_month(stations=stations, month=JULY)
        sql = [q["sql"] for q in ctx.captured_queries]
        counts.append(sum(not (s.startswith("INSERT") and "station_statvalue" in s) for s in sql))
        assert [run.status for run in runs] == [RollupRun.Status.DONE] * len(stations)
    assert counts[0] == counts[1] and counts[2] == counts[3]
    revised = RollupRun.objects.get(station=other_station, month=JULY)
    assert revised.final and revised.revised_at is not None and revised.revision_reason


def test_the_stations_own_figures_read_a_month_in_one_pass_per_source(
    station, other_station, other_community, person_a, july_work, django_assert_max_num_queries
):
    """Every station.* figure of two stations' month from six reads (activities, attendance per person,
    first-timers, the register, 低保 and the communities), not one query per figure."""
    from stats.rollup import compute_stations

    make_activity(other_station, at=local(2025, 7, 4), community=other_community, people=[person_a])
    metrics = [m for m in stats.all_metrics() if m.name.startswith("station.")]
    with django_assert_max_num_queries(6):
        rows = compute_stations(
            stations=[station, other_station], month=JULY, metrics=metrics, now=timezone.now()
        )
    totals = {
        (r.station_id, r.metric): r.value for rows_ in rows.values() for r in rows_ if not r.community_id
    }
    assert totals[(station.pk, "station.people_served")] == 3
    assert totals[(other_station.pk, "station.people_served")] == 1
    assert totals[(other_station.pk, "station.first_time_participants")] == 1  # first ever in July: both
    assert len(metrics) > 30


def test_a_back_dated_record_revises_a_final_month(station, community_a, head, as_user):
    from stats.models import StaleMonth

    make_activity(station, at=local(2025, 7, 3), community=community_a, headcount=5)
    rollup_month(station=station, month=JULY)
    assert RollupRun.objects.get(station=station, month=JULY).final
    page = as_user(head).get(f"/dashboard/station/{station.pk}/?month=2025-07").content.decode()
    assert "修订于" not in page

    make_activity(station, at=local(2025, 7, 20), community=community_a, headcount=7)  # entered late
    stale = StaleMonth.objects.get(station=station, month=JULY)
    assert "2025-07-20" in stale.reason
    assert JULY in months_needing_final(station)
    assert values(station)["station.person_times"] == 5  # until the catch-up runs

    rollup_catch_up()
    run = RollupRun.objects.get(station=station, month=JULY)
    assert run.final and run.revised_at is not None and "2025-07-20" in run.revision_reason
    assert values(station)["station.person_times"] == 12
    assert not StaleMonth.objects.filter(station=station).exists()
    assert JULY not in months_needing_final(station)
    day = f"{timezone.localdate(run.revised_at):%Y-%m-%d}"
    page = as_user(head).get(f"/dashboard/station/{station.pk}/?month=2025-07").content.decode()
    assert f"修订于 {day}" in page
    report = as_user(head).get(f"/dashboard/station/{station.pk}/report/?from=2025-07&to=2025-07")
    assert f"修订于 {day}" in report.content.decode()
    # The workbook says it too: on the month's column and, with the reason, on the notes sheet.
    book = as_user(head).get(f"/dashboard/station/{station.pk}/report.xlsx?from=2025-06&to=2025-07")
    book = load_workbook(io.BytesIO(b"".join(book.streaming_content) if book.streaming else book.content))
    headings = [cell.value for sheet in book.worksheets[1:] for cell in sheet[2]]
    assert f"2025-07（修订于 {day}）" in headings and "2025-06" in headings
    notes = [row[0] for row in book.worksheets[-1].iter_rows(values_only=True)]
    assert any(f"于 {day} 修订" in (note or "") and "2025-07-20" in note for note in notes)


def test_a_record_of_the_month_under_way_marks_nothing(station, community_a):
    from stats.models import StaleMonth

    today = timezone.localdate()
    make_activity(station, at=local(today.year, today.month, 1), community=community_a, headcount=2)
    assert not StaleMonth.objects.exists()


def test_an_imported_file_of_back_dated_visits_revises_the_final_month(station, person_a, worker):
    """An import writes its rows in one batch (no signal per row): the months it falls in are marked all the
    same, and the catch-up gives them the imported figures."""
    import tablib

    from cases.resources import VisitResource
    from stats.models import StaleMonth

    rollup_month(station=station, month=JULY)
    assert values(station)["cases.phone_visits"] == 0
    headers = ["姓名", "电话", "探访方式", "日期", "时长（分钟）", "发现情况", "风险判断", "跟进日期"]
    rows = [
        ["张桂兰", "", "电话探访", f"2025-07-{day:02d}", 10, "一切安好", "无风险", ""] for day in (3, 9, 21)
    ]
    result = VisitResource(user=worker).import_data(tablib.Dataset(*rows, headers=headers), dry_run=False)
    assert not result.has_validation_errors() and not result.has_errors()

    stale = StaleMonth.objects.get(station=station, month=JULY)
    assert "3" in stale.reason and "2025-07-03" in stale.reason and "2025-07-21" in stale.reason
    rollup_catch_up()
    run = RollupRun.objects.get(station=station, month=JULY)
    assert run.final and run.revised_at is not None
    assert values(station)["cases.phone_visits"] == 3


def test_back_filled_hours_written_in_one_batch_revise_the_final_month(station, person_a, worker):
    """A service record reaches its station only through the volunteer's person: the batch's stations are read
    from the records, so an imported hours file marks the final months it falls in as well."""
    from stats.models import StaleMonth
    from tests.volunteers.factories import make_volunteer
    from volunteers.models import ServiceRecord
    from volunteers.services.hours import service_record_backfill_many

    volunteer = make_volunteer(person_a, password="Zhang-gui-lan-2024")
    rollup_month(station=station, month=JULY)
    records = [ServiceRecord(volunteer=volunteer, service_date=date(2025, 7, d), minutes=60) for d in (4, 18)]
    service_record_backfill_many(records=records, actor=worker)
    stale = StaleMonth.objects.get(station=station, month=JULY)
    assert "2025-07-04" in stale.reason and "2025-07-18" in stale.reason


def test_a_batch_finds_each_communitys_station_once_however_many_records(
    station, other_station, community_a, other_community, worker
):
    """The stations of an imported batch: one cache call a community, not one a record (with Redis, a
    20,000-row file would otherwise make 20,000 round trips)."""
    from unittest import mock

    from django.core.cache import cache

    from cases.models import Visit
    from stats.signals import stations_of
    from tests.cases.factories import VisitFactory

    people = [PersonFactory(community=community_a), PersonFactory(community=other_community)]
    for i in range(40):
        VisitFactory(person=people[i % 2], worker=worker)
    visits = list(Visit.objects.select_related("person"))  # as an import holds them: each with its person
    with mock.patch.object(cache, "get_or_set", wraps=cache.get_or_set) as calls:
        found = stations_of(Visit, visits)
    assert calls.call_count == 2
    assert {found[v.pk] for v in visits if v.person == people[0]} == {station.pk}
    assert {found[v.pk] for v in visits if v.person == people[1]} == {other_station.pk}
