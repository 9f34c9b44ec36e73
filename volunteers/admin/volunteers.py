"""Volunteers and their hours: the volunteer list with points adjustment, service records (backfill,
approval, decline, correction) and the certificates of them."""

import uuid
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import construct_instance
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportExportMixin

from station.admin import (
    ScopedAdminMixin,
    ScopedCommunityFilter,
    ScopedFormfieldsMixin,
    ScopedImportExportMixin,
)

from .. import selectors, services
from ..models import Certificate, ServiceRecord, Volunteer
from ..resources import ServiceHoursResource, VolunteerResource
from .base import error_text, reason_step


class VolunteerAddForm(forms.ModelForm):
    password = forms.CharField(
        label=gettext_lazy("initial password"),
        widget=forms.PasswordInput,
        required=False,
        help_text=gettext_lazy("The volunteer signs in at /v/ with their phone number and this password."),
    )

    class Meta:
        model = Volunteer
        fields = ["person", "joined_on", "status", "skills", "trainings", "availability"]


class VolunteerChangeForm(forms.ModelForm):
    new_password = forms.CharField(
        label=gettext_lazy("new password"),
        widget=forms.PasswordInput,
        required=False,
        help_text=gettext_lazy("Leave empty to keep the current password."),
    )

    class Meta:
        model = Volunteer
        fields = ["joined_on", "status", "skills", "trainings", "availability"]


class AdjustForm(forms.Form):
    points = forms.IntegerField(
        label=gettext_lazy("points"),
        help_text=gettext_lazy("Positive to add, negative to deduct."),
        min_value=-services.ADJUSTMENT_LIMIT,
        max_value=services.ADJUSTMENT_LIMIT,
    )
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=300)
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def clean_points(self):
        points = self.cleaned_data["points"]
        if points == 0:
            raise ValidationError(_("An entry must move some points."))
        return points


