"""The monthly report: an Excel workbook in Chinese whose numbers are the rollup's, and its printable page."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from station.models import AuditEvent, Notification
from stats.models import StatReport, StatValue
from stats.rollup import rollup_month

from .stats_helpers import local, make_activity

JULY, AUGUST = date(2025, 7, 1), date(2025, 8, 1)


@pytest.fixture
def rolled(station, community_a, community_b, person_a, person_b):
    make_activity(station, at=local(2025, 7, 3), community=community_a, headcount=11, people=[person_a])
    make_activity(station, at=local(2025, 7, 4), community=community_b, headcount=22, people=[person_b])
    make_activity(station, at=local(2025, 8, 4), community=community_b, headcount=5)
    make_activity(station, at=local(2025, 8, 9), community=None, headcount=40)
    for month in (JULY, AUGUST):
        rollup_month(station=station, month=month)


def open_workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )


def summary_numbers(ws):
    header = [c.value for c in ws[2]]
    rows = {}
    for row in ws.iter_rows(min_row=3, values_only=True):
        rows[(row[0], row[1])] = dict(zip(header, row, strict=True))
    return header, rows


def test_the_excel_file_opens_and_its_summary_numbers_equal_the_rollup(
    head, station, community_a, community_b, rolled, as_user
):
    response = as_user(head).get(f"/dashboard/station/{station.pk}/report.xlsx?from=2025-07&to=2025-08")
    wb = open_workbook(response)
    ws = wb.worksheets[0]
    assert ws.title == "汇总"
    assert station.name in ws["A1"].value and "2025-07" in ws["A1"].value and "2025-08" in ws["A1"].value
    header, rows = summary_numbers(ws)
    assert header[:3] == ["平台", "指标", "单位"]
    assert community_a.name in header and community_b.name in header
    person_times = rows[("社工站", "服务人次（全部活动）")]
    total = sum(
        v.value
        for v in StatValue.objects.filter(station=station, community=None, metric="station.person_times")
    )
    assert person_times["区间合计"] == total == 80
    assert isinstance(person_times["区间合计"], int)  # a number, not text
    assert AuditEvent.objects.get(action="export").reason == "月度报表 2025-07 – 2025-08"
    a_total = sum(
        v.value
        for v in StatValue.objects.filter(
            station=station, community=community_a, metric="station.person_times"
        )
    )
    assert person_times[community_a.name] == a_total == 12
    assert person_times["开站以来累计"] == 80
    assert person_times["未归属村（社区）"] == 40  # the station-wide event in August
    assert "志愿服务" in wb.sheetnames  # one sheet per platform


def test_every_summary_total_matches_the_rollup(head, station, rolled, as_user):
    from stats.selectors import ordered_metrics, recorded_metrics

    recorded = recorded_metrics(station, JULY)

    wb = open_workbook(
        as_user(head).get(f"/dashboard/station/{station.pk}/report.xlsx?from=2025-07&to=2025-07")
    )
    ws = wb.worksheets[0]
    header, _rows = summary_numbers(ws)
    totals = [row[header.index("区间合计")] for row in ws.iter_rows(min_row=3, values_only=True)]
    expected = [
        int(
            StatValue.objects.filter(station=station, community=None, month=JULY, metric=m.name).first().value
        )
        if m.name in recorded
        else "未记录"
        for m in ordered_metrics()
    ]
    assert totals == expected
    assert "未记录" in totals and 2 in totals  # only the station's ledger is in use here


def test_platform_sheets_have_a_column_per_month_and_cumulative_columns(head, station, rolled, as_user):
    wb = open_workbook(
        as_user(head).get(f"/dashboard/station/{station.pk}/report.xlsx?from=2025-07&to=2025-08")
    )
    station_sheet = wb["社工站"]
    header = [c.value for c in station_sheet[2]]
    assert header == ["指标", "单位", "2025-07", "2025-08", "区间合计", "本年累计", "开站以来累计"]
    activities = next(
        r for r in station_sheet.iter_rows(min_row=3, values_only=True) if r[0] == "服务台账活动（全部）"
    )
    assert activities[2:5] == (2, 2, 4)


def test_a_large_range_is_built_in_the_background_and_the_requester_notified(
    head, station, rolled, as_user, django_capture_on_commit_callbacks
):
    client = as_user(head)
    with django_capture_on_commit_callbacks(
        execute=True
    ):  # the task is sent once the request's data is saved
        response = client.get(f"/dashboard/station/{station.pk}/report.xlsx?from=2024-01&to=2025-08")
    assert response.status_code == 302
    report = StatReport.objects.get()
    assert report.finished_at is not None and report.file.name.endswith(".xlsx")
    note = Notification.objects.get(recipient=head)
    assert note.url == f"/dashboard/reports/{report.pk}/"
    download = client.get(note.url)
    assert download.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert station.name in wb.worksheets[0]["A1"].value
    report.file.delete()


def test_someone_else_cannot_download_my_report(head, worker, station, rolled, as_user):
    as_user(head).get(f"/dashboard/station/{station.pk}/report.xlsx?from=2024-01&to=2025-08")
    report = StatReport.objects.get()
    assert as_user(worker).get(f"/dashboard/reports/{report.pk}/").status_code == 404
    report.file.delete()


@pytest.mark.parametrize(
    "query", ["from=2025-13", "from=2025-08&to=2025-07", "from=abc", "from=0001-01", "from=2999-01"]
)
@pytest.mark.parametrize("page", ["report.xlsx", "report/"])
def test_a_bad_range_is_a_message_not_an_error(head, station, as_user, query, page):
    response = as_user(head).get(f"/dashboard/station/{station.pk}/{page}?{query}", follow=True)
    assert response.redirect_chain and response.redirect_chain[-1][0] == f"/dashboard/station/{station.pk}/"
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not StatReport.objects.exists()


def test_the_printable_report_shows_the_same_figures(head, station, rolled, as_user):
    response = as_user(head).get(f"/dashboard/station/{station.pk}/report/?from=2025-07&to=2025-08")
    assert response.status_code == 200
    text = response.content.decode()
    assert station.name in text and "window.print()" in text
    summary = text.split('data-testid="report-summary"', 1)[1].split("</table>", 1)[0]
    assert ">80<" in summary


def test_a_stored_report_whose_file_is_gone_is_not_found(head, station, rolled, as_user):
    client = as_user(head)
    client.get(f"/dashboard/station/{station.pk}/report.xlsx?from=2024-01&to=2025-08")
    report = StatReport.objects.get()
    report.file.delete(save=False)
    assert client.get(f"/dashboard/reports/{report.pk}/").status_code == 404


def test_a_report_interrupted_before_its_notification_is_built_again_and_announced(
    head, station, rolled, monkeypatch
):
    from stats import tasks

    report = StatReport.objects.create(
        station=station, requested_by=head, first_month=date(2024, 1, 1), last_month=AUGUST
    )

    def stopped(**kwargs):
        raise SystemExit("worker stopped")  # between the "finished" mark and the notification

    monkeypatch.setattr("station.services.notification_create", stopped)
    with pytest.raises(SystemExit):
        tasks.build_report(report.pk)
    report.refresh_from_db()
    assert report.finished_at is None  # the mark went with the notification

    monkeypatch.undo()
    assert tasks.build_report(report.pk) is True
    report.refresh_from_db()
    assert report.finished_at is not None
    assert Notification.objects.filter(recipient=head, key=f"stat-report-{report.pk}").count() == 1
    report.file.delete()
