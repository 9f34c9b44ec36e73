"""The cadres' dashboards (/dashboard/) and the monthly report. Everything here reads the rollup.

Who sees what: a cadre their own communities; station staff their station, with a community selector; a
district viewer every station of the district. Out of scope is a 404.
"""

import hashlib
import logging
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from station import selectors, services
from station.models import AuditEvent, Station
from station.pagecache import cached_page, keep_for
from station.queue import send_after_commit
from station.registry import dashboard_panels
from station.roles import STATION_STAFF_ROLES, Role, is_station_staff, profile_of

from . import selectors as figures
from .models import StatReport
from .registry import add_months, month_start, months_between, parse_month
from .report import period_label, platform_label
from .templatetags.stats_revision import month_revised

logger = logging.getLogger(__name__)

COVERAGE_METRIC = "cases.visit_coverage"
EARLIEST = date(2000, 1, 1)  # months before this are typing mistakes
FRAGMENTS = ("headline", "participation", "figures")  # stats/dashboard_<name>.html, cached (_figures)


# --- scope --------------------------------------------------------------------------------------------


def station_for_dashboard(user, pk) -> Station:
    """A station whose whole dashboard the user may read: staff of it, district viewers, superusers."""
    profile = profile_of(user)
    if not (user.is_superuser and user.is_active) and (profile is None or profile.role == Role.CADRE):
        raise Http404
    return get_object_or_404(selectors.station_list_visible_to(user), pk=pk)


def community_for_dashboard(user, pk, station=None):
    qs = selectors.community_list_visible_to(user)
    if station is not None:
        qs = qs.filter(station=station)
    try:
        return get_object_or_404(qs, pk=int(pk))
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def last_complete_month() -> date:
    """The month a dashboard opens on: the last one that has ended in Shanghai (on the 1st, the month just
    closed, not a day-old month whose figures are all still 0)."""
    return add_months(month_start(timezone.localdate()), -1)


def chosen_month(request) -> date:
    this_month = month_start(timezone.localdate())
    text = request.GET.get("month")
    if not text:
        return last_complete_month()
    try:
        month = parse_month(text)
        if month < EARLIEST:
            raise ValueError(text)
    except ValueError:
        messages.warning(request, _("That is not a month (use YYYY-MM); showing the last complete month."))
        return last_complete_month()
    return min(month, this_month)


def month_label(month: date, beside: date | None = None) -> str:
    """2026年11月; only 11月 beside another month of the same year (on a card, where room is short)."""
    if beside is not None and beside.year == month.year:
        return _("month %(month)d") % {"month": month.month}
    return date_format(month, "YEAR_MONTH_FORMAT")


def as_of(moment) -> str:
    """When a figure was computed, in Shanghai: "数据截至 12月1日 02:00", or that it has not been yet."""
    if moment is None:
        return _("Not computed yet")
    local = timezone.localtime(moment)
    when = _("%(month)d/%(day)d %(time)s") % {
        "month": local.month,
        "day": local.day,
        "time": f"{local:%H:%M}",
    }
    return _("Figures as of %(when)s") % {"when": when}


def chosen_range(request) -> tuple[date, date]:
    this_month = month_start(timezone.localdate())
    try:
        first = parse_month(request.GET.get("from") or request.GET.get("month") or f"{this_month:%Y-%m}")
        last = parse_month(request.GET.get("to") or f"{first:%Y-%m}")
    except ValueError as exc:
        raise ValueError(_("Give months as YYYY-MM.")) from exc
    if first < EARLIEST:
        raise ValueError(_("Give months as YYYY-MM."))
    if last < first:
        raise ValueError(_("The last month must not be before the first."))
    if first > this_month:
        raise ValueError(_("That month has not come yet."))
    return first, min(last, this_month)


# --- pages --------------------------------------------------------------------------------------------
# Each page is kept whole (station.pagecache) under who reads it, the day, and the stamp of the rollup runs it
# was drawn from; the key's function checks on every request that the user may read the page.


def _reader(request) -> tuple:
    """Who reads a dashboard, as far as the page shows it: the user, her role and station, her unread count,
    and the day (the watch list's day, and the month to date)."""
    user, profile = request.user, profile_of(request.user)
    return (
        user.pk,
        user.is_superuser,
        user.is_staff,
        profile.role if profile else None,
        profile.station_id if profile else None,
        getattr(user, "unread_notifications", None),
        timezone.localdate(),
    )


