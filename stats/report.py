"""The station's monthly report: the rollup for a range of months, as an Excel workbook and a printable page.

Summary sheet: every metric by community and the station total for the range, with year-to-date and
since-opening columns. Then one sheet per platform: each month, the range, year to date, since opening.
Distinct-people metrics (``cumulative=False``) cannot be summed across months, so their range figure is
given for a single month only and their cumulative cells are left empty.
"""

import io
import re
from datetime import date

from django.db.models import Q, Sum
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
    """Everything the report shows, in three queries."""
    metrics = figures.ordered_metrics()
    names = [m.name for m in metrics]
    months = months_between(first, last)
    single = len(months) == 1
    communities = list(station.communities.order_by("name"))
    ranged = figures.by_community(station, names, first, last)

    totals_qs = StatValue.objects.filter(station=station, community__isnull=True, month__lte=last)
    opened = figures.first_month(station)
    if opened:
        totals_qs = totals_qs.filter(month__gte=opened)
    cumulative = {
        row["metric"]: row
        for row in totals_qs.values("metric")
        .annotate(ytd=Sum("value", filter=Q(month__gte=last.replace(month=1))), cumulative=Sum("value"))
        .order_by()
    }
    monthly = {}
    for name, month, value in totals_qs.filter(month__gte=first).values_list("metric", "month", "value"):
        monthly[(name, month)] = value

    summary_rows, platforms = [], {}
    for m in metrics:
        summable = m.cumulative or single
        by_c = ranged.get(m.name, {})
        cum = cumulative.get(m.name, {})
        row = {
            "metric": m,
            "platform": platform_label(m.platform),
            "communities": [figures.number(by_c.get(c.pk, 0)) if summable else None for c in communities],
            "total": figures.number(by_c.get(None, 0)) if summable else None,
            "station_wide": figures.number(
                by_c.get(None, 0) - sum((by_c.get(c.pk, 0) for c in communities), 0)
            )
            if summable and m.additive
            else None,
            "ytd": figures.number(cum.get("ytd") or 0) if m.cumulative else None,
            "cumulative": figures.number(cum.get("cumulative") or 0) if m.cumulative else None,
            "months": [figures.number(monthly.get((m.name, month), 0)) for month in months],
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
    }


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
        header = [_("Indicator"), _("Unit"), *[f"{m:%Y-%m}" for m in tables["months"]]]
        header += [range_head, _("Year to date"), _("Since opening")]
        rows = [
            [str(r["metric"].label), r["metric"].unit, *r["months"], r["total"], r["ytd"], r["cumulative"]]
            for r in platform_rows
        ]
        _write(ws, f"{station.name} {label} {period}", header, rows)
        ws.column_dimensions["A"].width = 28
        ws.column_dimensions["B"].width = 8
    if tables["footnotes"]:  # what a figure means, registered by its app (station.registry.report_footnotes)
        ws = wb.create_sheet(_sheet_title(_("Notes"), used))
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
