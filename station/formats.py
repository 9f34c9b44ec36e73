"""The export formats of every admin export: a text cell beginning with = + - @ comes out as text, never as a
formula a spreadsheet would run (a resident named ``=HYPERLINK(...)``).

django-import-export's own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only drops a leading "=" (changing the
value) and turns every cell into text ("None" for an empty one), so the core writes the cells itself:
Excel gets the exact value as a text cell; CSV, which has no cell types, gets the value behind a single
quote, as spreadsheets read it.
"""

import contextvars
from io import BytesIO

from import_export.formats import base_formats

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def starts_a_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


class XLSX(base_formats.XLSX):
    def export_data(self, dataset, **kwargs):
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        book = Workbook(write_only=True)
        sheet = book.create_sheet(title=(dataset.title or "Sheet1")[:31])

        def cell(value):
            if isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value)
            written = WriteOnlyCell(sheet, value=value)
            if starts_a_formula(value):
                written.data_type = "s"  # the text itself, never evaluated
            return written

        if dataset.headers:
            sheet.append([cell(str(h)) for h in dataset.headers])
        for row in dataset:
            sheet.append([cell(value) for value in row])
        out = BytesIO()
        book.save(out)
        return out.getvalue()


class CSV(base_formats.CSV):
    def export_data(self, dataset, **kwargs):
        escaped = dataset.__class__(headers=dataset.headers, title=dataset.title)
        for row in dataset:
            escaped.append([f"'{v}" if starts_a_formula(v) else v for v in row])
        return super().export_data(escaped, **kwargs)


# Import: a file is refused whole, with a Chinese message, when it is too big or cannot be read, before it is
# all parsed; a formula cell is read as its cached value (and said so) or refused with its row and column.


class ImportFileRefused(ValueError):
    """The file as a whole cannot be imported; the message says why, in the user's language."""


# The admin's check inside a web request sets this to IMPORT_BACKGROUND_ROWS (station.admin.base): a file with
# more rows is handed to a worker as soon as the row after the limit is read (reading 20,000 rows of an .xlsx
# takes seconds of the request's 30); the worker reads it whole, and refuses it there if it must.
request_row_limit = contextvars.ContextVar("import_request_row_limit", default=None)


class ImportGoesToBackground(Exception):
    """The file is too big to check inside the request."""


def _within_request_limit(dataset):
    limit = request_row_limit.get()
    if limit is not None and len(dataset) > limit:
        raise ImportGoesToBackground
    return dataset


def _limits():
    from django.conf import settings

    return settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_BYTES


def _too_many_rows(limit):
    from django.utils.translation import gettext as _

    return ImportFileRefused(
        _("The file has more than %(n)d rows; split it into files of at most %(n)d rows.") % {"n": limit}
    )


def _cell_name(column, heading):
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(column)}（{heading}）" if heading else get_column_letter(column)


class RememberedParse:
    """A file read for the check is kept for an hour (in the cache, by the digest of its bytes) so that the
    confirm, which reads the same stored file again, takes it from there instead of parsing it twice: reading
    a 20,000-row workbook costs seconds. Taken once; a file not found there (another server, an expired
    entry) is read again, so the answer is the same either way."""

    REMEMBER_SECONDS = 3600

    def create_dataset(self, in_stream, **kwargs):
        import hashlib

        import tablib
        from django.core.cache import cache

        raw = in_stream.encode("utf-8") if isinstance(in_stream, str) else bytes(in_stream)
        max_rows, max_bytes = _limits()  # a file read under other limits is read again
        digest = hashlib.sha256(raw).hexdigest()
        key = f"import-dataset:{type(self).__name__}:{self.encoding}:{max_rows}:{max_bytes}:{digest}"
        kept = cache.get(key)
        if kept is not None:
            cache.delete(key)
            headers, rows, notes = kept
            dataset = tablib.Dataset(*rows, headers=headers)
        else:
            dataset = self.read_dataset(in_stream, **kwargs)
            headers, rows = dataset.headers, [list(row) for row in dataset]
            notes = getattr(dataset, "import_notes", [])
            cache.set(key, (headers, rows, notes), self.REMEMBER_SECONDS)
        if notes:
            dataset.import_notes = notes
        return dataset


