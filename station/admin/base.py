"""The admin's base classes: scope every page through a selector, refuse garbage ids, audit imports and exports."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from .. import selectors, services
from ..models import (
    AuditEvent,
    Community,
    Person,
    Station,
)
from ..roles import profile_of
from .export_form import ChineseFieldsExportForm

MAX_RECORD_NUMBER = 2**63 - 1


def _is_record_number(value) -> bool:
    """A primary key as a form may carry it: digits within the database's integer range."""
    text = str(value)
    return text.isascii() and text.isdigit() and 0 < int(text) <= MAX_RECORD_NUMBER


class _ValidIdsOnly:
    """An autocomplete that re-renders a form posted with a non-numeric id as empty, not as a 500."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if _is_record_number(v)], attr)


class SafeAutocompleteSelect(_ValidIdsOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_ValidIdsOnly, AutocompleteSelectMultiple):
    pass


class SafeActionsMixin:
    """An admin action posted with ids that are not record numbers (a tampered or stale form) is a message,
    never a 500, and does nothing."""

    def response_action(self, request, queryset):
        if not all(_is_record_number(v) for v in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)):
            self.message_user(request, _("The selected record numbers are not valid."), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)


class ScopedAdminMixin(SafeActionsMixin):
    """Admin pages read through a selector; an object out of scope is a 404, never a hint."""

    def scope(self, request, queryset):
        raise NotImplementedError

    def get_queryset(self, request):
        return self.scope(request, super().get_queryset(request))

    def _require_in_scope(self, request, object_id):
        if object_id is not None:
            try:
                found = self.get_queryset(request).filter(pk=object_id).exists()
            except (ValueError, ValidationError):
                found = False
            if not found:
                raise Http404(_("No such record."))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._require_in_scope(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        # PostgreSQL refuses a NUL character in a query (changelist search, autocomplete).
        return super().get_search_results(request, queryset, search_term.replace("\x00", ""))

    def changelist_view(self, request, extra_context=None):
        if any("\x00" in value for key, values in request.GET.lists() if key != "q" for value in values):
            raise BadRequest(_("The address contains an invalid character."))
        return super().changelist_view(request, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)


class ScopedImportExportMixin:
    """Imports and exports run as the signed-in user over what they may see (``scope``), and are audited."""

    export_form_class = ChineseFieldsExportForm

    def get_import_resource_kwargs(self, request, **kwargs):
        profile = profile_of(request.user)
        return {
            **super().get_import_resource_kwargs(request, **kwargs),
            "station": profile.station if profile else None,
            "user": request.user,
        }

    def import_action(self, request, **kwargs):
        """The dry run's page shows the first rows and the first rows with errors; the whole report (each row
        of the file with its errors beside it) is a workbook to download.

        A file with more than ``IMPORT_BACKGROUND_ROWS`` data rows is handed to a worker as soon as it is read
        (``station.formats.request_row_limit``): the user is taken to the job's page, which shows the progress
        and then the same result."""
        from ..formats import request_row_limit

        limit = request_row_limit.set(settings.IMPORT_BACKGROUND_ROWS if request.method == "POST" else None)
        try:
            response = super().import_action(request, **kwargs)
        finally:
            request_row_limit.reset(limit)
        context = getattr(response, "context_data", None) or {}
        if getattr(context.get("form"), "background_upload", None):
            return self.import_job_start(request, context["form"])
        result = context.get("result")
        if result is None:
            return response
        for note in getattr(result, "import_notes", []):
            messages.info(request, note)
        limit = settings.IMPORT_PAGE_ROWS
        if len(result.invalid_rows) > limit:
            token = import_report_store(request, result)
            url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import_report", args=[token])
            messages.warning(request, report_link(len(result.invalid_rows), limit, url))
            result.invalid_rows = result.invalid_rows[:limit]
        if len(result.rows) > limit:
            result.rows = result.rows[:limit]
            if not result.invalid_rows:
                messages.info(
                    request,
                    _("The preview shows the first %(shown)d of %(n)d rows; all of them will be imported.")
                    % {"shown": limit, "n": result.total_rows},
                )
        return response

    def add_data_read_fail_error_to_form(self, form, e):
        from ..formats import ImportFileRefused, ImportGoesToBackground

        if isinstance(e, ImportGoesToBackground):
            # import_action starts the job instead of showing the form (the error takes the file out of it)
            form.background_upload = form.cleaned_data["import_file"]
            form.add_error("import_file", _("This file is checked in the background."))
        elif isinstance(e, ImportFileRefused):
            form.add_error("import_file", str(e))
        else:
            form.add_error(
                "import_file", _("This file cannot be read; check that it is the format chosen below.")
            )

    def import_job_start(self, request, form):
        """Keep the uploaded file as an import job, queue its check, and go to the job's page."""
        from ..import_jobs import job_create

        upload = form.background_upload
        content = b"".join(upload.chunks())
        self._remove_tmp_file(upload, form)
        job = job_create(
            user=request.user,
            model_label=self.opts.label_lower,
            resource_index=self.get_resource_index(form),
            format_index=int(form.cleaned_data["format"]),
            file_name=upload.name,
            content=content,
        )
        return HttpResponseRedirect(self._job_url("import_job", job))

    def _remove_tmp_file(self, upload, form):
        """The copy import-export keeps for its confirm step (a local temporary file): the job keeps its own."""
        name = getattr(upload, "tmp_storage_name", None)
        if name:
            input_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
            self.get_tmp_storage_class()(
                name=name, read_mode=input_format.get_read_mode(), **self.get_tmp_storage_class_kwargs()
            ).remove()

    def _job_url(self, view, job):
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}", args=[job.pk])

    def _import_job(self, request, pk):
        """The job if it is the user's own (or they are a superuser); 404 otherwise."""
        return selectors.import_job_get_for_user(request.user, pk, model_label=self.opts.label_lower)

    def import_job_view(self, request, pk):
        """The job's page: the progress while it runs (refreshed every 2 s, no script), then the result."""
        from django.template.response import TemplateResponse

        job = self._import_job(request, pk)
        summary = job.summary or {}
        limit = settings.IMPORT_PAGE_ROWS
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import"),
            "opts": self.opts,
            "job": job,
            "summary": summary,
            "working": job.state in (job.State.QUEUED, job.State.RUNNING),
            "report_link": report_link(
                summary["invalid_count"], limit, self._job_url("import_job_report", job)
            )
            if summary.get("invalid_count", 0) > limit
            else "",
            "confirm_url": self._job_url("import_job_confirm", job)
            if self.has_import_permission(request)
            else "",
        }
        return TemplateResponse(request, "station/import_job.html", context)

    def import_job_confirm_view(self, request, pk):
        from ..import_jobs import job_confirm

        job = self._import_job(request, pk)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_import_permission(request):
            raise PermissionDenied
        job_confirm(job=job)
        return HttpResponseRedirect(self._job_url("import_job", job))

    def import_job_report_view(self, request, pk):
        job = self._import_job(request, pk)
        report = type(job).objects.filter(pk=job.pk).values_list("report", flat=True).first()
        if not report:
            raise Http404(_("This report is no longer available; check the file again."))
        response = HttpResponse(
            bytes(report), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="import-report.xlsx"'
        return response

    def get_urls(self):
        from django.urls import path

        info = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("import/report/<str:token>/", view(self.import_report_view), name=f"{info}_import_report"),
            path("import/job/<int:pk>/", view(self.import_job_view), name=f"{info}_import_job"),
            path(
                "import/job/<int:pk>/confirm/",
                view(self.import_job_confirm_view),
                name=f"{info}_import_job_confirm",
            ),
            path(
                "import/job/<int:pk>/report/",
                view(self.import_job_report_view),
                name=f"{info}_import_job_report",
            ),
            *super().get_urls(),
        ]

    def import_report_view(self, request, token):
        if not self.has_import_permission(request):
            raise PermissionDenied
        content = import_report_read(request, token)
        if content is None:
            raise Http404(_("This report is no longer available; check the file again."))
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="import-report.xlsx"'
        return response

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def has_import_permission(self, request):
        return bool(getattr(self, "resource_classes", None)) and (
            self.has_add_permission(request) and profile_of(request.user) is not None
        )

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_export_queryset(self, request):
        return self.scope(request, super().get_export_queryset(request))

    def get_export_data(self, file_format, request, queryset, **kwargs):
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        services.audit_record(
            actor=request.user,
            action=AuditEvent.Action.EXPORT,
            target=self.model._meta.label,
            reason=_("%(n)d rows exported") % {"n": queryset.count()},
        )
        return data