def _index_key(request):
    profile = profile_of(request.user)
    if profile and (profile.role == Role.CADRE or profile.role in STATION_STAFF_ROLES and profile.station_id):
        return None  # a redirect, or the cadre's list of communities
    ids = selectors.station_ids_for(request.user)
    ids = tuple(Station.objects.values_list("pk", flat=True) if ids is None else ids)
    return (*_reader(request), ids, figures.rollup_version(ids)) if ids else None


def _station_key(request, pk):
    station = station_for_dashboard(request.user, pk)
    if request.GET.get("community"):
        community_for_dashboard(request.user, request.GET["community"], station=station)
    return (*_reader(request), figures.rollup_version([station.pk]))


def _community_key(request, pk):
    community = community_for_dashboard(request.user, pk)
    return (*_reader(request), figures.rollup_version([community.station_id]))


@login_required
@cached_page(_index_key)
def index(request):
    user = request.user
    profile = profile_of(user)
    if profile and profile.role == Role.CADRE:
        communities = list(selectors.community_list_visible_to(user))
        if len(communities) == 1:
            return redirect("dashboard:community", pk=communities[0].pk)
        return render(request, "stats/dashboard_index.html", {"communities": communities})
    if profile and profile.role in STATION_STAFF_ROLES and profile.station_id:
        return redirect("dashboard:station", pk=profile.station_id)
    stations = list(selectors.station_list_visible_to(user))
    if not stations and not user.is_superuser:
        raise Http404
    month = chosen_month(request)
    ids = [s.pk for s in stations]
    scope_key = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16]  # the stations listed
    table = _cached(
        _cache_key("district", scope_key, month, station_ids=ids),
        lambda: {"html": render_to_string("stats/dashboard_stations.html", _district_table(stations, month))},
    )
    return render(
        request,
        "stats/dashboard_index.html",
        {
            "stations": stations,
            "table": mark_safe(table["html"]),
            "month": month,
            "months": _month_choices(month),
        },
    )


def _district_table(stations, month) -> dict:
    headline = figures.headline_metrics()
    names = [m.name for m in headline]
    values, computed = figures.station_headlines(stations, month, names)
    table = [(s, [values.get((s.pk, n), 0) for n in names], as_of(computed.get(s.pk))) for s in stations]
    return {"stations": table, "headline": headline, "month": month, "month_label": month_label(month)}


# --- the cache of the figures ---------------------------------------------------------------------------


def _cache_key(*parts, station_ids) -> str:
    """The key of a page's rendered figures: what the page shows (the caller's parts: its scope, month and
    choices), the current month (the month to date moves on), the language, and the stamp of the stations'
    rollup runs. A new run or a revision changes the stamp, so the next request renders afresh; every
    process computes the same key from the database, so none serves what another knows to be old."""
    version = figures.rollup_version(station_ids)
    this_month = month_start(timezone.localdate())
    return ":".join(["dashboard", *map(str, parts), f"{this_month:%Y-%m}", get_language() or "", version])


def _cached(key: str, build, timeout: int | None = None):
    """The fragments stored under ``key``, else ``build()``'s, stored. A cache that does not answer costs the
    build, never the page."""
    try:
        found = cache.get(key)
    except Exception as exc:  # a cache server down or slow
        logger.warning("dashboard cache unavailable: %s", exc)
        return build()
    if found is None:
        found = build()
        try:
            cache.set(key, found, timeout or settings.STATS_DASHBOARD_CACHE_SECONDS)
        except Exception as exc:
            logger.warning("dashboard cache unavailable: %s", exc)
    return found


@login_required
@cached_page(_station_key)
def station_dashboard(request, pk):
    station = station_for_dashboard(request.user, pk)
    community = None
    if request.GET.get("community"):
        community = community_for_dashboard(request.user, request.GET["community"], station=station)
    scope = figures.Scope(station=station, community=community, month=chosen_month(request))
    return _dashboard(request, scope, selector=True)


@login_required
@cached_page(_community_key)
def community_dashboard(request, pk):
    community = community_for_dashboard(request.user, pk)
    scope = figures.Scope(station=community.station, community=community, month=chosen_month(request))
    return _dashboard(request, scope, selector=False)


