"""The export formats of every admin export: a text cell beginning with = + - @ comes out as text, never as a
formula a spreadsheet would run (a resident named ``=HYPERLINK(...)``).

django-import-export's own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only drops a leading "=" (changing the
value) and turns every cell into text ("None" for an empty one), so the core writes the cells itself:
Excel gets the exact value as a text cell; CSV, which has no cell types, gets the value behind a single
quote, as spreadsheets read it.
"""

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