def import_report_store(request, result) -> str:
    """The dry run's whole error report as a workbook, kept for an hour for the user who ran it."""
    import secrets

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from ..import_jobs import error_workbook

    token = secrets.token_urlsafe(16)
    default_storage.save(_report_name(request, token), ContentFile(error_workbook(result)))
    return token


def report_link(n, shown, url):
    return format_html(
        _("{n} rows have errors; the first {shown} are shown below. <a href=\"{url}\">Download the "
          "whole report</a> (every row with its errors beside it)."),
        n=n, shown=shown, url=url,
    )  # fmt: skip


def _report_name(request, token) -> str:
    return f"import-reports/{request.user.pk}-{token}.xlsx"


def import_report_read(request, token):
    from django.core.files.storage import default_storage

    """The report of this user's dry run (by the token in its link), or None."""

    name = _report_name(request, token)
    if not token.replace("-", "").replace("_", "").isalnum() or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as stored:
        return stored.read()


def scoped_formfield(db_field, request, kwargs):
    """Limit foreign-key choices to what the user may see."""
    model = db_field.related_model
    if model is Community:
        kwargs["queryset"] = selectors.community_list_visible_to(request.user)
    elif model is Station:
        kwargs["queryset"] = selectors.station_list_visible_to(request.user)
    elif model is Person:
        kwargs["queryset"] = selectors.person_list_visible_to(request.user)
    return kwargs


class ScopedFormfieldsMixin:
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(
            db_field, request, **scoped_formfield(db_field, request, kwargs)
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(
            db_field, request, **scoped_formfield(db_field, request, kwargs)
        )


class ScopedCommunityFilter(admin.RelatedFieldListFilter):
    def field_choices(self, field, request, model_admin):
        return [(c.pk, str(c)) for c in selectors.community_list_visible_to(request.user)]


def bulk_apply(request, records, act, done_message) -> int:
    """The one way a bulk admin action runs a service over the selected records: ``act(record)`` for each,
    then how many were done (``done_message`` with ``%(n)d``, or a function of the number), and every record
    that was skipped named with the reason its service gave."""
    done = 0
    for record in records:
        try:
            act(record)
        except (ValidationError, PermissionDenied) as exc:
            reason = " ".join(getattr(exc, "messages", None) or [str(exc)])
            messages.warning(
                request, _("Skipped %(record)s: %(reason)s") % {"record": record, "reason": reason}
            )
        else:
            done += 1
    if done:
        text = done_message(done) if callable(done_message) else done_message % {"n": done}
        messages.success(request, text)
    return done
