"""The visit plan: cycles by tier, overdue lists, urgent requests, monthly coverage."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import plan, services
from cases.models import VisitRequest, WatchEntry
from tests.factories import PersonFactory

from .factories import VisitFactory, WatchEntryFactory

DAY0 = date(2026, 3, 2)


def watch(person, worker, tier="high", started_on=DAY0):
    return WatchEntryFactory(person=person, worker=worker, tier=tier, started_on=started_on)


def visit(person, worker, day, kind="phone"):
    return VisitFactory(person=person, worker=worker, visited_on=day, kind=kind)


def status_on(entry, day):
    return next(s for s in plan.watch_statuses(WatchEntry.objects.filter(pk=entry.pk), day))


def test_weekly_cycle_day_7_is_covered_day_8_is_overdue(person_a, worker):
    entry = watch(person_a, worker, "high")
    visit(person_a, worker, DAY0)
    assert not status_on(entry, DAY0 + timedelta(days=7)).overdue
    late = status_on(entry, DAY0 + timedelta(days=8))
    assert late.overdue and late.days_late == 1


def test_a_visit_7_days_before_the_months_end_covers_a_weekly_person_8_days_does_not(community_a, worker):
    on_time, late = PersonFactory(community=community_a), PersonFactory(community=community_a)
    for person, day in ((on_time, date(2026, 3, 24)), (late, date(2026, 3, 23))):
        watch(person, worker, "high", started_on=date(2026, 2, 20))
        visit(person, worker, day)
    figures = plan.coverage(community_a.station, date(2026, 3, 1), date(2026, 4, 1), today=date(2026, 4, 5))
    assert figures[community_a.pk] == (1, 2)


def test_only_the_kinds_that_count_for_the_tier_count(person_a, worker):
    entry = watch(person_a, worker, "key")  # key tier: home visits only (monthly)
    visit(person_a, worker, DAY0 + timedelta(days=20), kind="phone")
    assert status_on(entry, DAY0 + timedelta(days=31)).overdue
    visit(person_a, worker, DAY0 + timedelta(days=25), kind="home")
    assert not status_on(entry, DAY0 + timedelta(days=31)).overdue


def test_the_cycle_starts_when_the_watch_starts(person_a, worker):
    entry = watch(person_a, worker, "ordinary")
    assert not status_on(entry, DAY0 + timedelta(days=90)).overdue
    assert status_on(entry, DAY0 + timedelta(days=91)).overdue


def test_coverage_for_a_month_with_a_known_mix(community_a, community_b, worker):
    """March 2026, judged on 31 March: six watched people, three covered, four visited in the month."""
    people = {
        name: PersonFactory(community=community_a if i < 4 else community_b)
        for i, name in enumerate("ABCDEF")
    }
    feb = date(2026, 2, 1)
    # A: high risk, visited every 7 days through March (last 29 March): covered, visited.
    watch(people["A"], worker, "high", started_on=feb)
    for d in range(0, 70, 7):
        visit(people["A"], worker, feb + timedelta(days=d))
    # B: high risk, a 10-day gap in mid-March but a visit on 25 March: covered at the month's end, visited.
    watch(people["B"], worker, "high", started_on=date(2026, 3, 1))
    for d in (1, 8, 18, 25):
        visit(people["B"], worker, date(2026, 3, d))
    # C: key tier (monthly, home visits), home visit on 15 March: covered, visited.
    watch(people["C"], worker, "key", started_on=feb)
    visit(people["C"], worker, date(2026, 2, 20), "home")
    visit(people["C"], worker, date(2026, 3, 15), "home")
    # D: key tier visited by phone only: not covered (phone does not count for key), but visited.
    watch(people["D"], worker, "key", started_on=feb)
    visit(people["D"], worker, date(2026, 3, 10), "phone")
    # E: ordinary (quarterly), watched since January, never visited: neither.
    watch(people["E"], worker, "ordinary", started_on=date(2026, 1, 2))
    # F: put under high-risk watch on 28 March and not yet visited: neither.
    watch(people["F"], worker, "high", started_on=date(2026, 3, 28))
    figures = plan.coverage_figures(
        community_a.station, date(2026, 3, 1), date(2026, 4, 1), today=date(2026, 4, 10)
    )
    assert figures == {community_a.pk: (3, 4, 4), community_b.pk: (0, 0, 2)}


def test_ended_watch_and_other_station_are_not_counted(community_a, other_person, worker, other_worker):
    person = PersonFactory(community=community_a)
    WatchEntryFactory(person=person, worker=worker, started_on=date(2026, 1, 1), ended_on=date(2026, 2, 1))
    watch(other_person, other_worker, "high", started_on=date(2026, 1, 1))
    assert (
        plan.coverage(community_a.station, date(2026, 3, 1), date(2026, 4, 1), today=date(2026, 4, 2)) == {}
    )


def test_changing_tier_ends_the_old_entry(person_a, worker):
    services.watch_entry_set(person=person_a, tier="ordinary", worker=worker, actor=worker, started_on=DAY0)
    services.watch_entry_set(
        person=person_a, tier="high", worker=worker, actor=worker, started_on=DAY0 + timedelta(days=10)
    )
    entries = list(WatchEntry.objects.filter(person=person_a).order_by("started_on"))
    assert [e.tier for e in entries] == ["ordinary", "high"]
    assert entries[0].ended_on == DAY0 + timedelta(days=9) and entries[1].ended_on is None


def test_urgent_request_is_due_in_24_hours_and_met_by_the_next_visit(person_a, head, worker):
    request = services.visit_request_create(
        person=person_a, event="老人在家中跌倒", assigned_to=worker, actor=head
    )
    assert request.due_at - request.requested_at == timedelta(hours=24)
    assert worker.notifications.filter(key=f"cases:visit-request:{request.pk}").exists()
    assert list(
        plan.overdue_requests(VisitRequest.objects.all(), now=request.due_at + timedelta(minutes=1))
    ) == [request]
    services.visit_record(person=person_a, kind="home", actor=worker)
    request.refresh_from_db()
    assert request.visit is not None
    assert not plan.overdue_requests(
        VisitRequest.objects.all(), now=request.due_at + timedelta(hours=1)
    ).exists()


def test_overdue_page_lists_by_worker_and_community(person_a, person_b, worker, supervisor, as_user):
    today = timezone.localdate()
    watch(person_a, worker, "high", started_on=today - timedelta(days=30))
    watch(person_b, supervisor, "high", started_on=today - timedelta(days=3))
    page = as_user(worker).get("/cases/overdue/")
    text = page.content.decode()
    assert page.status_code == 200
    assert person_a.name in text and person_b.name not in text
    assert "丰京苑社区" in text


def test_overdue_page_is_not_for_cadres(cadre_a, as_user):
    assert as_user(cadre_a).get("/cases/overdue/").status_code == 404


def test_coverage_page_shows_the_month(person_a, worker, as_user):
    watch(person_a, worker, "high", started_on=date(2026, 1, 1))
    for d in range(0, 100, 5):
        visit(person_a, worker, date(2026, 1, 1) + timedelta(days=d))
    page = as_user(worker).get("/cases/coverage/?month=2026-03")
    assert 'data-testid="coverage">100.0%' in page.content.decode()


def test_a_bad_month_falls_back_to_this_month(worker, as_user):
    assert as_user(worker).get("/cases/coverage/?month=2026-13").status_code == 200


def test_a_visit_cannot_be_in_the_future(person_a, worker):
    with pytest.raises(ValidationError):
        services.visit_record(
            person=person_a, kind="phone", actor=worker, visited_on=timezone.localdate() + timedelta(days=1)
        )


def test_a_person_whose_tier_changed_mid_month_counts_once_in_coverage(person_a, worker):
    """Raised from key to high risk on 15 March and visited weekly since: one person, covered."""
    services.watch_entry_set(
        person=person_a, tier="key", worker=worker, actor=worker, started_on=date(2026, 3, 1)
    )
    visit(person_a, worker, date(2026, 3, 1))
    services.watch_entry_set(
        person=person_a, tier="high", worker=worker, actor=worker, started_on=date(2026, 3, 15)
    )
    for day in (15, 22, 29):
        visit(person_a, worker, date(2026, 3, day))
    figures = plan.coverage(
        person_a.community.station, date(2026, 3, 1), date(2026, 4, 1), today=date(2026, 4, 2)
    )
    assert figures == {person_a.community_id: (1, 1)}


def test_correcting_the_tier_on_the_day_it_was_set_leaves_one_entry_and_one_overdue_line(person_a, worker):
    services.watch_entry_set(person=person_a, tier="ordinary", worker=worker, actor=worker, started_on=DAY0)
    services.watch_entry_set(person=person_a, tier="high", worker=worker, actor=worker, started_on=DAY0)
    assert list(WatchEntry.objects.filter(person=person_a).values_list("tier", "ended_on")) == [
        ("high", None)
    ]
    late = plan.overdue_statuses(WatchEntry.objects.all(), DAY0 + timedelta(days=8))
    assert [s.entry.person for s in late] == [person_a]


def test_a_phone_call_does_not_answer_a_request_for_a_home_visit(person_a, head, worker):
    request = services.visit_request_create(person=person_a, event="老伴去世", assigned_to=worker, actor=head)
    services.visit_record(person=person_a, kind="phone", actor=worker)
    request.refresh_from_db()
    assert request.visit is None
    home = services.visit_record(person=person_a, kind="home", actor=worker)
    request.refresh_from_db()
    assert request.visit == home
