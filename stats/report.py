"""The station's monthly report: the rollup for a range of months, as an Excel workbook and a printable page.

Summary sheet: every metric by community and the station total for the range, with year-to-date and
since-opening columns. Then one sheet per platform: each month, the range, year to date, since opening.
What a range figure is depends on the metric's kind (stats/registry.py): counts are summed, a state at the
month's end is the last month's, distinct people are counted over the range from the records. A figure the
station has never recorded reads 未记录, not 0.
"""

import io
import re
from datetime import date

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from station.models import Activity, Station
from station.registry import report_footnotes

from . import selectors as figures
from .models import StatValue
from .registry import months_between


def platform_label(platform: str) -> str:
    labels = dict(Activity.Platform.choices)
    return str(labels.get(platform, platform))


def period_label(first: date, last: date) -> str:
    if first == last:
        return f"{first:%Y-%m}"
    return f"{first:%Y-%m} – {last:%Y-%m}"


def report_tables(station: Station, first: date, last: date) -> dict:
    """Everything the report shows. The range, year-to-date and since-opening figures follow each metric's
    kind (selectors.range_figures): counts are summed, states are the last month's, distinct people are
    counted from the records over the range. A figure the station has not recorded reads 未记录."""
    metrics = figures.ordered_metrics()
    months = months_between(first, last)
    communities = list(station.communities.order_by("name"))
    ranged = figures.range_figures(station, metrics, first, last)
    ytd = figures.range_figures(station, metrics, max(last.replace(month=1), _opened(station)), last)
    since = figures.range_figures(station, metrics, figures.range_start(station, None), last)
    recorded = figures.recorded_metrics(station, last)

    monthly = {}
    totals_qs = StatValue.objects.filter(
        station=station, community__isnull=True, month__gte=first, month__lte=last
    )
    for name, month, value in totals_qs.values_list("metric", "month", "value"):
        monthly[(name, month)] = value

    summary_rows, platforms = [], {}
    for m in metrics:
        by_c = ranged.get(m.name, {})
        known = m.name in recorded
        blank = by_c.get(None, 0) is None  # a range this metric cannot count

        def show(value, m=m, known=known):
            return figures.shown(value, known)

        station_wide = None
        if m.additive and not blank:
            station_wide = (by_c.get(None) or 0) - sum((by_c.get(c.pk) or 0 for c in communities), 0)
        row = {
            "metric": m,
            "platform": platform_label(m.platform),
            "communities": [None if blank else show(by_c.get(c.pk, 0)) for c in communities],
            "total": None if blank else show(by_c.get(None, 0)),
            "station_wide": show(station_wide) if station_wide is not None else None,
            "ytd": _total(ytd, m, known),
            "cumulative": _total(since, m, known),
            "months": [show(monthly.get((m.name, month), 0)) for month in months],
        }
        summary_rows.append(row)
        platforms.setdefault(m.platform, []).append(row)
    return {
        "months": months,
        "communities": communities,
        "rows": summary_rows,
        "platforms": [(platform_label(p), rows) for p, rows in platforms.items()],
        "period": period_label(first, last),
        "footnotes": report_footnotes.for_metrics(metrics),
        "revisions": figures.month_revisions(station, first, last),
    }


def _opened(station: Station) -> date:
    return figures.range_start(station, None)


def _total(range_figures: dict, metric, known: bool):
    value = range_figures.get(metric.name, {}).get(None, 0)
    if value is None:
        return None
    return figures.shown(value, known)


TITLE_FONT = Font(bold=True, size=14)
HEAD_FONT = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDEBDD")


def _sheet_title(name: str, used: set) -> str:
    name = re.sub(r"[\[\]\*\?/\\:]", " ", name)[:28] or "sheet"
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name[:25]}({n})", n + 1
    used.add(candidate)
    return candidate


def _write(ws, title: str, header: list, rows: list[list]):
    ws.append([title])
    ws.cell(row=1, column=1).font = TITLE_FONT
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(header), 1))
    ws.append(header)
    for cell in ws[2]:
        cell.font = HEAD_FONT
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "A3"
    for index, _cell in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(index)].width = 14
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 28


def _month_heading(month: date, revisions: dict) -> str:
    """A month's column heading; a final month that a late record revised says so (修订于 …)."""
    if month not in revisions:
        return f"{month:%Y-%m}"
    return _("%(month)s (revised on %(day)s)") % {
        "month": f"{month:%Y-%m}",
        "day": f"{revisions[month][0]:%Y-%m-%d}",
    }


def build_workbook(station: Station, first: date, last: date) -> Workbook:
    tables = report_tables(station, first, last)
    period = tables["period"]
    wb = Workbook()
    used = set()
    ws = wb.active
    ws.title = _sheet_title(_("Summary of indicators"), used)
    range_head = _("Period total")
    header = [_("Platform"), _("Indicator"), _("Unit")]
    header += [c.name for c in tables["communities"]]
    header += [_("Not tied to a community"), range_head, _("Year to date"), _("Since opening")]
    rows = [
        [
            r["platform"],
            str(r["metric"].label),
            r["metric"].unit,
            *r["communities"],
            r["station_wide"],
            r["total"],
            r["ytd"],
            r["cumulative"],
        ]
        for r in tables["rows"]
    ]
    _write(
        ws,
        _("%(station)s monthly statistics, %(period)s") % {"station": station.name, "period": period},
        header,
        rows,
    )

    for label, platform_rows in tables["platforms"]:
        ws = wb.create_sheet(_sheet_title(label, used))
        header = [
            _("Indicator"),
            _("Unit"),
            *[_month_heading(m, tables["revisions"]) for m in tables["months"]],
        ]
        header += [range_head, _("Year to date"), _("Since opening")]
        rows = [
            [str(r["metric"].label), r["metric"].unit, *r["months"], r["total"], r["ytd"], r["cumulative"]]
            for r in platform_rows
        ]
        _write(ws, f"{station.name} {label} {period}", header, rows)
        ws.column_dimensions["A"].width = 28
        ws.column_dimensions["B"].width = 8
    revised = sorted(tables["revisions"].items())
    if tables["footnotes"] or revised:  # what a figure means (station.registry.report_footnotes), revisions
        ws = wb.create_sheet(_sheet_title(_("Notes"), used))
        for month, (day, reason) in revised:
            ws.append([_("%(month)s was revised on %(day)s after it was final (%(reason)s).")
                       % {"month": f"{month:%Y-%m}", "day": f"{day:%Y-%m-%d}", "reason": reason}])  # fmt: skip
        for label, text in tables["footnotes"]:
            ws.append([f"{label}：{text}"])
        ws.column_dimensions["A"].width = 120
    return wb


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_filename(station: Station, first: date, last: date) -> str:
    return f"report-{station.pk}-{first:%Y%m}-{last:%Y%m}.xlsx"