@admin.register(Volunteer)
class VolunteerAdmin(
    ScopedAdminMixin,
    ScopedFormfieldsMixin,
    ScopedImportExportMixin,
    ImportExportMixin,
    admin.ModelAdmin,
):
    resource_classes = [VolunteerResource]
    list_display = ["person", "community", "phone", "status", "points_balance", "joined_on", "adjust_link"]
    list_filter = ["status", ("person__community", ScopedCommunityFilter), "joined_on"]
    list_select_related = ["person__community"]
    search_fields = ["person__name", "person__phone"]
    autocomplete_fields = ["person"]
    readonly_fields = ["person", "points_balance", "username"]

    def scope(self, request, queryset):
        return selectors.volunteer_list_visible_to(request.user, queryset)

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if not request.user.has_perm("volunteers.adjust_points"):
            shown = [name for name in shown if name != "adjust_link"]  # its page would be a 403
        return shown

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = VolunteerChangeForm if obj else VolunteerAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_fields(self, request, obj=None):
        if obj:
            return [
                "person",
                "username",
                "points_balance",
                "joined_on",
                "status",
                "skills",
                "trainings",
                "availability",
                "new_password",
            ]
        return ["person", "password", "joined_on", "status", "skills", "trainings", "availability"]

    @admin.display(description=gettext_lazy("community"), ordering="person__community__name")
    def community(self, obj):
        return obj.person.community

    @admin.display(description=gettext_lazy("phone"))
    def phone(self, obj):
        return obj.person.phone

    @admin.display(description=gettext_lazy("sign-in account"))
    def username(self, obj):
        return obj.user.username if obj.user_id else ""

    @admin.display(description=gettext_lazy("points"))
    def adjust_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:volunteers_volunteer_adjust", args=[obj.pk]), _("adjust")
        )

    def save_model(self, request, obj, form, change):
        if change:
            services.volunteer_update(volunteer=obj, actor=request.user)
            if form.cleaned_data.get("new_password"):
                services.volunteer_set_password(
                    volunteer=obj, password=form.cleaned_data["new_password"], actor=request.user
                )
            return
        created = services.volunteer_register(
            person=obj.person,
            actor=request.user,
            password=form.cleaned_data.get("password") or None,
            joined_on=obj.joined_on,
            skills=obj.skills,
            trainings=obj.trainings,
            availability=obj.availability,
        )
        obj.pk = created.pk
        obj.user = created.user

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, error_text(exc), messages.ERROR)
            return redirect(request.get_full_path())

    def change_view(self, request, object_id, form_url="", extra_context=None):
        try:
            return super().change_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, error_text(exc), messages.ERROR)
            return redirect(request.get_full_path())

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<path:object_id>/adjust/",
                self.admin_site.admin_view(self.adjust_view),
                name="volunteers_volunteer_adjust",
            ),
            *super().get_urls(),
        ]

    def adjust_view(self, request, object_id):
        self._require_in_scope(request, object_id)
        if not request.user.has_perm("volunteers.adjust_points"):
            raise PermissionDenied
        volunteer = self.get_queryset(request).select_related("person").get(pk=object_id)
        form = AdjustForm(request.POST or None, initial={"key": uuid.uuid4().hex})
        if request.method == "POST" and form.is_valid():
            try:
                services.points_adjust(
                    volunteer=volunteer,
                    points=form.cleaned_data["points"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                    request_key=form.cleaned_data["key"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(request, _("Points adjusted."), messages.SUCCESS)
                return redirect("admin:volunteers_volunteer_change", volunteer.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Adjust points of %(name)s") % {"name": volunteer.person.name},
            "volunteer": volunteer,
            "form": form,
            "opts": self.model._meta,
            "entries": volunteer.ledger.all()[:20],
        }
        return TemplateResponse(request, "volunteers/admin/adjust.html", context)


class BackfillForm(forms.ModelForm):
    hours = forms.DecimalField(
        label=gettext_lazy("hours"),
        max_digits=5,
        decimal_places=2,
        help_text=gettext_lazy("For example 1.5 for an hour and a half."),
    )

    class Meta:
        model = ServiceRecord
        fields = ["volunteer", "shift", "service_date", "description"]

    def clean_hours(self):
        try:
            hours = Decimal(self.cleaned_data["hours"])
        except (InvalidOperation, TypeError):
            raise ValidationError(_("Type the hours as a number.")) from None
        if hours <= 0:
            raise ValidationError(_("Hours must be more than zero."))
        if hours > 24:
            raise ValidationError(_("A service record cannot be longer than 24 hours."))
        return hours

    def _post_clean(self):
        # Fill the instance for the admin's messages; the service validates and saves the record.
        self.instance = construct_instance(self, self.instance, self._meta.fields)
        if self.cleaned_data.get("hours"):
            self.instance.minutes = int(self.cleaned_data["hours"] * 60)


class CorrectForm(forms.Form):
    hours = forms.DecimalField(
        label=gettext_lazy("correct hours"), max_digits=5, decimal_places=2, min_value=0.01, max_value=24
    )
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=300)


@admin.register(ServiceRecord)
class ServiceRecordAdmin(
    ScopedAdminMixin,
    ScopedFormfieldsMixin,
    ScopedImportExportMixin,
    ImportExportMixin,
    admin.ModelAdmin,
):
    resource_classes = [ServiceHoursResource]
    list_display = [
        "volunteer",
        "service_date",
        "hours",
        "description",
        "status",
        "source",
        "flagged",
        "decided_by",
    ]
    list_filter = ["status", "source", "flagged", "service_date"]
    list_select_related = ["volunteer__person", "decided_by"]
    search_fields = ["volunteer__person__name", "volunteer__person__phone", "description"]
    autocomplete_fields = ["volunteer"]
    actions = ["approve_selected", "decline_selected", "submit_selected"]
    date_hierarchy = "service_date"

    def scope(self, request, queryset):
        return selectors.service_record_list_visible_to(request.user, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "shift":
            kwargs["queryset"] = selectors.shift_list_visible_to(request.user).select_related(
                "volunteer_activity__activity"
            )
        if db_field.name == "volunteer":
            kwargs["queryset"] = selectors.volunteer_list_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = BackfillForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["volunteer", "shift", "service_date", "hours", "description"]
        return [
            "volunteer",
            "shift",
            "service_date",
            "hours",
            "description",
            "status",
            "source",
            "flagged",
            "entered_by",
            "decided_by",
            "decided_at",
            "decision_reason",
            "corrects",
            "history",
            "correct_link",
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj else []

    @admin.display(description=gettext_lazy("correction"))
    def correct_link(self, obj):
        if obj.status in (ServiceRecord.Status.CORRECTED, ServiceRecord.Status.DECLINED):
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:volunteers_servicerecord_correct", args=[obj.pk]),
            _("correct this record"),
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/correct/",
                self.admin_site.admin_view(self.correct_view),
                name="volunteers_servicerecord_correct",
            ),
            *super().get_urls(),
        ]

    def correct_view(self, request, object_id):
        self._require_in_scope(request, object_id)
        if not self.has_change_permission(request):
            raise PermissionDenied
        record = self.get_queryset(request).select_related("volunteer__person").get(pk=object_id)
        form = CorrectForm(request.POST or None, initial={"hours": record.hours})
        if request.method == "POST" and form.is_valid():
            try:
                new = services.service_record_correct(
                    record=record,
                    minutes=int(form.cleaned_data["hours"] * 60),
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                self.message_user(
                    request, _("Corrected; the new record waits for approval."), messages.SUCCESS
                )
                return redirect("admin:volunteers_servicerecord_change", new.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Correct hours of %(record)s") % {"record": record},
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "volunteers/admin/form_page.html", context)

    @admin.display(description=gettext_lazy("hours"))
    def hours(self, obj):
        return obj.hours

    @admin.display(description=gettext_lazy("history"))
    def history(self, obj):
        said = dict(ServiceRecord.Status.choices)
        lines = [
            f"{timezone.localtime(e.at):%Y-%m-%d %H:%M} {said.get(e.from_status, e.from_status or '—')} → "
            f"{said.get(e.to_status, e.to_status)} "
            f"{e.actor or ''} {e.reason}"
            for e in obj.events.select_related("actor")
        ]
        return format_html("<pre>{}</pre>", "\n".join(lines))

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        record = services.service_record_backfill(
            volunteer=data["volunteer"],
            shift=data.get("shift"),
            service_date=data["service_date"],
            minutes=int(data["hours"] * 60),
            description=data.get("description", ""),
            actor=request.user,
        )
        obj.pk = record.pk

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, error_text(exc), messages.ERROR)
            return redirect(request.get_full_path())

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Approve selected hours"), permissions=["change"])
    def approve_selected(self, request, queryset):
        done, failed = 0, []
        for record in queryset.select_related("volunteer__person"):
            try:
                services.service_record_approve(record=record, actor=request.user)
                done += 1
            except ValidationError as exc:
                failed.append(f"{record}: {error_text(exc)}")
        self.message_user(request, _("%(n)d records approved.") % {"n": done}, messages.SUCCESS)
        for line in failed:
            self.message_user(request, line, messages.ERROR)

    @admin.action(description=gettext_lazy("Decline selected hours"), permissions=["change"])
    def decline_selected(self, request, queryset):
        return reason_step(
            self,
            request,
            queryset,
            title=_("Decline hours"),
            action="decline_selected",
            label=_("Why are these hours declined?"),
            apply=lambda obj, reason: services.service_record_decline(
                record=obj, reason=reason, actor=request.user
            ),
        )

    @admin.action(description=gettext_lazy("Submit selected for approval"), permissions=["change"])
    def submit_selected(self, request, queryset):
        for record in queryset:
            services.service_record_submit(record=record, actor=request.user)


@admin.register(Certificate)
class CertificateAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["number", "volunteer", "period_start", "period_end", "hours", "issued_at"]
    list_select_related = ["volunteer__person"]
    search_fields = ["number", "volunteer__person__name"]

    def scope(self, request, queryset):
        return queryset.filter(volunteer__in=selectors.volunteer_list_visible_to(request.user))

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
