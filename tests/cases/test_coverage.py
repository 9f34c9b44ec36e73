"""Coverage means what it says: a visit that counts within the tier's cycle at the month's end, and a visit
in the month itself; a month without visits reads 0 %, not the share of people not yet overdue."""

import io
from datetime import date, timedelta

from openpyxl import load_workbook

from cases import plan, services
from stats.registry import get_metric, month_period
from stats.rollup import rollup_month
from tests.factories import PersonFactory

from .factories import VisitFactory, WatchEntryFactory

JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


def january(station):
    return plan.coverage_figures(station, JAN, FEB, today=date(2026, 3, 1))


def test_a_month_without_visits_is_0_percent_even_when_nobody_is_overdue_yet(
    station, community_a, worker, as_user
):
    """Quarterly people watched since December and a weekly person put on the list on 28 January were never
    overdue in January, which used to read 100 %; nobody was visited, so both shares are 0 %."""
    for _ in range(3):
        WatchEntryFactory(person=PersonFactory(community=community_a), worker=worker, tier="ordinary",
                          started_on=date(2025, 12, 1))  # fmt: skip
    WatchEntryFactory(person=PersonFactory(community=community_a), worker=worker, tier="high",
                      started_on=date(2026, 1, 28))  # fmt: skip
    key = PersonFactory(community=community_a)  # home visit 42 days before the month's end: outside 30 days
    WatchEntryFactory(person=key, worker=worker, tier="key", started_on=date(2025, 11, 1))
    VisitFactory(person=key, worker=worker, kind="home", visited_on=date(2025, 12, 20))
    assert january(station) == {community_a.pk: (0, 0, 5)}
    period = month_period(station, 2026, 1)
    assert get_metric("cases.visit_coverage").compute(period)["total"] == 0.0
    assert get_metric("cases.visited_in_month").compute(period)["total"] == 0.0
    text = as_user(worker).get("/cases/coverage/?month=2026-01").content.decode()
    assert 'data-testid="coverage">0.0%' in text and 'data-testid="visited">0.0%' in text


def test_a_month_where_everyone_was_visited_is_100_percent(
    station, community_a, community_b, worker, as_user
):
    weekly, monthly, quarterly = (PersonFactory(community=c) for c in (community_a, community_a, community_b))
    WatchEntryFactory(person=weekly, worker=worker, tier="high", started_on=date(2025, 12, 1))
    for day in range(3, 32, 7):  # 3, 10, 17, 24, 31 January
        VisitFactory(person=weekly, worker=worker, kind="phone", visited_on=date(2026, 1, day))
    WatchEntryFactory(person=monthly, worker=worker, tier="key", started_on=date(2025, 12, 1))
    VisitFactory(person=monthly, worker=worker, kind="home", visited_on=date(2026, 1, 20))
    WatchEntryFactory(person=quarterly, worker=worker, tier="ordinary", started_on=date(2025, 12, 1))
    VisitFactory(person=quarterly, worker=worker, kind="phone", visited_on=date(2026, 1, 5))
    assert january(station) == {community_a.pk: (2, 2, 2), community_b.pk: (1, 1, 1)}
    text = as_user(worker).get("/cases/coverage/?month=2026-01").content.decode()
    assert 'data-testid="coverage">100.0%' in text and 'data-testid="visited">100.0%' in text
    # February, with no visit: the quarterly person is still within their cycle, nobody was visited.
    assert plan.coverage_figures(station, FEB, date(2026, 3, 1), today=date(2026, 3, 1)) == {
        community_a.pk: (0, 0, 2),
        community_b.pk: (1, 0, 1),
    }


def test_a_visit_at_half_past_midnight_on_the_first_counts_for_that_month(
    station, community_a, person_a, worker, time_machine
):
    WatchEntryFactory(person=person_a, worker=worker, tier="key", started_on=date(2026, 1, 1))
    time_machine.move_to("2026-02-28T16:30:00+00:00")  # 1 March, 00:30 in Shanghai
    services.visit_record(person=person_a, kind="home", actor=worker)
    march = plan.coverage_figures(station, date(2026, 3, 1), date(2026, 4, 1))
    february = plan.coverage_figures(station, FEB, date(2026, 3, 1))
    assert march == {community_a.pk: (1, 1, 1)}
    assert february == {community_a.pk: (0, 0, 1)}


def test_a_person_who_left_the_list_mid_month_is_judged_on_their_last_day(station, community_a, worker):
    person = PersonFactory(community=community_a)
    WatchEntryFactory(person=person, worker=worker, tier="high", started_on=date(2025, 12, 1),
                      ended_on=date(2026, 1, 10))  # fmt: skip
    VisitFactory(person=person, worker=worker, visited_on=date(2026, 1, 5))
    assert january(station) == {community_a.pk: (1, 1, 1)}


def test_the_page_and_the_report_say_what_coverage_means(station, community_a, head, worker, as_user):
    WatchEntryFactory(person=PersonFactory(community=community_a), worker=worker, started_on=JAN)
    page = as_user(worker).get("/cases/coverage/?month=2026-01").content.decode()
    definition = str(plan.COVERAGE_DEFINITION)
    assert "截至月末" in definition and definition in page and str(plan.VISITED_DEFINITION) in page
    rollup_month(station=station, month=JAN)
    printable = as_user(head).get(f"/dashboard/station/{station.pk}/report/?from=2026-01&to=2026-01")
    assert definition in printable.content.decode()
    response = as_user(head).get(f"/dashboard/station/{station.pk}/report.xlsx?from=2026-01&to=2026-01")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    cells = [c for row in load_workbook(io.BytesIO(content))["指标说明"].iter_rows(values_only=True)
             for c in row if isinstance(c, str)]  # fmt: skip
    assert any(definition in c and c.startswith("探访计划覆盖率") for c in cells)


def test_this_months_coverage_is_judged_today(station, community_a, worker):
    from django.utils import timezone

    today = timezone.localdate()
    person = PersonFactory(community=community_a)
    WatchEntryFactory(person=person, worker=worker, tier="high", started_on=today - timedelta(days=60))
    VisitFactory(person=person, worker=worker, visited_on=today)
    first = today.replace(day=1)
    figures = plan.coverage_figures(station, first, (first + timedelta(days=40)).replace(day=1))
    assert figures == {community_a.pk: (1, 1, 1)}


def test_a_months_coverage_is_two_queries_however_many_people(
    station, community_a, worker, django_assert_num_queries
):
    for i in range(30):
        person = PersonFactory(community=community_a)
        WatchEntryFactory(
            person=person, worker=worker, tier=("high", "key", "ordinary")[i % 3], started_on=JAN
        )
        VisitFactory(person=person, worker=worker, kind=("phone", "home")[i % 2], visited_on=date(2026, 1, 9))
    with django_assert_num_queries(2):
        figures = january(station)
    # Judged on 31 January, 22 days after the visits: no weekly person is covered, the five key-tier people
    # visited at home are (the five called are not), and all ten quarterly ones are.
    assert figures == {community_a.pk: (15, 30, 30)}