def _options(choices) -> str:
    """A select's options, from (value, label, selected): written out in one call, where the template
    language spent milliseconds on a few dozen options, on every view of a dashboard."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((v, " selected" if on else "", label) for v, label, on in choices),
    )


def _month_choices(month: date) -> str:
    """The month picker's options: the last two years, newest first, and the chosen month when it is older
    (so the picker shows it)."""
    this_month = month_start(timezone.localdate())
    choices = list(reversed(months_between(add_months(this_month, -23), this_month)))
    if month not in choices:
        choices.append(month)
    to_date = _("(to date)")
    return _options(
        (f"{m:%Y-%m}", f"{m:%Y-%m} {to_date}" if m == this_month else f"{m:%Y-%m}", m == month)
        for m in choices
    )


def _chart(title, labels, rows, kind="line", unit=""):
    """A chart's data, drawn by ECharts and written out as a table beneath it."""
    return {
        "title": title,
        "kind": kind,
        "unit": unit,
        "labels": [str(label) for label in labels],
        "series": [{"name": str(name), "data": [figures.number(v) for v in data]} for name, data in rows],
    }


def _charts_per_unit(metrics, series, month_labels) -> list[dict]:
    """One small chart per unit (次, 人次, 人...): figures in different units never share an axis."""
    units: dict[str, list] = {}
    for metric in metrics:
        units.setdefault(metric.unit, []).append(metric)
    charts = []
    for number, (unit, same_unit) in enumerate(units.items(), start=1):
        chart = _chart(
            _("By month, in %(unit)s") % {"unit": unit},
            month_labels,
            [(m.label, series[m.name]) for m in same_unit],
            unit=unit,
        )
        chart["id"] = f"chart-trend-{number}"
        charts.append(chart)
    return charts


def _compared_metric(request, headline):
    """The figure the communities are compared on: the one asked for when it is a headline figure."""
    if not headline:
        return None
    choices = {m.name: m for m in headline}
    default = "station.person_times" if "station.person_times" in choices else headline[0].name
    return choices.get(request.GET.get("compare")) or choices[default]


def _community_bars(station, communities, month, headline, metric) -> dict | None:
    """Every community of the station on one figure, largest first, each with a bar of its share of the
    largest: readable with fourteen communities, on a phone too."""
    if metric is None:
        return None
    values = figures.by_community(station, [metric.name], month, month)[metric.name]
    rows = [(c, figures.number(values.get(c.pk) or 0)) for c in communities]
    rows.sort(key=lambda row: (-row[1], row[0].name))
    top = max((v for _c, v in rows), default=0)
    return {
        "metric": metric,
        "choices": headline,
        "rows": [{"community": c, "value": v, "width": round(v * 100 / top) if top else 0} for c, v in rows],
    }


def _dashboard(request, scope, *, selector):
    """The page: the scope's choices and the staff's watch list live, everything read from the rollup
    rendered once per scope, month, comparison and language, and kept until the next rollup run."""
    staff = is_station_staff(request.user, scope.station)
    whole_station = selector and scope.community is None
    communities = []  # the selector's choices; the comparison's rows when the whole station is in view
    if whole_station:
        communities = list(scope.station.communities.all())
    elif selector:
        communities = list(selectors.community_list_visible_to(request.user).filter(station=scope.station))
    compared = _compared_metric(request, figures.headline_metrics()) if whole_station else None
    key = _cache_key(
        "station",
        scope.station.pk,
        scope.community.pk if scope.community else "-",
        scope.month,
        selector,
        compared.name if compared else "-",
        station_ids=[scope.station.pk],
    )
    parts = _cached(key, lambda: _figures(scope, communities, compared))
    response = render(
        request,
        "stats/dashboard.html",
        {
            "scope": scope,
            "selector": selector,
            "community_options": _options(
                [("", _("Whole station"), scope.community is None)]
                + [
                    (c.pk, c.name, scope.community is not None and scope.community.pk == c.pk)
                    for c in communities
                ]
            ),
            "months": _month_choices(scope.month),
            "figures": {name: mark_safe(html) for name, html in parts["html"].items()},  # our own rendering
            "coverage": parts["coverage"],
            "panels": _watch_list(request.user, scope) if staff else [],
            "staff": staff,
            "can_report": whole_station,
        },
    )
    return keep_for(response, settings.STATS_DASHBOARD_PANELS_SECONDS) if staff else response


