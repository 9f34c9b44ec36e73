"""Themed party days are station activities of platform "partybuild", linked to the branches that ran them; the
station sees which branches missed a month."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from partybuild import selectors, services
from partybuild.models import PartyActivity, PartyOrg
from station.models import Activity, Attendance
from tests.factories import ActivityFactory

from .factories import PartyOrgFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def party_day(station, community, org, day, worker):
    starts = datetime.combine(day, time(9), tzinfo=SHANGHAI)
    return services.party_activity_save(
        party_activity=PartyActivity(kind="party_day"),
        activity=ActivityFactory.build(
            station=station, community=community, starts_at=starts, title="主题党日"
        ),
        orgs=[org],
        actor=worker,
    )


def test_a_branch_without_a_party_day_in_the_month_is_listed(station, community_a, worker):
    first = PartyOrgFactory(station=station, name="第一党支部", community=community_a)
    second = PartyOrgFactory(station=station, name="第二党支部", community=community_a)
    PartyOrgFactory(station=station, name="机关党委", kind=PartyOrg.Kind.COMMITTEE)
    party_day(
        station, community_a, first, date(2026, 2, 1), worker
    )  # 00:00–09:00 on the 1st is still February
    party_day(station, community_a, second, date(2026, 3, 3), worker)

    missed = selectors.branches_missing_party_days(station, date(2026, 2, 1))

    assert missed == [(second, 0)]
    assert selectors.branches_missing_party_days(station, date(2026, 3, 1)) == [(first, 0)]


def test_the_rule_of_one_a_month_is_a_setting(station, community_a, worker, settings):
    settings.PARTYBUILD_PARTY_DAYS_PER_MONTH = 2
    branch = PartyOrgFactory(station=station, name="第一党支部")
    party_day(station, community_a, branch, date(2026, 2, 10), worker)
    assert selectors.branches_missing_party_days(station, date(2026, 2, 1)) == [(branch, 1)]


def test_the_dashboard_shows_the_branches_that_missed_to_the_station(station, community_a, head, as_user):
    PartyOrgFactory(station=station, name="第二党支部")
    page = as_user(head).get(f"/dashboard/station/{station.pk}/?month=2026-02").content.decode()
    assert "未开展主题党日的党支部" in page and "第二党支部" in page


def test_a_party_day_is_on_the_ledger_and_counts_attendance(station, community_a, person_a, worker):
    branch = PartyOrgFactory(station=station)
    day = party_day(station, community_a, branch, date(2026, 2, 10), worker)
    services.party_activity_attend(party_activity=day, people=[person_a], actor=worker)
    activity = Activity.objects.get()
    assert (activity.platform, activity.kind) == ("partybuild", "party_day")
    assert list(day.orgs.all()) == [branch]
    assert Attendance.objects.get().person == person_a


def test_a_party_day_needs_the_branch_that_ran_it(station, community_a, worker):
    with pytest.raises(ValidationError):
        services.party_activity_save(
            party_activity=PartyActivity(kind="party_day"),
            activity=ActivityFactory.build(station=station, community=community_a),
            orgs=[],
            actor=worker,
        )
    assert not Activity.objects.exists()


def test_a_worker_records_a_party_day_in_the_admin(station, community_a, worker, as_user):
    branch = PartyOrgFactory(station=station, name="第一党支部")
    response = as_user(worker).post(
        "/admin/partybuild/partyactivity/add/",
        {
            "kind": "party_day", "title": "七一主题党日", "community": community_a.pk,
            "starts_at_0": "2026-07-01", "starts_at_1": "09:00", "ends_at_0": "2026-07-01", "ends_at_1": "11:00",
            "place": "党群服务中心", "headcount": "10", "orgs": [branch.pk], "summary": "重温入党誓词",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    day = PartyActivity.objects.select_related("activity").get()
    assert day.activity.title == "七一主题党日" and day.activity.platform == "partybuild"
    assert day.activity.headcount == 10 and list(day.orgs.all()) == [branch]
