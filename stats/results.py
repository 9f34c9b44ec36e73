"""服务成效: the station's results table for any range of months, put together from the records.

For each platform the figures a station puts in its half-year summary (visits, cases, groups, community
activities, 人次, projects, volunteers and their hours, local social workers, organisations), then who takes
part by residency (people and 人次) beside the registered population. Every figure is computed from the records
over the range, following its metric's kind (stats/registry.py): counts over the whole range, distinct people
counted once over the range, states as they were at the range's end. A figure no app registers, or that the
station never recorded, reads 未记录.
"""

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from station.models import Activity, Person, Station

from . import selectors as figures
from .registry import COUNT, STATE, Period, add_months, get_metric, month_period

P = Activity.Platform

# (section, [(metric name, label when no app registers it, unit)]): the seed's table, platform by platform.
TABLE = [
    (
        P.CASEWORK,
        [
            ("cases.phone_visits", gettext_lazy("phone visits"), "次"),
            ("cases.home_visits", gettext_lazy("home visits"), "次"),
            ("cases.household_home_visits", gettext_lazy("home visits to households"), "户次"),
            ("cases.households_home_visited", gettext_lazy("households visited at home"), "户"),
            ("cases.new_cases", gettext_lazy("new cases"), "个"),
            ("cases.open_cases", gettext_lazy("open cases at month end"), "个"),
            ("cases.case_sessions", gettext_lazy("case sessions"), "节"),
            ("cases.groups", gettext_lazy("groups meeting"), "组"),
            ("cases.group_sessions", gettext_lazy("group sessions"), "节"),
            ("cases.group_person_times", gettext_lazy("group person-times"), "人次"),
        ],
    ),
    (
        P.STATION,
        [
            ("station.community_activities", gettext_lazy("community activities"), "场"),
            ("station.community_person_times", gettext_lazy("community activities: person-times"), "人次"),
            ("station.person_times", gettext_lazy("person-times served (all activities)"), "人次"),
            ("station.people_served", gettext_lazy("people served (all activities)"), "人"),
            ("station.first_time_participants", gettext_lazy("first-time participants"), "人"),
        ],
    ),
    (
        P.PROJECTS,
        [
            ("projects.projects_brought_in", gettext_lazy("projects introduced"), "个"),
            ("projects.person_times", gettext_lazy("project services"), "人次"),
        ],
    ),
    (
        P.VOLUNTEERS,
        [
            ("volunteers.new_volunteers", gettext_lazy("new volunteers"), "人"),
            ("volunteers.active_volunteers", gettext_lazy("active volunteers"), "人"),
            ("volunteers.approved_hours", gettext_lazy("approved service hours"), "小时"),
            ("volunteers.service_person_times", gettext_lazy("volunteer service person-times"), "人次"),
        ],
    ),
    (P.TALENT, [("talent.social_workers_trained", gettext_lazy("local social workers cultivated"), "人")]),
    (
        P.ORGS,
        [
            ("orgs.newly_filed", gettext_lazy("organisations newly filed"), "个"),
            ("orgs.organisations_incubated", gettext_lazy("organisations incubated (graduated)"), "支"),
        ],
    ),
    (
        P.PARTYBUILD,
        [
            ("partybuild.members_reported", gettext_lazy("members newly reporting"), "人"),
            ("partybuild.party_days", gettext_lazy("themed party days held"), "次"),
            ("partybuild.party_day_person_times", gettext_lazy("themed party day person-times"), "人次"),
        ],
    ),
]
RESIDENCIES = [
    (Person.Residency.RESETTLED, gettext_lazy("resettled villagers")),
    (Person.Residency.TENANT, gettext_lazy("tenants")),
    (Person.Residency.OTHER, gettext_lazy("others")),
]


@dataclass(frozen=True)
class Range:
    station: Station
    community: object  # a Community, or None for the whole station
    first: date  # first month
    last: date  # last month (inclusive)

    @property
    def label(self) -> str:
        if self.first == self.last:
            return f"{self.first:%Y-%m}"
        return f"{self.first:%Y-%m} – {self.last:%Y-%m}"


def figure(scope: Range, name: str, community_ids: set):
    """One metric over the range for the scope, from the records: a number, 未记录 (no app registers it), or
    None (a metric that cannot count a range)."""
    metric = get_metric(name)
    if metric is None:
        return str(figures.NOT_RECORDED)
    end_day = add_months(scope.last, 1)
    if metric.kind == STATE:
        result = metric.compute(month_period(scope.station, scope.last.year, scope.last.month))
    elif metric.kind == COUNT:
        result = metric.compute(Period(scope.station, scope.first, end_day))
    else:
        result = metric.compute_range(scope.station, scope.first, end_day)
        if result is None:
            return None
    values = figures.as_community_values(metric, result, community_ids)
    return figures.number(values.get(scope.community.pk if scope.community else None, Decimal(0)))


