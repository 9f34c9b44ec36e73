"""An Excel import too big for a web request, run by a worker (``ImportJob``).

The admin's check step hands a file with more than ``IMPORT_BACKGROUND_ROWS`` data rows over as a job (see
``ScopedImportExportMixin.import_action``). A worker then does what the request would have done, with the same
admin methods, the same resource and the same keyword arguments (the user, their station): the check, and
after the user confirms on the job's page, the import, all rows or none in one transaction. The page shows
the rows done and, at the end, the result as the in-request check shows it.

A task delivered twice does nothing twice: a job moves on only by a conditional update from the state it was
read in, and the import's rows commit in the same transaction as the job's DONE, so of two deliveries of one
confirmed import only one commits.
"""

import html
import logging
from datetime import timedelta
from io import BytesIO
from types import SimpleNamespace

import tablib
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from .formats import ImportFileRefused
from .models import ImportJob
from .queue import send_after_commit, send_now

logger = logging.getLogger(__name__)
State, Phase = ImportJob.State, ImportJob.Phase
WORKING = (State.QUEUED, State.RUNNING)


def job_create(*, user, model_label, resource_index, format_index, file_name, content) -> ImportJob:
    """Keep the uploaded file and queue its check (after the commit; the sweep sends it if the broker is down).
    Without a broker the check runs at once, so the user lands on the finished job."""
    from .tasks import import_job_check

    job = ImportJob.objects.create(
        user=user,
        model_label=model_label,
        resource_index=resource_index,
        format_index=format_index,
        file_name=file_name[-255:],
        file=content,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    send_after_commit(import_job_check, job.pk)
    return job


def job_confirm(*, job) -> bool:
    """Queue the import of a checked file without errors; a second confirm (a double tap) does nothing."""
    from .tasks import import_job_import

    if not job.can_confirm:
        return False
    confirmed = ImportJob.objects.filter(pk=job.pk, phase=Phase.CHECK, state=State.DONE).update(
        phase=Phase.IMPORT, state=State.QUEUED, rows_done=0, queued_at=timezone.now(), finished_at=None
    )
    if confirmed:
        send_after_commit(import_job_import, job.pk)
    return bool(confirmed)


def job_check(*, job_id) -> bool:
    """The check (a dry run) of a queued job; False when there was nothing to do."""
    job = _working(job_id, Phase.CHECK).select_related("user").first()
    if job is None:
        return False
    _working(job.pk, job.phase).update(state=State.RUNNING, started_at=timezone.now())
    with translation.override(job.language):
        progress = Progress(job.pk)
        try:
            model_admin, request, form = _as_requested(job)
            dataset = _read(model_admin, job)
            _working(job.pk, job.phase).update(rows_total=len(dataset))
            kwargs = model_admin.get_import_resource_kwargs(request, form=form)
            resource = model_admin.choose_import_resource_class(form, request)(**kwargs)
            result = resource.import_data(
                progress.counting(dataset),
                dry_run=True,
                raise_errors=False,
                file_name=job.file_name,
                user=job.user,
                **model_admin.get_import_data_kwargs(request=request, form=form),
            )
        except ImportFileRefused as exc:
            return _fail(job, str(exc))
        except Exception:  # noqa: BLE001 - the job says it failed; the log has the details
            logger.exception("import job %s: the check failed", job.pk)
            return _fail(job, _unexpected())
        finally:
            progress.close()
        passed = not result.has_errors() and not result.has_validation_errors()
        fields = {
            "summary": summary_of(result),
            "report": error_workbook(result) if result.invalid_rows else b"",
        }
    return bool(
        _working(job.pk, Phase.CHECK).update(
            state=State.DONE,
            rows_total=len(dataset),
            rows_done=len(dataset),
            finished_at=timezone.now(),
            **fields,
            **({} if passed else {"file": b""}),  # a file with errors is not imported: let it go
        )
    )


class _NotImported(Exception):
    def __init__(self, result):
        self.result = result


class _AlreadyImported(Exception):
    pass


def job_import(*, job_id) -> bool:
    """The import of a confirmed job: every row or none, and the job DONE in the same transaction."""
    job = _working(job_id, Phase.IMPORT).select_related("user").first()
    if job is None:
        return False
    _working(job.pk, job.phase).update(state=State.RUNNING, started_at=timezone.now())
    with translation.override(job.language):
        progress = Progress(job.pk)
        try:
            with transaction.atomic():
                model_admin, request, form = _as_requested(job)
                dataset = _read(model_admin, job)
                result = model_admin.process_dataset(
                    progress.counting(dataset), form, request, file_name=job.file_name
                )
                if result.has_errors() or result.has_validation_errors():
                    raise _NotImported(result)
                model_admin.generate_log_entries(result, request)
                done = _working(job.pk, Phase.IMPORT).update(
                    state=State.DONE,
                    rows_done=len(dataset),
                    summary=summary_of(result),
                    file=b"",
                    finished_at=timezone.now(),
                )
                if not done:  # another delivery of this task committed first
                    raise _AlreadyImported
        except _AlreadyImported:
            return False
        except _NotImported as refused:
            return _fail(
                job,
                _("Nothing was imported: some rows are no longer valid (the records changed since the check). "
                  "Correct the file and upload it again."),
                summary=summary_of(refused.result),
                report=error_workbook(refused.result) if refused.result.invalid_rows else b"",
            )  # fmt: skip
        except Exception:  # noqa: BLE001 - the job says it failed; the log has the details
            logger.exception("import job %s: the import failed", job.pk)
            return _fail(job, _unexpected())
        finally:
            progress.close()
    from import_export.signals import post_import

    post_import.send(sender=None, model=model_admin.model)
    return True


def jobs_sweep() -> int:
    """Send again the jobs still queued ten minutes after they were sent (the broker was down or lost them),
    and delete the jobs, with their files and reports, ``IMPORT_JOB_KEEP_DAYS`` after their upload."""
    from .tasks import import_job_check, import_job_import

    now = timezone.now()
    ImportJob.objects.filter(created_at__lt=now - timedelta(days=settings.IMPORT_JOB_KEEP_DAYS)).delete()
    stale = ImportJob.objects.filter(state=State.QUEUED, queued_at__lt=now - timedelta(minutes=10))
    sent = 0
    for pk, phase in stale.values_list("pk", "phase"):
        if ImportJob.objects.filter(pk=pk, state=State.QUEUED).update(queued_at=now):
            sent += send_now(import_job_check if phase == Phase.CHECK else import_job_import, pk)
    return sent


def _working(job_id, phase):
    return ImportJob.objects.filter(pk=job_id, phase=phase, state__in=WORKING)


def _fail(job, message, summary=None, report=b"") -> bool:
    fields = {"summary": summary} if summary is not None else {}
    _working(job.pk, job.phase).update(
        state=State.FAILED,
        message=message[:500],
        report=report,
        file=b"",
        finished_at=timezone.now(),
        **fields,
    )
    return False


def _unexpected() -> str:
    return _(
        "The import stopped on an unexpected error; nothing was saved. Upload the file again, and tell the "
        "platform's administrator if it happens again."
    )


def _as_requested(job):
    """The job's admin page, and the request and import form as the admin's methods read them: the worker
    builds the resource exactly as the user's request would (``get_import_resource_kwargs``)."""
    from django.apps import apps
    from django.contrib import admin

    model_admin = admin.site._registry[apps.get_model(job.model_label)]
    request = HttpRequest()
    request.method = "POST"
    request.user = job.user
    request.LANGUAGE_CODE = job.language
    form = SimpleNamespace(
        cleaned_data={
            "format": str(job.format_index),
            "resource": str(job.resource_index),
            "original_file_name": job.file_name,
        }
    )
    return model_admin, request, form


def _read(model_admin, job):
    input_format = model_admin.get_import_formats()[job.format_index]()
    content = bytes(job.file)
    if not input_format.is_binary():
        input_format.encoding = model_admin.from_encoding
        content = content.decode(model_admin.from_encoding or "utf-8-sig")
    return input_format.create_dataset(content)


class Progress:
    """A job's rows done, written every ``IMPORT_PROGRESS_EVERY`` rows through a database connection of its
    own: the import runs inside one transaction (rolled back after a check), which would hide the progress
    from the job's page until the end, or roll it back. On SQLite a second connection cannot write beside
    the import's; there (the quick start, where a job runs inside the request that started it and nobody
    watches) the rows done are written at the end only."""

    def __init__(self, job_id):
        self.job_id = job_id
        self.every = max(1, settings.IMPORT_PROGRESS_EVERY)
        self._connection = None

    def counting(self, dataset):
        counted = CountingDataset()
        counted.__dict__.update(dataset.__dict__)  # the same rows, headings and notes, not a copy
        counted.progress = self
        return counted

    def write(self, done: int) -> None:
        if connection.vendor == "sqlite":
            return
        if self._connection is None:
            self._connection = connections.create_connection(DEFAULT_DB_ALIAS)
        table = self._connection.ops.quote_name(ImportJob._meta.db_table)
        with self._connection.cursor() as cursor:  # autocommit: seen at once by every process
            cursor.execute(f"UPDATE {table} SET rows_done = %s WHERE id = %s", [done, self.job_id])

    def close(self):
        if self._connection is not None:
            self._connection.close()


class CountingDataset(tablib.Dataset):
    """The file's rows as the import reads them one by one, telling ``progress`` how far it is."""

    def __iter__(self):
        every = self.progress.every
        for done, row in enumerate(self._data, 1):
            yield row.tuple
            if done % every == 0:
                self.progress.write(done)


def summary_of(result) -> dict:
    """What the check's page shows, kept as JSON: the counts, the first rows with their errors by Excel row
    number, the errors of the file as a whole, and the first rows as they will be imported."""
    limit = settings.IMPORT_PAGE_ROWS
    invalid = sorted(result.invalid_rows, key=lambda r: r.number)
    errors = [str(e.error) for e in result.base_errors]
    errors += [
        _("Row %(row)d: %(error)s") % {"row": number, "error": e.error}
        for number, row_errors in result.row_errors()
        for e in row_errors
    ]
    preview = [
        {"type": row.import_type, "values": [html.unescape(strip_tags(str(v))) for v in row.diff]}
        for row in result.valid_rows()[:limit]
        if row.diff
    ]
    return {
        "totals": {key: result.totals.get(key, 0) for key in ("new", "update", "delete", "skip")},
        "headers": _headers(result),
        "invalid_count": len(invalid),
        "invalid_rows": [
            {"number": row.number, "errors": _error_text(row), "values": [_cell(v) for v in row.values]}
            for row in invalid[:limit]
        ],
        "errors": errors[:limit],
        "error_count": len(errors),
        "notes": [str(note) for note in getattr(result, "import_notes", [])],
        "diff_headers": [str(h) for h in result.diff_headers or []],
        "preview": preview,
    }


def _headers(result) -> list[str]:
    return [str(h) for h in (getattr(result, "file_headers", None) or result.diff_headers or [])]


def _cell(value) -> str:
    return "" if value is None else str(value)


def _error_text(row) -> str:
    return "；".join(
        f"{field}：{'，'.join(str(m) for m in messages)}"
        if field != "__all__"
        else "，".join(str(m) for m in messages)
        for field, messages in row.error_dict.items()
    )


def error_workbook(result) -> bytes:
    """The check's whole error report: every row with errors, its errors beside its cells."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Import report"))
    headers = _headers(result)
    rows = sorted(result.invalid_rows, key=lambda r: r.number)
    width = max([len(r.values) for r in rows] + [0])
    sheet.append([_("Row"), _("Errors"), *(headers + [""] * width)[:width]])
    for row in rows:
        sheet.append([row.number, _error_text(row), *[_cell(v) for v in row.values]])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
