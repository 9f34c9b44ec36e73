"""The 服务成效 page and its Excel file, for a station (staff, district viewers) or a community (its cadres)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from station import services
from station.models import AuditEvent

from . import results
from .registry import month_start
from .views import chosen_range, community_for_dashboard, station_for_dashboard


def _range(request, station, community) -> results.Range:
    this_month = month_start(timezone.localdate())
    since_opening = results.range_choices(station, this_month)[-1]
    first, last = since_opening[1], since_opening[2]
    if request.GET.get("from") or request.GET.get("to"):
        try:
            first, last = chosen_range(request)
        except ValueError as exc:
            messages.error(request, str(exc))
    return results.Range(station=station, community=community, first=first, last=last)


def _page(request, scope, base_url):
    table = results.results_table(scope)
    this_month = month_start(timezone.localdate())
    choices = [
        {"label": label, "url": f"{base_url}?from={first:%Y-%m}&to={last:%Y-%m}", "chosen": (first, last)}
        for label, first, last in results.range_choices(scope.station, this_month)
    ]
    for choice in choices:
        choice["active"] = choice.pop("chosen") == (scope.first, scope.last)
    return render(
        request,
        "stats/results.html",
        {
            **table,
            "title": _title(scope),
            "choices": choices,
            "xlsx_url": f"{base_url.rstrip('/')}.xlsx?from={scope.first:%Y-%m}&to={scope.last:%Y-%m}",
        },
    )


def _title(scope) -> str:
    who = scope.community.name if scope.community else scope.station.name
    return _("%(who)s service results, %(period)s") % {"who": who, "period": scope.label}


def _xlsx(request, scope):
    table = results.results_table(scope)
    title = _title(scope)
    services.audit_record(
        actor=request.user, action=AuditEvent.Action.EXPORT, target=scope.station, reason=title
    )
    response = HttpResponse(
        results.workbook_bytes(results.build_workbook(table, title)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"results-{scope.station.pk}-{scope.community.pk if scope.community else 'all'}"
    response["Content-Disposition"] = (
        f'attachment; filename="{name}-{scope.first:%Y%m}-{scope.last:%Y%m}.xlsx"'
    )
    return response


@login_required
def station_results(request, pk):
    station = station_for_dashboard(request.user, pk)
    scope = _range(request, station, None)
    return _page(request, scope, reverse("dashboard:station_results", args=[pk]))


@login_required
def station_results_xlsx(request, pk):
    station = station_for_dashboard(request.user, pk)
    return _xlsx(request, _range(request, station, None))


@login_required
def community_results(request, pk):
    community = community_for_dashboard(request.user, pk)
    scope = _range(request, community.station, community)
    return _page(request, scope, reverse("dashboard:community_results", args=[pk]))


@login_required
def community_results_xlsx(request, pk):
    community = community_for_dashboard(request.user, pk)
    return _xlsx(request, _range(request, community.station, community))
