"""The quarterly report back to the unit: made once per member and unit and quarter, however often the task
runs; the worker edits the comment, then draft → sent → acknowledged."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from partybuild import services, tasks
from partybuild.models import PartyActivity, QuarterlySheet, UnitReport
from station.periods import previous_quarter
from tests.factories import ActivityFactory, PersonFactory

from .factories import PartnerUnitFactory, PartyOrgFactory, ServicePostFactory, make_active_member


@pytest.fixture
def reporting(station, community_a, worker):
    unit = PartnerUnitFactory(station=station, name="区税务局")
    UnitReport.objects.create(unit=unit, community=community_a, signed_on=date(2025, 1, 5))
    member = make_active_member(
        PersonFactory(community=community_a, name="陈干部"), worker, on=date(2025, 1, 10), work_unit=unit
    )
    return unit, member


def test_a_quarterly_sheet_is_made_once_under_a_retried_task(reporting, station, worker):
    unit, member = reporting
    first = tasks.quarterly_sheets_make.delay(2025, 1).get()
    again = tasks.quarterly_sheets_make.apply(args=(2025, 1)).get()  # a retry after a lost acknowledgement
    assert (first, again) == (2, 0)
    assert QuarterlySheet.objects.filter(member=member, year=2025, quarter=1).count() == 1
    assert QuarterlySheet.objects.filter(unit=unit, year=2025, quarter=1).count() == 1


def test_the_sheet_counts_the_quarters_service(reporting, community_a, station, worker):
    unit, member = reporting
    post = ServicePostFactory(community=community_a, published_from=date(2025, 1, 1))
    holder = services.post_assign(post=post, member=member, actor=worker)
    holder.started_on = date(2025, 1, 12)
    holder.save()
    services.post_hours_record(holder=holder, served_on=date(2025, 2, 3), hours="2.5", actor=worker)
    services.post_hours_record(
        holder=holder, served_on=date(2025, 4, 3), hours="9", actor=worker
    )  # next quarter
    starts = datetime.combine(date(2025, 3, 1), time(9), tzinfo=ZoneInfo("Asia/Shanghai"))
    party_day = services.party_activity_save(
        party_activity=PartyActivity(kind="party_day"),
        activity=ActivityFactory.build(station=station, community=community_a, starts_at=starts),
        orgs=[PartyOrgFactory(station=station)],
        actor=worker,
    )
    services.party_activity_attend(party_activity=party_day, people=[member.person], actor=worker)
    services.quarterly_sheets_make(station=station, year=2025, quarter=1)

    sheet = QuarterlySheet.objects.get(member=member)
    assert sheet.figures == {"hours": "2.5", "posts": 1, "needs_met": 0, "party_days": 1, "course_sessions": 0,
                             "study_hours": "0"}  # fmt: skip
    unit_sheet = QuarterlySheet.objects.get(unit=unit)
    assert unit_sheet.figures["members"] == 1 and Decimal(unit_sheet.figures["hours"]) == Decimal("2.5")


def test_a_worker_edits_the_comment_then_sends_and_the_unit_acknowledges(reporting, station, worker, as_user):
    services.quarterly_sheets_make(station=station, year=2025, quarter=1)
    sheet = QuarterlySheet.objects.get(member=reporting[1])
    services.sheet_comment(sheet=sheet, comment="服务积极，群众满意", actor=worker)
    page = as_user(worker).get(f"/admin/partybuild/quarterlysheet/{sheet.pk}/print/").content.decode()
    assert "服务积极，群众满意" in page and "陈干部" in page and "2025年第1季度" in page
    with pytest.raises(ValidationError):
        services.sheet_acknowledge(sheet=sheet, actor=worker)
    services.sheet_send(sheet=sheet, actor=worker)
    with pytest.raises(ValidationError, match="送达后不能再修改"):
        services.sheet_comment(sheet=sheet, comment="改", actor=worker)
    sheet = services.sheet_acknowledge(sheet=sheet, actor=worker)
    assert sheet.status == "acknowledged" and sheet.comment == "服务积极，群众满意"


def test_the_sheets_export_to_excel_with_chinese_headings(reporting, station, worker, as_user):
    services.quarterly_sheets_make(station=station, year=2025, quarter=1)
    from partybuild.resources import QuarterlySheetResource

    data = QuarterlySheetResource(user=worker).export()
    assert data.headers[:3] == ["党员或单位", "工作单位", "季度"]
    assert ["陈干部", "区税务局", "2025Q1"] in [list(row[:3]) for row in data]


def test_the_task_without_arguments_makes_the_quarter_just_ended(reporting, station):
    made = tasks.quarterly_sheets_make.delay().get()
    year, quarter = previous_quarter(timezone.localdate())
    assert QuarterlySheet.objects.filter(year=year, quarter=quarter).count() == made


def test_the_worker_edits_the_comment_in_the_admin_and_a_sent_sheet_keeps_it(
    reporting, station, worker, as_user
):
    services.quarterly_sheets_make(station=station, year=2025, quarter=1)
    sheet = QuarterlySheet.objects.get(member=reporting[1])
    client = as_user(worker)
    response = client.post(f"/admin/partybuild/quarterlysheet/{sheet.pk}/change/", {"comment": "表现突出"})
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.comment == "表现突出"
    client.post(
        "/admin/partybuild/quarterlysheet/", {"action": "send", "_selected_action": [sheet.pk]}, follow=True
    )
    sheet.refresh_from_db()
    assert sheet.status == "sent"
    client.post(f"/admin/partybuild/quarterlysheet/{sheet.pk}/change/", {"comment": "改写"})
    sheet.refresh_from_db()
    assert sheet.comment == "表现突出"


def test_a_cadre_sees_no_sheets(reporting, station, cadre_a, as_user):
    services.quarterly_sheets_make(station=station, year=2025, quarter=1)
    sheet = QuarterlySheet.objects.first()
    assert as_user(cadre_a).get(f"/admin/partybuild/quarterlysheet/{sheet.pk}/print/").status_code in (
        403,
        404,
    )
