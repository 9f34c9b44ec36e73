"""The platform's monthly figures."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from orgs import selectors, services
from orgs.models import Membership, OrgActivity
from station.models import Activity, Attendance
from stats.registry import all_metrics, month_period
from tests.factories import PersonFactory
from volunteers import services as volunteer_services

from .factories import make_org


def _metrics():
    return {m.name: m for m in all_metrics()}


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _activity(org, worker, day, role="provider", kind="service", people=(), headcount=0, community=None):
    station = org.station if org else community.station
    saved = services.org_activity_save(
        org_activity=OrgActivity(org=org, role=role, kind=kind),
        activity=Activity(station=station, title="活动", community=community or org.community,
                          starts_at=_at(day), ends_at=_at(day, 12), headcount=headcount),
        actor=worker,
    )  # fmt: skip
    Attendance.objects.bulk_create(Attendance(activity=saved.activity, person=p) for p in people)
    return saved


def test_org_led_activity_person_times_are_counted_once_in_the_station_total(
    station, community_a, worker, org_a
):
    people = PersonFactory.create_batch(3, community=community_a)
    _activity(org_a, worker, date(2025, 5, 10), people=people, headcount=7)  # 10 人次, led by the org
    station_event = Activity.objects.create(
        station=station, platform=Activity.Platform.STATION, title="邻里节", community=community_a,
        starts_at=_at(date(2025, 5, 12)), ends_at=_at(date(2025, 5, 12), 12), headcount=20,
    )  # fmt: skip
    Attendance.objects.create(activity=station_event, person=people[0])
    may = month_period(station, 2025, 5)
    metrics = _metrics()
    assert metrics["orgs.led_person_times"].compute(may) == {community_a.pk: 10}
    assert metrics["orgs.led_activities"].compute(may) == {community_a.pk: 1}
    # The station's total holds the org's 10 once, beside its own 21: not 41.
    assert metrics["station.person_times"].compute(may) == {community_a.pk: 31}
    assert metrics["station.person_times.orgs"].compute(may) == {community_a.pk: 10}


def test_the_provider_share_and_trainings_by_month(station, community_a, community_b, worker, org_a):
    org_b = make_org(worker, community_b, name="韩南村议事会", category="consultation")
    _activity(org_a, worker, date(2025, 6, 3))
    _activity(org_a, worker, date(2025, 6, 4), role="participant")
    _activity(org_b, worker, date(2025, 6, 5))
    training = _activity(None, worker, date(2025, 6, 6), kind="training", community=community_a,
                         people=PersonFactory.create_batch(2, community=community_a))  # fmt: skip
    assert training.org is None
    june = month_period(station, 2025, 6)
    metrics = _metrics()
    assert metrics["orgs.provider_share"].compute(june) == {community_a.pk: 50.0, community_b.pk: 100.0,
                                                            "total": 66.7}  # fmt: skip
    assert metrics["orgs.trainings"].compute(june) == {community_a.pk: 1}
    assert metrics["orgs.training_person_times"].compute(june) == {community_a.pk: 2}


def test_organisations_by_tier_category_stage_and_graduation(station, community_a, worker, supervisor, org_a):
    services.incubation_start(org=org_a, actor=worker)
    today = timezone.localdate()
    this_month = month_period(station, today.year, today.month)
    metrics = _metrics()
    assert metrics["orgs.tier_loose"].compute(this_month) == {community_a.pk: 1, "total": 1}
    assert metrics["orgs.category_volunteer"].compute(this_month) == {community_a.pk: 1, "total": 1}
    assert metrics["orgs.in_incubation"].compute(this_month) == {community_a.pk: 1, "total": 1}
    assert metrics["orgs.in_stage_1"].compute(this_month) == {community_a.pk: 1, "total": 1}
    assert metrics["orgs.in_stage_2"].compute(this_month) == {"total": 0}
    last_year = month_period(station, today.year - 1, today.month)
    assert metrics["orgs.in_incubation"].compute(last_year) == {"total": 0}
    assert metrics["orgs.organisations_incubated"].compute(this_month) == {"total": 0}


def test_members_are_distinct_people(station, community_a, worker, org_a):
    other = make_org(worker, community_a, name="丰京苑舞蹈队", category="arts")
    person = PersonFactory(community=community_a)
    for org in (org_a, other):
        services.membership_add(
            org=org, person=person, role="member", actor=worker, joined_on=date(2025, 1, 1)
        )
    june = month_period(station, 2025, 6)
    assert _metrics()["orgs.members"].compute(june) == {community_a.pk: 1, "total": 1}


def test_the_leader_from_volunteer_figure_counts_a_person_once_however_many_orgs_they_lead(
    station, community_a, worker, org_a
):
    leader = PersonFactory(community=community_a)
    plain_leader = PersonFactory(community=community_a)
    volunteer_services.volunteer_register(person=leader, actor=worker, joined_on=date(2023, 1, 1))
    second = make_org(worker, community_a, name="丰京苑议事会", category="consultation")
    for org in (org_a, second):
        services.membership_add(org=org, person=leader, role=Membership.Role.LEADER, actor=worker)
    services.membership_add(org=org_a, person=plain_leader, role=Membership.Role.LEADER, actor=worker)
    assert selectors.leaders_from_volunteers_count(worker) == 1
    paths = {p["person"]: p for p in selectors.leader_paths(worker, org_a)}
    assert paths[leader]["volunteer_since"] == date(2023, 1, 1)
    assert paths[plain_leader]["volunteer_since"] is None


def test_a_former_leader_no_longer_counts(station, community_a, worker, org_a):
    leader = PersonFactory(community=community_a)
    volunteer_services.volunteer_register(person=leader, actor=worker)
    membership = services.membership_add(
        org=org_a, person=leader, role=Membership.Role.LEADER, actor=worker,
        joined_on=timezone.localdate() - timedelta(days=10),
    )  # fmt: skip
    services.membership_end(membership=membership, left_on=timezone.localdate(), actor=worker)
    assert selectors.leaders_from_volunteers_count(worker) == 0


def test_leader_candidates_come_with_their_reason(station, community_a, worker, org_a):

    busy = PersonFactory(community=community_a, name="王热心")
    volunteer = volunteer_services.volunteer_register(person=busy, actor=worker)
    record = volunteer_services.service_record_backfill(
        volunteer=volunteer, service_date=date(2025, 5, 3), minutes=300, description="助老", actor=worker
    )
    volunteer_services.service_record_approve(record=record, actor=worker)
    regular = PersonFactory(community=community_a, name="李常来")
    for n in range(3):
        event = Activity.objects.create(station=station, title=f"讲座{n}", community=community_a,
                                        starts_at=_at(date(2025, 5, 1 + n)), ends_at=_at(date(2025, 5, 1 + n), 12))  # fmt: skip
        Attendance.objects.create(activity=event, person=regular)
    candidates = {c["person"].name: c["reasons"] for c in selectors.leader_candidates(worker, community_a)}
    assert candidates["王热心"] == ["志愿服务 5.0 小时"]
    assert candidates["李常来"] == ["参加活动 3 次"]
    services.membership_add(org=org_a, person=busy, role=Membership.Role.LEADER, actor=worker)
    assert "王热心" not in {c["person"].name for c in selectors.leader_candidates(worker, community_a)}


def test_the_monthly_leaders_from_volunteers_metric_counts_a_person_once_however_many_orgs_they_lead(
    station, community_a, community_b, worker, org_a
):
    second = make_org(worker, community_a, name="丰京苑议事会", category="consultation")
    elsewhere = make_org(worker, community_b, name="韩南村舞蹈队", category="arts")
    leader = PersonFactory(community=community_a)
    volunteer_services.volunteer_register(person=leader, actor=worker, joined_on=date(2023, 1, 1))
    for org in (org_a, second, elsewhere):
        services.membership_add(
            org=org, person=leader, role=Membership.Role.LEADER, actor=worker, joined_on=date(2024, 3, 1)
        )
    june = month_period(station, 2025, 6)
    assert _metrics()["orgs.leaders_from_volunteers"].compute(june) == {
        community_a.pk: 1, community_b.pk: 1, "total": 1,
    }  # fmt: skip
    # Before they led anything, they did not count.
    assert _metrics()["orgs.leaders_from_volunteers"].compute(month_period(station, 2024, 2)) == {"total": 0}


def test_a_leader_who_was_never_a_volunteer_or_became_one_only_later_is_not_counted(
    station, community_a, worker, org_a
):
    never = PersonFactory(community=community_a)
    later = PersonFactory(community=community_a)
    volunteer_services.volunteer_register(person=later, actor=worker, joined_on=date(2025, 1, 1))
    for person in (never, later):
        services.membership_add(
            org=org_a, person=person, role=Membership.Role.LEADER, actor=worker, joined_on=date(2024, 3, 1)
        )
    june = month_period(station, 2025, 6)
    assert _metrics()["orgs.leaders_from_volunteers"].compute(june) == {"total": 0}


def test_a_leader_who_stepped_down_counts_until_the_month_they_left(station, community_a, worker, org_a):
    leader = PersonFactory(community=community_a)
    volunteer_services.volunteer_register(person=leader, actor=worker, joined_on=date(2023, 1, 1))
    membership = services.membership_add(
        org=org_a, person=leader, role=Membership.Role.LEADER, actor=worker, joined_on=date(2024, 3, 1)
    )
    services.membership_end(membership=membership, left_on=date(2025, 5, 20), actor=worker)
    metric = _metrics()["orgs.leaders_from_volunteers"]
    assert metric.compute(month_period(station, 2025, 4)) == {community_a.pk: 1, "total": 1}
    assert metric.compute(month_period(station, 2025, 5)) == {"total": 0}