def _mark_not_recorded(cells: list[tuple[dict, str, str]], recorded: set):
    """A 0 reads 未记录 where the metric's platform has nothing recorded: nothing in the service ledger or the
    rollup up to the range's end (selectors.recorded_metrics) and no figure other than 0 in this table."""
    in_use = set()
    for row, key, name in cells:
        metric = get_metric(name)
        if metric and (name in recorded or row[key] not in (0, None, str(figures.NOT_RECORDED))):
            in_use.add(metric.platform)
    for row, key, name in cells:
        metric = get_metric(name)
        if metric and row[key] == 0 and metric.platform not in in_use:
            row[key] = str(figures.NOT_RECORDED)


def _share(part, whole):
    if not isinstance(part, int | float) or not isinstance(whole, int | float) or not whole:
        return None
    return round(part * 100 / whole, 1)


def results_table(scope: Range) -> dict:
    recorded = figures.recorded_metrics(scope.station, scope.last)
    community_ids = set(scope.station.communities.values_list("pk", flat=True))
    platforms = dict(Activity.Platform.choices)
    sections = []
    for platform, rows in TABLE:
        out = []
        for name, fallback, unit in rows:
            metric = get_metric(name)
            out.append(
                {
                    "name": name,
                    "label": metric.label if metric else fallback,
                    "unit": metric.unit if metric else unit,
                    "value": figure(scope, name, community_ids),
                }
            )
        sections.append({"platform": platforms[platform], "rows": out})

    participation = []
    for residency, label in RESIDENCIES:
        participation.append(
            {
                "label": label,
                "people": figure(scope, f"station.participants.{residency}", community_ids),
                "person_times": figure(scope, f"station.participant_times.{residency}", community_ids),
                "registered": figure(scope, f"station.registered.{residency}", community_ids),
            }
        )
    cells = [(row, "value", row["name"]) for section in sections for row in section["rows"]]
    for r, (residency, _label) in zip(participation, RESIDENCIES, strict=True):
        cells += [(r, "people", f"station.participants.{residency}")]
        cells += [(r, "person_times", f"station.participant_times.{residency}")]
        cells += [(r, "registered", f"station.registered.{residency}")]
    _mark_not_recorded(cells, recorded)
    for key in ("people", "person_times", "registered"):
        whole = [r[key] for r in participation]
        total = sum(whole) if all(isinstance(v, int | float) for v in whole) else None
        for r in participation:
            r[f"{key}_share"] = _share(r[key], total)
    return {"scope": scope, "sections": sections, "participation": participation}


def range_choices(station: Station, today_month: date) -> list[tuple[str, date, date]]:
    """The ranges a station reports on: this month, quarter, half year, year, and since opening."""
    quarter = today_month.replace(month=(today_month.month - 1) // 3 * 3 + 1)
    half = today_month.replace(month=1 if today_month.month <= 6 else 7)
    opened = figures.first_month(station) or today_month
    return [
        (_("This month"), today_month, today_month),
        (_("This quarter"), quarter, today_month),
        (_("This half year"), half, today_month),
        (_("This year"), today_month.replace(month=1), today_month),
        (_("Since opening"), min(opened, today_month), today_month),
    ]


HEAD_FILL = PatternFill("solid", fgColor="DDEBDD")


def build_workbook(table: dict, title: str) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Service results")[:31]
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([_("Platform"), _("Indicator"), _("Unit"), _("Figure")])
    for section in table["sections"]:
        for row in section["rows"]:
            ws.append([str(section["platform"]), str(row["label"]), row["unit"], row["value"]])
    ws.append([])
    ws.append(
        [
            _("Residency"),
            _("Participants (people)"),
            _("Share of participants"),
            _("Participants (person-times)"),
            _("Share of person-times"),
            _("Registered residents at the end"),
            _("Share of residents"),
        ]
    )
    header_rows = (2, ws.max_row)
    for r in table["participation"]:
        ws.append(
            [
                str(r["label"]),
                r["people"],
                r["people_share"],
                r["person_times"],
                r["person_times_share"],
                r["registered"],
                r["registered_share"],
            ]
        )
    for index in header_rows:
        for cell in ws[index]:
            cell.font = Font(bold=True)
            cell.fill = HEAD_FILL
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 30
    for column in "CDEFG":
        ws.column_dimensions[column].width = 14
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
