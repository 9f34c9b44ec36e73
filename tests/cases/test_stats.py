"""The month's casework figures per community."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from cases import services
from cases.models import Case, CaseSession, Group
from station import services as station_services
from station.models import Need
from stats.registry import all_metrics, month_period
from tests.factories import PersonFactory

from .factories import CaseFactory, VisitFactory, WatchEntryFactory

TZ = ZoneInfo("Asia/Shanghai")


def compute(name, station, year=2026, month=3):
    metric = next(m for m in all_metrics() if m.name == name)
    return metric.compute(month_period(station, year, month))


def test_visit_figures(
    station, community_a, community_b, person_a, person_b, other_person, worker, other_worker
):
    VisitFactory(person=person_a, worker=worker, kind="phone", visited_on=date(2026, 3, 1))
    VisitFactory(person=person_a, worker=worker, kind="phone", visited_on=date(2026, 3, 31))
    VisitFactory(person=person_a, worker=worker, kind="home", visited_on=date(2026, 3, 5))
    VisitFactory(person=person_a, worker=worker, kind="home", visited_on=date(2026, 3, 20))
    VisitFactory(person=person_b, worker=worker, kind="home", visited_on=date(2026, 3, 6))
    VisitFactory(person=person_b, worker=worker, kind="phone", visited_on=date(2026, 4, 1))  # April
    VisitFactory(person=other_person, worker=other_worker, kind="phone", visited_on=date(2026, 3, 2))
    assert compute("cases.phone_visits", station) == {community_a.pk: 2}
    assert compute("cases.home_visits", station) == {community_a.pk: 2, community_b.pk: 1}
    assert compute("cases.households_visited", station) == {community_a.pk: 1, community_b.pk: 1}


def test_coverage_figure(station, community_a, person_a, person_b, worker):
    WatchEntryFactory(person=person_a, worker=worker, tier="high", started_on=date(2026, 2, 25))
    WatchEntryFactory(person=person_b, worker=worker, tier="high", started_on=date(2026, 2, 25))
    for d in range(0, 40, 7):
        VisitFactory(person=person_a, worker=worker, visited_on=date(2026, 2, 25) + timedelta(days=d))
    figures = compute("cases.visit_coverage", station)
    assert figures[community_a.pk] == 100.0
    assert figures[person_b.community_id] == 0.0
    assert figures["total"] == 50.0


def test_case_figures(station, community_a, person_a, worker, supervisor):
    march = CaseFactory(person=person_a, worker=worker, supervisor=supervisor, opened_on=date(2026, 3, 3))
    CaseFactory(person=person_a, worker=worker, supervisor=supervisor, opened_on=date(2026, 1, 3),
                stage="closed", closed_on=date(2026, 3, 20))  # fmt: skip
    CaseFactory(person=person_a, worker=worker, supervisor=supervisor, opened_on=date(2026, 2, 3))
    CaseSession.objects.create(case=march, worker=worker, held_on=date(2026, 3, 10), content="会谈")
    CaseSession.objects.create(case=march, worker=worker, held_on=date(2026, 4, 10), content="会谈")
    assert compute("cases.new_cases", station) == {community_a.pk: 1}
    assert compute("cases.open_cases", station) == {community_a.pk: 2}
    assert compute("cases.closed_cases", station) == {community_a.pk: 1}
    assert compute("cases.case_sessions", station) == {community_a.pk: 1}
    assert Case.objects.count() == 3


def test_group_figures(station, community_a, community_b, worker):
    people = [PersonFactory(community=community_a) for _ in range(3)]
    g1 = services.group_save(group=Group(station=station, community=community_a, title="A", kind="support",
                                         worker=worker), actor=worker, members=people)  # fmt: skip
    g2 = services.group_save(group=Group(station=station, community=community_a, title="B", kind="growth",
                                         worker=worker), actor=worker, members=people[:1])  # fmt: skip
    for group, day, attendees, headcount in (
        (g1, 3, people, 2),
        (g1, 10, people[:2], 0),
        (g2, 11, people[:1], 1),
    ):
        start = datetime(2026, 3, day, 9, tzinfo=TZ)
        services.group_session_record(group=group, actor=worker, starts_at=start, ends_at=start + timedelta(hours=1),
                                      attendees=attendees, headcount=headcount)  # fmt: skip
    assert compute("cases.groups", station) == {community_a.pk: 2}
    assert compute("cases.group_sessions", station) == {community_a.pk: 3}
    assert compute("cases.group_participants", station) == {community_a.pk: 3, "total": 3}
    assert compute("cases.group_person_times", station) == {community_a.pk: 3 + 2 + 2 + 0 + 1 + 1}


def test_need_figures(station, community_a, person_a, worker):
    need = station_services.need_raise(person=person_a, category="health", description="陪诊", source="visit",
                                       actor=worker)  # fmt: skip
    station_services.need_take(need=need, taker=worker, actor=worker)
    station_services.need_meet(need=need, outcome="已陪诊", actor=worker)
    march = datetime(2026, 3, 9, 10, tzinfo=TZ)
    Need.objects.filter(pk=need.pk).update(raised_at=march, resolved_at=march + timedelta(days=2))
    station_services.need_raise(
        person=person_a, category="housing", description="修灯", source="visit", actor=worker
    )
    assert compute("cases.needs_raised", station) == {community_a.pk: 1}
    assert compute("cases.needs_met", station) == {community_a.pk: 1}
    today = timezone.localdate()
    assert compute("cases.needs_raised", station, today.year, today.month) == {community_a.pk: 1}


def test_every_casework_metric_is_declared():
    names = {m.name for m in all_metrics() if m.name.startswith("cases.")}
    assert names == {
        "cases.phone_visits", "cases.home_visits", "cases.households_visited", "cases.visit_coverage",
        "cases.visited_in_month", "cases.new_cases", "cases.open_cases", "cases.closed_cases", "cases.case_sessions", "cases.groups",
        "cases.group_sessions", "cases.group_participants", "cases.group_person_times", "cases.needs_raised",
        "cases.needs_met", "cases.household_home_visits", "cases.households_home_visited",
        "cases.households_first_visited",
    }  # fmt: skip