def _watch_list(user, scope) -> list[dict]:
    """The staff's watch list panels (who is overdue today...), rendered: read from the records, not the
    rollup, so kept only STATS_DASHBOARD_PANELS_SECONDS, for this user, scope, month and day."""
    key = ":".join(
        map(
            str,
            [
                "dashboard-panels",
                user.pk,
                scope.station.pk,
                scope.community.pk if scope.community else "-",
                scope.month,
                timezone.localdate(),
                get_language() or "",
            ],
        )
    )

    def build():
        return [
            {
                "name": panel["name"],
                "title": str(panel["title"]),
                "html": render_to_string(panel["template"], {"ctx": panel["context"]}),
            }
            for panel in dashboard_panels.build(scope, user)
        ]

    panels = _cached(key, build, settings.STATS_DASHBOARD_PANELS_SECONDS)
    return [{**panel, "html": mark_safe(panel["html"])} for panel in panels]  # our own rendering


def _figures(scope, communities, compared) -> dict:
    """The dashboard's figures, every one read from the rollup, as rendered fragments (and the coverage as
    plain values): what ``_dashboard`` caches."""
    metrics = figures.metric_map()
    headline = figures.headline_metrics()
    this_month = month_start(timezone.localdate())
    data = figures.summary(scope)
    recorded = figures.recorded_metrics(scope.station, scope.month)
    cards = figures.cards(scope, headline, data, recorded)

    # The month shown is a complete month (unless one asked for this one); the month to date sits beside it.
    to_date, to_date_data = None, {}
    if scope.month < this_month:
        to_date = figures.Scope(station=scope.station, community=scope.community, month=this_month)
        to_date_data = figures.summary(to_date)
        to_date_cards = figures.cards(to_date, headline, to_date_data, recorded)
        for card, now in zip(cards, to_date_cards, strict=True):
            card["to_date"] = now["month"]
    if scope.month == this_month:
        compares = _("the month is not over yet")
        for card in cards:
            card["month_change"] = None
    else:
        previous = add_months(scope.month, -1)
        compares = _("vs the month before (%(month)s)") % {"month": month_label(previous, beside=scope.month)}
    stamps = figures.computed_at(scope, [scope.month, this_month])
    periods = [
        {
            "label": (_("%(month)s to date") if scope.month == this_month else "%(month)s")
            % {"month": month_label(scope.month)},
            "as_of": as_of(stamps.get(scope.month)),
            "testid": "as-of-month",
        }
    ]
    if to_date:
        periods.append(
            {
                "label": _("%(month)s to date") % {"month": month_label(this_month)},
                "as_of": as_of(stamps.get(this_month)),
                "testid": "as-of-to-date",
            }
        )

    months = figures.trend_months(scope.month)
    participation = [f"station.participants.{r}" for r in ("resettled", "tenant", "other")]
    population = [f"station.registered.{r}" for r in ("resettled", "tenant", "other")]
    extra = ["station.first_time_participants", "station.multi_platform_people"]
    series = figures.series(scope, [m.name for m in headline] + extra, months)
    month_labels = [f"{m:%Y-%m}" for m in months]
    charts = _charts_per_unit(headline, series, month_labels)

    # Comparison across communities: only where the whole station is in view.
    comparison = None
    if compared is not None:
        comparison = _community_bars(scope.station, communities, scope.month, headline, compared)

    # Participation: shares of distinct participants against shares of registered residents.
    labels = [_("resettled villagers"), _("tenants"), _("others")]
    taking_part = [(data.get(n) or {}).get("current") or 0 for n in participation]
    registered = [(data.get(n) or {}).get("current") or 0 for n in population]
    participation_rows = []
    for label, part, reg in zip(labels, taking_part, registered, strict=True):
        participation_rows.append(
            {
                "label": label,
                "participants": figures.number(part),
                "participant_share": _share(part, sum(taking_part)),
                "registered": figures.number(reg),
                "population_share": _share(reg, sum(registered)),
            }
        )
    participation_chart = _chart(
        _("Share of participants and of residents (%)"),
        labels,
        [
            (_("share of participants"), [r["participant_share"] or 0 for r in participation_rows]),
            (_("share of residents"), [r["population_share"] or 0 for r in participation_rows]),
        ],
        kind="bar",
        unit="%",
    )
    newcomers_chart = _chart(
        _("First-time participants and people on two or more platforms"),
        month_labels,
        [
            (_("first-time participants"), series["station.first_time_participants"]),
            (_("people on two or more platforms"), series["station.multi_platform_people"]),
        ],
        kind="bar",
        unit="人",
    )

    coverage = None
    if COVERAGE_METRIC in metrics:
        metric = metrics[COVERAGE_METRIC]
        coverage = {
            "label": str(metric.label),
            "unit": str(metric.unit),
            "value": figures.number((data.get(COVERAGE_METRIC) or {}).get("current")),
        }

    all_rows = []
    for metric in metrics.values():
        row = data.get(metric.name) or {}
        all_rows.append(
            {
                "metric": metric,
                "platform": platform_label(metric.platform),
                "month": figures.shown(row.get("current") or 0, metric.name in recorded),
                "to_date": figures.shown(
                    (to_date_data.get(metric.name) or {}).get("current") or 0, metric.name in recorded
                ),
                # A count adds its months up, a state reads the month's end; distinct people are on 服务成效.
                "ytd": figures.shown(row.get("ytd") or 0, metric.name in recorded)
                if metric.kind in ("count", "state")
                else None,
                "cumulative": figures.shown(row.get("cumulative") or 0, metric.name in recorded)
                if metric.kind in ("count", "state")
                else None,
            }
        )

    context = {
        "scope": scope,
        "this_month": this_month,
        "periods": periods,
        "compares": compares,
        "to_date_label": periods[-1]["label"] if to_date else None,
        "to_date_short": _("%(month)s to date") % {"month": month_label(this_month, beside=scope.month)}
        if to_date
        else None,
        "cards": cards,
        "charts": charts,
        "comparison": comparison,
        "participation": participation_rows,
        "participation_chart": participation_chart,
        "newcomers_chart": newcomers_chart,
        "all_rows": all_rows,
    }
    html = {name: render_to_string(f"stats/dashboard_{name}.html", context) for name in FRAGMENTS}
    html["revised"] = month_revised(scope.station, scope.month)
    return {"html": html, "coverage": coverage}


