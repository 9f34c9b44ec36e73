"""The admin's export page names each column as the staff read it (its Excel heading or the field's verbose
name, in Chinese), never by its attribute name ("Created By", "Kind")."""

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from import_export.forms import SelectableFieldsExportForm


def column_label(resource, field_name: str) -> str:
    field = resource.fields.get(field_name)
    if field is not None and field.column_name and str(field.column_name) != field_name:
        return str(field.column_name)
    model = resource._meta.model
    path = ((field.attribute if field is not None else None) or field_name).removesuffix("_id").split("__")
    try:
        for name in path[:-1]:
            model = model._meta.get_field(name).related_model
        return str(capfirst(model._meta.get_field(path[-1]).verbose_name))
    except (FieldDoesNotExist, AttributeError):
        return field_name


class ChineseFieldsExportForm(SelectableFieldsExportForm):
    def _get_field_label(self, resource, field_name: str) -> str:
        return column_label(resource, field_name)
