"""Excel import of community activities with their attendance: one row per attendee.

The rows of one activity are grouped by its date, title and community; the activity's other cells (kind,
times, place, anonymous head-count) may be given on any of its rows but must not disagree. A row with no name
records an activity with no named attendee (its head-count only). The activities are saved together through
``services.activity_record_many``; any error anywhere saves nothing, and a dry run checks everything and saves
nothing. The people a file names, and the activities it might repeat, are looked up once for the file. The sheet is read with django-import-export's Excel format and its cell widgets.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import widgets

from . import services
from .formats import ImportFileRefused, ImportXLSX
from .models import Activity, ActivityKind, Community
from .phones import normalise_phone
from .selectors import person_list_visible_to

# The columns, by their heading in the sheet.
COLUMNS = {
    "day": gettext_lazy("activity date"),
    "title": gettext_lazy("activity title"),
    "community": gettext_lazy("activity community"),
    "kind": gettext_lazy("activity kind"),
    "starts": gettext_lazy("start time"),
    "ends": gettext_lazy("end time"),
    "place": gettext_lazy("activity place"),
    "headcount": gettext_lazy("anonymous head-count"),
    "name": gettext_lazy("attendee name"),
    "phone": gettext_lazy("attendee phone"),
}
REQUIRED = ("day", "title", "community", "kind", "starts", "ends", "name")
ON_EVERY_ROW = ("day", "title", "community")
# Cells that belong to the activity rather than to the attendee: every row of one activity agrees on them.
SHARED = ("kind", "starts", "ends", "place", "headcount")


@dataclass
class Planned:
    first_row: int
    day: date
    title: str
    community: Community
    cells: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)  # person id -> row number


@dataclass
class Report:
    errors: list = field(default_factory=list)  # (row number or None, message)
    activities: list = field(default_factory=list)  # Planned
    saved: bool = False

    @property
    def named(self) -> int:
        return sum(len(a.people) for a in self.activities)


def template_headings() -> list[str]:
    return [str(label) for label in COLUMNS.values()]


def read_upload(upload):
    """The first sheet of an uploaded .xlsx as a tablib Dataset, read like every other import (refused above
    IMPORT_MAX_ROWS or IMPORT_MAX_BYTES, a formula read as Excel's cached value), or None and the reason."""
    try:
        return ImportXLSX().create_dataset(upload.read()), ""
    except ImportFileRefused as exc:
        return None, str(exc)
    except Exception:  # noqa: BLE001 - a broken or non-Excel file: the caller says so in Chinese
        return None, ""


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _day(value):
    if isinstance(value, datetime):
        return value.date() if timezone.is_naive(value) else timezone.localdate(value)
    if isinstance(value, date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    return widgets.DateWidget(format="%Y-%m-%d").clean(text)


def _time(value):
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, time):
        return value
    text = _text(value).replace("：", ":")
    for pattern in ("%H:%M", "%H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).time()
        except ValueError:
            continue
    raise ValueError(text)


def _headcount(value) -> int:
    text = _text(value)
    if not text:
        return 0
    number = widgets.IntegerWidget().clean(text)
    if number is None or number < 0:
        raise ValueError
    return number


PARSERS = {"starts": _time, "ends": _time, "headcount": _headcount}
PARSE_ERRORS = {
    "day": gettext_lazy("the date “%(value)s” is not a date like 2026-05-01"),
    "starts": gettext_lazy("the start time “%(value)s” is not a time like 09:00"),
    "ends": gettext_lazy("the end time “%(value)s” is not a time like 11:00"),
    "headcount": gettext_lazy("the head-count “%(value)s” is not a whole number of 0 or more"),
}


class ActivityImport:
    def __init__(self, *, user, station):
        self.user = user
        self.station = station
        self.communities = {c.name: c for c in Community.objects.filter(station=station)}
        kinds = {}
        for code, label in ActivityKind.choices:
            kinds[code] = kinds[str(label)] = code
        self.kinds = kinds

    def run(self, dataset, *, dry_run: bool) -> Report:
        report = Report()
        columns = self._columns(dataset, report)
        if report.errors:
            return report
        self.people = self._people_named(dataset, columns)
        groups = {}
        for index, values in enumerate(dataset, start=2):
            cells = {key: values[i] for key, i in columns.items()}
            if all(_text(v) == "" for v in cells.values()):
                continue
            self._read_row(index, cells, groups, report)
        report.activities = sorted(groups.values(), key=lambda a: a.first_row)
        for planned in report.activities:
            missing = [str(COLUMNS[k]) for k in ("kind", "starts", "ends") if k not in planned.cells]
            if missing:
                report.errors.append(
                    (
                        planned.first_row,
                        _("“%(columns)s” not given on any row of this activity")
                        % {"columns": "、".join(missing)},
                    )
                )
        self._check_not_recorded(report)
        report.errors.sort(key=lambda e: e[0] or 0)
        if report.errors or not report.activities:
            if not report.errors:
                report.errors.append((None, _("The file has no activity rows.")))
            return report
        self._save(report, dry_run=dry_run)
        return report

    def _columns(self, dataset, report) -> dict:
        headings = [_text(h) for h in (dataset.headers or [])]
        columns = {}
        for key, label in COLUMNS.items():
            if str(label) in headings:
                columns[key] = headings.index(str(label))
            elif key in REQUIRED:
                report.errors.append((1, _("The column “%(column)s” is missing.") % {"column": label}))
        return columns

    def _read_row(self, row, cells, groups, report):
        problems = []
        for key in ON_EVERY_ROW:
            if _text(cells.get(key)) == "":
                problems.append(_("“%(column)s” is empty") % {"column": COLUMNS[key]})
        day = None
        if _text(cells.get("day")):
            try:
                day = _day(cells["day"])
            except ValueError:
                problems.append(PARSE_ERRORS["day"] % {"value": _text(cells["day"])})
        if day and day > timezone.localdate():
            problems.append(_("the date %(day)s is in the future") % {"day": day})
        community = None
        if _text(cells.get("community")):
            community = self.communities.get(_text(cells["community"]))
            if community is None:
                problems.append(_("unknown community “%(name)s”") % {"name": _text(cells["community"])})
        shared = {}
        for key in SHARED:
            raw = cells.get(key)
            if _text(raw) == "":
                continue
            if key == "kind":
                shared[key] = self.kinds.get(_text(raw))
                if shared[key] is None:
                    allowed = "、".join(str(label) for _code, label in ActivityKind.choices)
                    problems.append(
                        _("the kind “%(value)s” is not one of: %(allowed)s")
                        % {"value": _text(raw), "allowed": allowed}
                    )
            elif key == "place":
                shared[key] = _text(raw)
            else:
                try:
                    shared[key] = PARSERS[key](raw)
                except (ValueError, TypeError):
                    problems.append(PARSE_ERRORS[key] % {"value": _text(raw)})
        person = self._person(cells, problems)
        if problems:
            report.errors.append((row, "；".join(str(p) for p in problems)))
            return
        title = _text(cells["title"])
        key = (day, title, community.pk)
        planned = groups.setdefault(key, Planned(first_row=row, day=day, title=title, community=community))
        for name, value in shared.items():
            if name in planned.cells and planned.cells[name] != value:
                report.errors.append(
                    (
                        row,
                        _("“%(column)s” differs from row %(first)d of the same activity")
                        % {"column": COLUMNS[name], "first": planned.first_row},
                    )
                )
                return
            planned.cells[name] = value
        if person is not None:
            if person.pk in planned.people:
                report.errors.append(
                    (
                        row,
                        _("%(name)s is already on row %(first)d of the same activity")
                        % {"name": person.name, "first": planned.people[person.pk]},
                    )
                )
                return
            planned.people[person.pk] = row

    def _person(self, cells, problems):
        name = _text(cells.get("name"))
        phone = normalise_phone(_text(cells.get("phone")))
        if not name:
            if phone:
                problems.append(_("a phone number is given without a name"))
            return None
        found = [p for p in self.people.get(name, []) if not phone or p.phone == phone]
        if not found:
            problems.append(_("nobody called “%(name)s” in your communities") % {"name": name})
            return None
        if len(found) > 1:
            problems.append(_("several people are called “%(name)s”: add the phone number") % {"name": name})
            return None
        return found[0]

    def _people_named(self, dataset, columns) -> dict:
        """The people the worker may see who bear a name of the file, by name: one query per 5,000 names."""
        if "name" not in columns:
            return {}
        names = sorted({_text(row[columns["name"]]) for row in dataset} - {""})
        people = {}
        for start in range(0, len(names), 5000):
            found = person_list_visible_to(self.user).filter(name__in=names[start : start + 5000])
            for person in found.only("pk", "name", "phone").order_by("pk"):
                people.setdefault(person.name, []).append(person)
        return people

    def _check_not_recorded(self, report):
        """An activity of the same date, title and community already in the ledger is a file imported twice."""
        if not report.activities:
            return
        days = [planned.day for planned in report.activities]
        recorded = {
            (timezone.localdate(starts_at), title, community_id)
            for starts_at, title, community_id in Activity.objects.filter(
                station=self.station,
                starts_at__gte=timezone.make_aware(datetime.combine(min(days), time.min)),
                starts_at__lte=timezone.make_aware(datetime.combine(max(days), time.max)),
                title__in={planned.title for planned in report.activities},
            ).values_list("starts_at", "title", "community_id")
        }
        for planned in report.activities:
            if (planned.day, planned.title, planned.community.pk) in recorded:
                report.errors.append(
                    (
                        planned.first_row,
                        _("“%(title)s” on %(day)s in %(community)s is already in the ledger")
                        % {"title": planned.title, "day": planned.day, "community": planned.community.name},
                    )
                )

    def _save(self, report, *, dry_run: bool):
        """Every activity through ``services.activity_record_many`` in one transaction, rolled back on a dry run.
        An activity that breaks a rule is named by its first row; then nothing is saved."""
        batch = [(self._activity(planned), list(planned.people)) for planned in report.activities]
        try:
            for (activity, _ids), planned in zip(batch, report.activities, strict=True):
                try:  # each activity's own rules first, so that an error names its row
                    activity.full_clean(
                        exclude={"station", "community", "organiser"}, validate_constraints=False
                    )
                except ValidationError as exc:
                    report.errors.append((planned.first_row, "；".join(exc.messages)))
            if report.errors:
                return
            with transaction.atomic():
                try:
                    services.activity_record_many(station=self.station, activities=batch, actor=self.user)
                except (ValidationError, PermissionDenied) as exc:
                    messages = getattr(exc, "messages", None) or [str(exc)]
                    report.errors.append((None, "；".join(messages)))
                if report.errors or dry_run:
                    transaction.set_rollback(True)
        finally:
            report.saved = not report.errors and not dry_run

    def _activity(self, planned) -> Activity:
        cells = planned.cells
        return Activity(
            station=self.station,
            platform=Activity.Platform.STATION,
            kind=cells["kind"],
            title=planned.title,
            community=planned.community,
            starts_at=timezone.make_aware(datetime.combine(planned.day, cells["starts"])),
            ends_at=timezone.make_aware(datetime.combine(planned.day, cells["ends"])),
            place=cells.get("place", ""),
            headcount=cells.get("headcount", 0),
        )