def _share(part, whole):
    if not whole:
        return None
    return round(float(part) * 100 / float(whole), 1)


# --- the monthly report ---------------------------------------------------------------------------------


@login_required
def report_xlsx(request, pk):
    from .report import build_workbook, workbook_bytes, workbook_filename
    from .tasks import build_report

    station = station_for_dashboard(request.user, pk)
    try:
        first, last = chosen_range(request)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("dashboard:station", pk=station.pk)
    months = len(months_between(first, last))
    if months > settings.STATS_REPORT_SYNC_MONTHS or request.GET.get("background"):
        report = StatReport.objects.create(
            station=station, first_month=first, last_month=last, requested_by=request.user
        )
        send_after_commit(build_report, report.pk)  # build_pending_reports sweeps it if the broker is down
        messages.info(request, _("The report is being prepared; you will find a link in your notifications."))
        return redirect(reverse("dashboard:station", args=[station.pk]) + f"?month={last:%Y-%m}")
    workbook = build_workbook(station, first, last)
    services.audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        target=station,
        reason=f"{_('Monthly report')} {period_label(first, last)}",
    )
    response = HttpResponse(
        workbook_bytes(workbook),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{workbook_filename(station, first, last)}"'
    return response


@login_required
def report_print(request, pk):
    from .report import report_tables

    station = station_for_dashboard(request.user, pk)
    try:
        first, last = chosen_range(request)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("dashboard:station", pk=station.pk)
    services.audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        target=station,
        reason=f"{_('Monthly report')} {period_label(first, last)}",
    )
    return render(
        request,
        "stats/dashboard_report.html",
        {"station": station, "first": first, "last": last, **report_tables(station, first, last)},
    )


@login_required
def report_download(request, pk):
    report = get_object_or_404(StatReport, pk=pk, requested_by=request.user, finished_at__isnull=False)
    station_for_dashboard(request.user, report.station_id)  # still in scope
    try:
        handle = report.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=report.file.name.rsplit("/", 1)[-1])