class ImportXLSX(RememberedParse, base_formats.XLSX):
    """The first sheet of an .xlsx file, refused above the row or uncompressed-size limit."""

    def read_dataset(self, in_stream, **kwargs):
        import zipfile

        import openpyxl
        import tablib
        from django.utils.translation import gettext as _

        max_rows, max_bytes = _limits()
        try:
            with zipfile.ZipFile(BytesIO(in_stream)) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
        except zipfile.BadZipFile:
            raise ImportFileRefused(
                _("This is not an Excel (.xlsx) file; save it as .xlsx and try again.")
            ) from None
        if unpacked > max_bytes:
            raise ImportFileRefused(
                _(
                    "The file holds %(mb)d MB of data, more than the %(max)d MB allowed; split it into smaller files."
                )
                % {"mb": unpacked // 2**20, "max": max_bytes // 2**20}
            )
        try:
            formulas = openpyxl.load_workbook(BytesIO(in_stream), read_only=True, data_only=False).active
        except Exception:  # noqa: BLE001 - any unreadable workbook is the same answer to the user
            raise ImportFileRefused(
                _("This Excel file cannot be read; save it again as .xlsx and try again.")
            ) from None
        rows = formulas.iter_rows()
        headers = [cell.value for cell in next(rows, [])]
        dataset, formula_cells, blank = tablib.Dataset(), [], []
        dataset.headers = headers
        width = len(headers)
        for number, row in enumerate(rows, start=2):
            values = ([cell.value for cell in row] + [None] * width)[:width]
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                blank.append(values)  # kept only if a row follows, so rows keep their Excel numbers
                continue
            if len(dataset) + len(blank) >= max_rows:
                raise _too_many_rows(max_rows)
            for values_of_blank in blank:
                dataset.append(values_of_blank)
            blank = []
            for column, cell in enumerate(row[:width], start=1):
                if cell.data_type == "f":
                    formula_cells.append((len(dataset), column, number))
            dataset.append(values)
            _within_request_limit(dataset)
        if formula_cells:
            self._take_cached_values(in_stream, dataset, formula_cells)
        return dataset

    def _take_cached_values(self, in_stream, dataset, formula_cells):
        """A formula's value as Excel last computed it, kept in the file; refused when the file has none."""
        import openpyxl
        from django.utils.translation import gettext as _

        sheet = openpyxl.load_workbook(BytesIO(in_stream), read_only=True, data_only=True).active
        wanted = {number for _i, _c, number in formula_cells}
        cached = {}
        for number, row in enumerate(sheet.iter_rows(), start=1):
            if number in wanted:
                cached[number] = [cell.value for cell in row]
        taken, missing = [], []
        for index, column, number in formula_cells:
            value = (cached.get(number) or [])[column - 1 : column]
            heading = dataset.headers[column - 1] if column <= len(dataset.headers) else ""
            where = _("row %(row)d, column %(cell)s") % {"row": number, "cell": _cell_name(column, heading)}
            if not value or value[0] is None:
                missing.append(where)
                continue
            row = list(dataset[index])
            row[column - 1] = value[0]
            dataset[index] = row
            taken.append(where)
        if missing:
            shown = "；".join(missing[:10]) + ("……" if len(missing) > 10 else "")
            raise ImportFileRefused(
                _("%(n)d cells hold a formula without a computed value (%(cells)s). Type the values, or open the "
                  "file in Excel and save it again.") % {"n": len(missing), "cells": shown}
            )  # fmt: skip
        shown = "；".join(taken[:10]) + ("……" if len(taken) > 10 else "")
        dataset.import_notes = [
            _("%(n)d cells hold a formula; their values as last computed in Excel were imported (%(cells)s).")
            % {"n": len(taken), "cells": shown}
        ]


class ImportCSV(RememberedParse, base_formats.CSV):
    """A .csv file, refused above the row or size limit before it is parsed."""

    def read_dataset(self, in_stream, **kwargs):
        from django.utils.translation import gettext as _

        max_rows, max_bytes = _limits()
        size = len(in_stream.encode("utf-8") if isinstance(in_stream, str) else in_stream)
        if size > max_bytes:
            raise ImportFileRefused(
                _(
                    "The file holds %(mb)d MB of data, more than the %(max)d MB allowed; split it into smaller files."
                )
                % {"mb": size // 2**20, "max": max_bytes // 2**20}
            )
        text = in_stream.decode(self.encoding or "utf-8-sig") if isinstance(in_stream, bytes) else in_stream
        if text.count("\n") > max_rows + 1:
            raise _too_many_rows(max_rows)
        return _within_request_limit(super().create_dataset(text, **kwargs))
