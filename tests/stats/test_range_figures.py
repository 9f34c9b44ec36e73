"""Figures over a range counted from the records: distinct people by residency over a half year, 人次 beside
人, registered residents as they were at a past month's end, community activities apart from group sessions,
and rows that say what they count. A figure never recorded reads 未记录."""

from collections import Counter
from datetime import date

from django.utils import translation

from station.models import Activity, Person
from stats import registry
from stats import report as reports
from stats import selectors as figures
from stats.rollup import rollup_month
from tests.factories import PersonFactory

from .stats_helpers import local, make_activity

JAN, FEB, MAR, JUN = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 6, 1)
R, T = Person.Residency.RESETTLED, Person.Residency.TENANT


def roll(station, months):
    for month in months:
        rollup_month(station=station, month=month)


def test_villagers_and_tenants_over_a_half_year_are_counted_once_each(station, community_a, community_b):
    villager = PersonFactory(community=community_a, residency=R)
    tenant = PersonFactory(community=community_b, residency=T)
    make_activity(station, at=local(2026, 1, 10), community=community_a, people=[villager, tenant])
    make_activity(station, at=local(2026, 6, 10), community=community_a, headcount=3, people=[villager])
    make_activity(station, at=local(2026, 6, 11), community=community_b, people=[villager, tenant])
    roll(station, registry.months_between(JAN, JUN))
    tables = reports.report_tables(station, JAN, JUN)
    rows = {r["metric"].name: r for r in tables["rows"]}
    assert rows["station.participants.resettled"]["total"] == 1  # in January and June: one villager
    assert rows["station.participants.tenant"]["total"] == 1
    assert rows["station.people_served"]["total"] == 2
    assert rows["station.first_time_participants"]["total"] == 2
    assert rows["station.participant_times.resettled"]["total"] == 3  # 人次 beside 人
    assert rows["station.participant_times.tenant"]["total"] == 2
    assert rows["station.person_times"]["total"] == 8  # five named, three anonymous
    position = [c.pk for c in tables["communities"]].index(community_a.pk)
    assert rows["station.participants.resettled"]["communities"][position] == 1
    # The months themselves are still each month's own distinct count.
    assert rows["station.participants.resettled"]["months"] == [1, 0, 0, 0, 0, 1]


def test_registered_residents_of_a_past_month_are_those_on_the_register_then(station, community_a):
    PersonFactory(community=community_a, residency=T)  # on the register from the start (no date)
    PersonFactory(community=community_a, residency=T, registered_on=date(2026, 3, 5))
    PersonFactory(
        community=community_a, residency=T, registered_on=date(2025, 5, 1), moved_out_on=date(2026, 2, 10)
    )
    roll(station, [JAN, FEB, MAR])
    tables = reports.report_tables(station, JAN, MAR)
    row = next(r for r in tables["rows"] if r["metric"].name == "station.registered.tenant")
    assert row["months"] == [2, 1, 2]
    assert row["total"] == 2  # the state at the range's end, not 5


def test_community_activities_have_their_own_figure_apart_from_group_sessions(station, community_a):
    make_activity(station, at=local(2026, 1, 5), community=community_a, headcount=10)
    make_activity(
        station,
        at=local(2026, 1, 6),
        community=community_a,
        headcount=7,
        platform=Activity.Platform.VOLUNTEERS,
    )
    session = make_activity(
        station, at=local(2026, 1, 7), community=community_a, headcount=4, platform=Activity.Platform.CASEWORK
    )
    session.kind = "group_session"
    session.save()
    roll(station, [JAN])
    rows = {r["metric"].name: r for r in reports.report_tables(station, JAN, JAN)["rows"]}
    assert rows["station.community_activities"]["total"] == 2
    assert rows["station.community_person_times"]["total"] == 17
    assert rows["station.activities"]["total"] == 3


def test_no_two_rows_share_a_label():
    with translation.override("zh-hans"):
        labels = Counter(str(m.label) for m in registry.all_metrics())
    assert [label for label, n in labels.items() if n > 1] == []
    with translation.override("zh-hans"):
        assert str(registry.get_metric("station.community_activities").label) == "社区活动"
        assert registry.get_metric("station.community_activities").unit == "场"


def test_a_platform_the_station_never_recorded_reads_not_recorded(station, community_a, head, as_user):
    make_activity(station, at=local(2026, 1, 5), community=community_a, headcount=10)
    roll(station, [JAN])
    with translation.override("zh-hans"):
        rows = {r["metric"].name: r for r in reports.report_tables(station, JAN, JAN)["rows"]}
    assert rows["station.person_times"]["total"] == 10
    assert rows["station.people_served"]["total"] == 0  # recorded: the ledger is in use, nobody named
    assert rows["talent.study_sessions"]["total"] == "未记录"
    assert rows["talent.study_sessions"]["months"] == ["未记录"]
    assert rows["cases.phone_visits"]["cumulative"] == "未记录"
    scope = figures.Scope(station=station, community=None, month=JAN)
    metrics = [registry.get_metric("talent.study_sessions"), registry.get_metric("station.person_times")]
    talent, person_times = figures.cards(scope, metrics, figures.summary(scope))
    assert not talent["recorded"] and talent["month"] is None and talent["ytd"] is None
    assert person_times["recorded"] and person_times["month"] == 10


def test_moving_out_before_being_registered_is_a_form_error(community_a):
    import pytest
    from django.core.exceptions import ValidationError

    person = PersonFactory.build(
        community=community_a, registered_on=date(2026, 3, 1), moved_out_on=date(2026, 2, 1)
    )
    with pytest.raises(ValidationError) as caught:
        person.full_clean()
    assert "moved_out_on" in caught.value.message_dict
