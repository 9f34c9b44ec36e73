"""The platform's monthly figures per community; a month with nothing recorded gives no figure, not 0."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone

from partybuild import services
from partybuild.models import CourseSession, PartyActivity, QuarterlySheet, UnitReport
from station.models import Need
from station.services import need_raise
from stats.registry import all_metrics, month_period
from tests.factories import ActivityFactory, PersonFactory

from .factories import (
    CourseFactory,
    PartnerUnitFactory,
    PartyOrgFactory,
    ServicePostFactory,
    make_active_member,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def metrics():
    return {m.name: m for m in all_metrics() if m.platform == "partybuild"}


def test_the_month_figures_of_members_units_posts_party_days_and_courses(
    station, community_a, community_b, person_a, worker
):
    a1 = make_active_member(PersonFactory(community=community_a), worker, on=date(2025, 2, 3))
    make_active_member(PersonFactory(community=community_a), worker, on=date(2025, 2, 10))
    b1 = make_active_member(PersonFactory(community=community_b), worker, on=date(2025, 1, 20))
    UnitReport.objects.create(
        unit=PartnerUnitFactory(station=station), community=community_a, signed_on=date(2025, 2, 1)
    )
    post = ServicePostFactory(community=community_a, published_from=date(2025, 1, 1))
    holder = services.post_assign(post=post, member=a1, actor=worker)
    holder.started_on = date(2025, 2, 4)
    holder.save()
    services.post_hours_record(holder=holder, served_on=date(2025, 2, 5), hours="2", actor=worker)
    services.post_hours_record(holder=holder, served_on=date(2025, 2, 6), hours="1.5", actor=worker)
    starts = datetime.combine(date(2025, 2, 28), time(23, 0), tzinfo=SHANGHAI)  # still February in Shanghai
    party_day = services.party_activity_save(
        party_activity=PartyActivity(kind="party_day"),
        activity=ActivityFactory.build(station=station, community=community_a, starts_at=starts, headcount=5),
        orgs=[PartyOrgFactory(station=station)],
        actor=worker,
    )
    services.party_activity_attend(party_activity=party_day, people=[a1.person, b1.person], actor=worker)
    course = CourseFactory(station=station)
    session = services.course_session_save(
        session=CourseSession(course=course, starts_at=datetime(2025, 2, 9, 9, tzinfo=SHANGHAI),
                              ends_at=datetime(2025, 2, 9, 12, tzinfo=SHANGHAI), length="half_day"),
        actor=worker,
    )  # fmt: skip
    services.course_attend(session=session, people=[a1.person, b1.person], actor=worker)

    found = metrics()
    feb = month_period(station, 2025, 2)
    assert found["partybuild.members_reported"].compute(feb) == {community_a.pk: 2}
    assert found["partybuild.members_active"].compute(feb) == {
        community_a.pk: 2,
        community_b.pk: 1,
        "total": 3,
    }
    assert found["partybuild.units_reporting"].compute(feb) == {community_a.pk: 1, "total": 1}
    assert found["partybuild.service_hours"].compute(feb) == {community_a.pk: 3.5}
    assert found["partybuild.service_person_times"].compute(feb) == {community_a.pk: 2}
    assert found["partybuild.party_days"].compute(feb) == {community_a.pk: 1}
    assert found["partybuild.party_day_person_times"].compute(feb) == {community_a.pk: 7}
    assert found["partybuild.course_sessions"].compute(feb) == {None: 1}
    assert found["partybuild.study_hours"].compute(feb) == {community_a.pk: 4.0, community_b.pk: 4.0}
    assert found["partybuild.posts_filled"].compute(feb) == {community_a.pk: 1}

    march = month_period(station, 2025, 3)
    for name in ("members_reported", "service_hours", "party_days", "course_sessions", "sheets_sent"):
        assert found[f"partybuild.{name}"].compute(march) == {}, name


def test_needs_taken_and_met_by_members_and_sheets_sent_count_this_month(
    station, community_a, person_a, worker
):
    member = make_active_member(PersonFactory(community=community_a), worker, on=date(2025, 1, 5))
    need = need_raise(
        person=person_a, category=Need.Category.OTHER, description="换灯泡", source="visit", actor=worker
    )
    services.need_take_by_member(need=need, member=member, actor=worker)
    services.need_meet_by_member(need=need, outcome="已更换", actor=worker)
    services.quarterly_sheets_make(station=station, year=2025, quarter=1)
    services.sheet_send(sheet=QuarterlySheet.objects.get(), actor=worker)

    today = timezone.localdate()
    month = month_period(station, today.year, today.month)
    found = metrics()
    assert found["partybuild.needs_taken"].compute(month) == {community_a.pk: 1}
    assert found["partybuild.needs_met"].compute(month) == {community_a.pk: 1}
    assert found["partybuild.service_person_times"].compute(month) == {community_a.pk: 1}
    assert found["partybuild.sheets_sent"].compute(month) == {community_a.pk: 1}


def test_every_metric_reads_in_at_most_two_queries(station, django_assert_max_num_queries):
    feb = month_period(station, 2025, 2)
    for metric in metrics().values():
        with django_assert_max_num_queries(2):
            metric.compute(feb)
