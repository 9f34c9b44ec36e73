"""What every casework admin shares: staff-only choices, scoped raw id boxes, how a refusal is told."""

from django.contrib import messages
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from station import selectors as station_selectors
from station.admin import ScopedFormfieldsMixin
from station.roles import STATION_STAFF_ROLES, Role

from .. import selectors
from ..models import Visit


def station_staff_users(request, roles=STATION_STAFF_ROLES):
    return station_selectors.station_staff_users(station_selectors.station_ids_for(request.user), roles=roles)


def reason_of(exc) -> str:
    """The words of a refusal (ValidationError or PermissionDenied) for a message."""
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


def report_skipped(request, done_message: str, skipped: list[tuple[object, str]]):
    """A bulk action's answer: what was done, then every skipped record named with the reason."""
    messages.info(request, done_message)
    for record, reason in skipped:
        messages.warning(request, _("Skipped %(record)s: %(reason)s") % {"record": record, "reason": reason})


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw id box that labels only records the user may see (a typed-in number reveals nothing)."""

    def __init__(self, rel, admin_site, visible, **kwargs):
        self.visible = visible
        super().__init__(rel, admin_site, **kwargs)

    def label_and_url_for_value(self, value):
        try:
            seen = self.visible.filter(pk=value).exists()
        except (ValueError, TypeError, ValidationError):
            seen = False
        return super().label_and_url_for_value(value) if seen else ("", "")


class StaffFormfieldsMixin(ScopedFormfieldsMixin):
    """Worker and supervisor choices limited to the user's station staff."""

    user_fields = {"worker", "assigned_to"}
    supervisor_fields = {"supervisor"}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.user_fields:
            kwargs["queryset"] = station_staff_users(request)
        elif db_field.name in self.supervisor_fields:
            kwargs["queryset"] = station_staff_users(request, {Role.SUPERVISOR, Role.STATION_HEAD})
        elif db_field.related_model is Visit:
            kwargs["queryset"] = selectors.visit_list_visible_to(request.user)
            if db_field.name in self.raw_id_fields:
                kwargs["widget"] = ScopedRawIdWidget(
                    db_field.remote_field, self.admin_site, kwargs["queryset"]
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
