from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import activity_import as importing
from . import selectors, services
from .forms import ActivityForm, ActivityImportForm
from .models import AuditEvent, Evidence
from .registry import home_pages, person_sections
from .roles import STATION_STAFF_ROLES, is_station_staff, profile_of

# The platforms a person's page always lists; each platform app fills its own section.
JOURNEY = [
    ("cases", "casework"),
    ("partybuild", "party-mass co-building"),
    ("projects", "charity projects"),
    ("volunteers", "volunteer service"),
    ("orgs", "organisation incubation"),
    ("talent", "social worker talent"),
]


@never_cache
def healthz(request):
    checks = {}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # report, never raise: this is what the load balancer reads
        checks["database"] = f"error: {exc.__class__.__name__}"
        status = 503
    if settings.CELERY_BROKER_URL:
        from celery import current_app as app

        try:
            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
            checks["broker"] = "ok"
        except Exception as exc:
            checks["broker"] = f"error: {exc.__class__.__name__}"
            status = 503
    else:
        checks["broker"] = "eager (no broker configured)"
    return JsonResponse({"status": "ok" if status == 200 else "error", "checks": checks}, status=status)


def home(request):
    if not request.user.is_authenticated:
        return redirect("admin:login")
    profile = profile_of(request.user)
    if profile and profile.role in ("cadre", "district_viewer") and "dashboard" in settings.HOME_ROUTES:
        return redirect(settings.HOME_ROUTES["dashboard"])
    if request.user.is_staff:
        return redirect("admin:index")
    own_home = home_pages.url_for(request.user)  # a volunteer's phone pages, a judge's scoring pages...
    if own_home:
        return redirect(own_home)
    raise Http404


@login_required
def person_detail(request, pk):
    person = selectors.person_get_for_user(request.user, pk)
    today = timezone.localdate()
    designations = list(person.designations.all())
    sections = {s["name"]: s for s in person_sections.build(person, request.user)}
    journey = [(name, label, sections.get(name)) for name, label in JOURNEY]
    activities = (
        selectors.activity_list_visible_to(request.user)
        .filter(attendances__person=person)
        .select_related("community")
        .order_by("-starts_at")[:20]
    )
    services.audit_record(actor=request.user, action=AuditEvent.Action.VIEW, target=person)
    household = selectors.household_of(person)
    return render(
        request,
        "station/person_detail.html",
        {
            "person": person,
            "household": household,
            "household_members": selectors.household_members(household, request.user) if household else [],
            "age": person.age_on(today),
            "designations": designations,
            "current": [d for d in designations if d.is_active_on(today)],
            "low_age_elderly": person.is_low_age_elderly_on(today),
            "in_difficulty": person.is_in_difficulty_on(today),
            "journey": journey,
            "activities": activities,
            "can_edit": is_station_staff(request.user) and request.user.has_perm("station.change_person"),
        },
    )


@login_required
def notification_list(request):
    notifications = request.user.notifications.all()[:100]
    return render(request, "station/notifications.html", {"notifications": notifications})


@login_required
@require_POST
def notification_read(request):
    ids = request.POST.getlist("id") or None
    if ids is not None and not all(i.isascii() and i.isdigit() and len(i) <= 18 for i in ids):
        messages.error(request, _("Those notifications were not found; nothing was marked."))
        return redirect("station:notifications")
    services.notification_mark_read(
        user=request.user, notification_ids=[int(i) for i in ids] if ids else None
    )
    return redirect("station:notifications")


@login_required
def evidence_download(request, pk):
    # Evidence (sign-in sheets, photos) shows people of every community: only for those allowed to view it.
    if not request.user.has_perm("station.view_evidence"):
        raise Http404
    evidence = get_object_or_404(
        Evidence.objects.filter(activity__in=selectors.activity_list_visible_to(request.user)), pk=pk
    )
    if evidence.content_type not in settings.EVIDENCE_TYPES:
        raise Http404
    inline = evidence.content_type.startswith("image/") or evidence.content_type == "application/pdf"
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=evidence.content_type, as_attachment=not inline)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


# ---------------------------------------------------------------- recording community activities


def _station_of_worker(user):
    """The station a worker records for; a superuser records for the community's station. 404 for others."""
    profile = profile_of(user)
    if profile is not None and profile.role in STATION_STAFF_ROLES and profile.station_id:
        return profile.station
    if user.is_superuser and user.is_active:
        return None
    raise Http404


def _ids(values) -> list[int]:
    if not all(v.isascii() and v.isdigit() and len(v) <= 18 for v in values):
        raise Http404
    return [int(v) for v in values]


@login_required
def activity_new(request):
    """A worker records a community activity: kind, community, time, the people ticked off the sign-in sheet
    (found by name or phone) and the anonymous head-count. "Find" adds names without saving anything."""
    station = _station_of_worker(request.user)
    ticked_ids = _ids(request.POST.getlist("person"))
    ticked = list(
        selectors.person_list_visible_to(request.user).filter(pk__in=ticked_ids).select_related("community")
    )
    if len(ticked) != len(set(ticked_ids)):
        raise Http404
    term = request.POST.get("q", "").strip()
    finding = request.method == "POST" and "find" in request.POST
    if finding:
        form = ActivityForm(initial=request.POST.dict(), user=request.user)
    else:
        form = ActivityForm(request.POST or None, user=request.user)
    if request.method == "POST" and not finding and form.is_valid():
        data = form.cleaned_data
        community = data["community"]
        try:
            activity = services.activity_record(
                station=station or (community.station if community else None),
                kind=data["kind"],
                title=data["title"],
                community=community,
                starts_at=timezone.make_aware(datetime.combine(data["day"], data["starts"])),
                ends_at=timezone.make_aware(datetime.combine(data["day"], data["ends"])),
                place=data["place"],
                headcount=data["headcount"],
                people=ticked,
                actor=request.user,
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
        else:
            messages.success(
                request,
                _("%(title)s saved: %(named)d people by name and %(headcount)d more.")
                % {"title": activity.title, "named": len(ticked), "headcount": activity.headcount},
            )
            return redirect("station:activity_new")
    chosen = {p.pk for p in ticked}
    found = (
        [p for p in selectors.people_found_by(request.user, term) if p.pk not in chosen] if finding else []
    )
    return render(
        request,
        "station/activity_new.html",
        {"form": form, "ticked": ticked, "found": found, "term": term if finding else "", "finding": finding},
    )


@login_required
def activity_import(request):
    """Upload activities with their attendance from Excel: check first (nothing saved), then import."""
    station = _station_of_worker(request.user)
    if station is None:
        raise Http404  # a superuser imports as a station's worker: the communities are named per station
    form = ActivityImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        dataset, refused = importing.read_upload(form.cleaned_data["file"])
        if dataset is None:
            form.add_error("file", refused or _("This is not an Excel file (.xlsx)."))
        else:
            dry_run = "confirm" not in request.POST
            report = importing.ActivityImport(user=request.user, station=station).run(
                dataset, dry_run=dry_run
            )
            if report.saved:
                messages.success(
                    request,
                    _("Imported %(n)d activities with %(named)d named attendances.")
                    % {"n": len(report.activities), "named": report.named},
                )
                return redirect("station:activity_import")
    return render(
        request,
        "station/activity_import.html",
        {"form": form, "report": report, "headings": importing.template_headings()},
    )


@login_required
def activity_import_template(request):
    """An empty sheet with the import's headings, to fill in from the sign-in sheets."""
    _station_of_worker(request.user)
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(importing.template_headings())
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="activities.xlsx"'
    book.save(response)
    return response
