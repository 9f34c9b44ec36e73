"""The admin's base classes: scope every page through a selector, refuse garbage ids, audit imports and exports."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
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
