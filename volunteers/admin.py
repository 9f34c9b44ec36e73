"""The social workers' side of the volunteer platform. Every write goes through volunteers.services."""

import uuid
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.forms.models import construct_instance
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ExportMixin, ImportExportMixin

from station import selectors as station_selectors
from station.admin import (
    ScopedAdminMixin,
    ScopedCommunityFilter,
    ScopedFormfieldsMixin,
    ScopedImportExportMixin,
)
from station.models import Activity
from station.roles import profile_of

from . import selectors, services
from .models import (
    Certificate,
    Donation,
    LedgerEntry,
    Redemption,
    Reward,
    ServiceRecord,
    Shift,
    SignUp,
    Volunteer,
    VolunteerActivity,
)
from .resources import ServiceHoursResource, VolunteerResource


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=300)  # also refuses NUL characters, which PostgreSQL cannot store


def reason_step(modeladmin, request, queryset, *, title, action, label, apply):
    """An admin action that asks for a reason first; ``apply(obj, reason)`` runs per object."""
    if request.POST.get("apply"):
        form = ReasonForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        if not reason:
            problems = form.errors.get("reason", []) if request.POST.get("reason", "").strip() else []
            for problem in problems or [_("Please give a reason.")]:
                modeladmin.message_user(request, problem, messages.ERROR)
        else:
            done, failed = 0, []
            for obj in queryset:
                try:
                    apply(obj, reason)
                    done += 1
                except ValidationError as exc:
                    failed.append(f"{obj}: {_errors(exc)}")
            if done:
                modeladmin.message_user(request, _("%(n)d done.") % {"n": done}, messages.SUCCESS)
            for line in failed:
                modeladmin.message_user(request, line, messages.ERROR)
            return None
    return TemplateResponse(
        request,
        "volunteers/admin/reason_form.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "objects": queryset,
            "action": action,
            "label": label,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        },
    )


class StationDefaultMixin:
    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        profile = profile_of(request.user)
        if profile and profile.station_id:
            initial.setdefault("station", profile.station_id)
        return initial


# Volunteers ------------------------------------------------------------------------------------------------


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
            obj.full_clean(exclude=["user"])
            obj.save()
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
            self.message_user(request, _errors(exc), messages.ERROR)
            return redirect(request.get_full_path())

    def change_view(self, request, object_id, form_url="", extra_context=None):
        try:
            return super().change_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, _errors(exc), messages.ERROR)
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


# Activities and shifts -----------------------------------------------------------------------------------


class VolunteerActivityForm(forms.ModelForm):
    title = forms.CharField(label=gettext_lazy("title"), max_length=200)
    community = forms.ModelChoiceField(
        label=gettext_lazy("community"),
        queryset=None,
        required=False,
        help_text=gettext_lazy("Leave empty for a station-wide event."),
    )
    starts_at = forms.SplitDateTimeField(
        label=gettext_lazy("starts at"), widget=admin.widgets.AdminSplitDateTime
    )
    ends_at = forms.SplitDateTimeField(label=gettext_lazy("ends at"), widget=admin.widgets.AdminSplitDateTime)
    place = forms.CharField(label=gettext_lazy("place"), max_length=200, required=False)

    class Meta:
        model = VolunteerActivity
        fields = ["description", "required_skills", "required_training", "is_published"]

    ACTIVITY_FIELDS = ("title", "community", "starts_at", "ends_at", "place")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["community"].queryset = station_selectors.community_list_visible_to(user)
        if self.instance.pk:
            activity = self.instance.activity
            for name in self.ACTIVITY_FIELDS:
                self.initial[name] = getattr(activity, name)

    def clean(self):
        """Build the station activity this one hangs on, and validate it like any other activity."""
        data = super().clean()
        if self.instance.pk:
            activity = self.instance.activity
        else:
            profile = profile_of(self.user)
            station = profile.station if profile and profile.station_id else None
            if station is None and data.get("community"):
                station = data["community"].station
            if station is None:
                raise ValidationError(_("Choose a community: the activity needs a station."))
            activity = Activity(station=station)
        for name in self.ACTIVITY_FIELDS:
            if name in data:
                setattr(activity, name, data[name] if data[name] is not None or name == "community" else "")
        try:
            activity.platform = Activity.Platform.VOLUNTEERS
            activity.full_clean(exclude=["organiser"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        self.activity = activity
        return data


class ShiftInlineForm(forms.ModelForm):
    class Meta:
        model = Shift
        fields = ["starts_at", "ends_at", "place", "places", "points_per_hour"]

    def clean(self):
        data = super().clean()
        if self.instance.pk and data.get("places"):
            taken = self.instance.signups.filter(status=SignUp.Status.SIGNED_UP).count()
            if data["places"] < taken:
                self.add_error(
                    "places", _("%(n)d volunteers have signed up; places cannot be fewer.") % {"n": taken}
                )
        return data


class ShiftInline(admin.TabularInline):
    model = Shift
    form = ShiftInlineForm
    extra = 1
    fields = ["starts_at", "ends_at", "place", "places", "points_per_hour", "signed_up", "screen"]
    readonly_fields = ["signed_up", "screen"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if not selectors.may_run_checkin(request.user):
            fields = [name for name in fields if name != "screen"]  # the screen would be a 404
        return fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("volunteer_activity__activity")
            .annotate(n_taken=Count("signups", filter=Q(signups__status=SignUp.Status.SIGNED_UP)))
        )

    @admin.display(description=gettext_lazy("signed up"))
    def signed_up(self, obj):
        if not obj.pk:
            return ""
        return obj.n_taken

    @admin.display(description=gettext_lazy("check-in screen"))
    def screen(self, obj):
        if not obj.pk:
            return ""
        return format_html(
            '<a href="{}">{}</a>', reverse("volunteers:shift_screen", args=[obj.pk]), _("open")
        )


@admin.register(VolunteerActivity)
class VolunteerActivityAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = VolunteerActivityForm
    list_display = ["title", "community", "starts_at", "shift_count", "is_published"]
    list_filter = ["is_published", ("activity__community", ScopedCommunityFilter)]
    list_select_related = ["activity__community"]
    search_fields = ["activity__title", "description"]
    inlines = [ShiftInline]
    fieldsets = [
        (None, {"fields": ["title", "community", "starts_at", "ends_at", "place"]}),
        (
            gettext_lazy("For volunteers"),
            {"fields": ["description", "required_skills", "required_training", "is_published"]},
        ),
    ]

    def scope(self, request, queryset):
        return selectors.volunteer_activity_list_visible_to(request.user, queryset)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_shifts=Count("shifts"))

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class WithUser(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, user=request.user, **kw)

        return WithUser

    @admin.display(description=gettext_lazy("title"), ordering="activity__title")
    def title(self, obj):
        return obj.activity.title

    @admin.display(description=gettext_lazy("community"))
    def community(self, obj):
        return obj.activity.community or _("station-wide")

    @admin.display(description=gettext_lazy("starts at"), ordering="activity__starts_at")
    def starts_at(self, obj):
        return obj.activity.starts_at

    @admin.display(description=gettext_lazy("shifts"))
    def shift_count(self, obj):
        return obj.n_shifts

    def save_model(self, request, obj, form, change):
        services.volunteer_activity_save(volunteer_activity=obj, activity=form.activity, actor=request.user)

    def save_formset(self, request, form, formset, change):
        for shift in formset.save(commit=False):
            services.shift_save(shift=shift, actor=request.user)
        for obj in formset.deleted_objects:
            if obj.signups.exists():
                self.message_user(request, _("A shift with sign-ups cannot be deleted."), messages.ERROR)
            else:
                obj.delete()

    def has_delete_permission(self, request, obj=None):
        return False


class SignUpInline(admin.TabularInline):
    model = SignUp
    extra = 0
    fields = [
        "volunteer",
        "status",
        "signed_up_at",
        "checked_in_at",
        "check_in_method",
        "checked_out_at",
        "auto_checked_out",
    ]
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("volunteer__person", "shift__volunteer_activity__activity")
        )

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Shift)
class ShiftAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = ShiftInlineForm  # checks places against sign-ups, so the service's refusal is a form error
    list_display = ["__str__", "place", "places", "taken", "screen"]
    list_select_related = ["volunteer_activity__activity"]
    search_fields = ["volunteer_activity__activity__title", "place"]
    date_hierarchy = "starts_at"
    inlines = [SignUpInline]
    readonly_fields = ["volunteer_activity"]
    fields = ["volunteer_activity", "starts_at", "ends_at", "place", "places", "points_per_hour"]

    def scope(self, request, queryset):
        return selectors.shift_list_visible_to(request.user, queryset)

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if not selectors.may_run_checkin(request.user):
            shown = [name for name in shown if name != "screen"]  # the screen would be a 404
        return shown

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_taken=Count("signups", filter=Q(signups__status=SignUp.Status.SIGNED_UP)))
        )

    @admin.display(description=gettext_lazy("signed up"))
    def taken(self, obj):
        return obj.n_taken

    @admin.display(description=gettext_lazy("check-in screen"))
    def screen(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("volunteers:shift_screen", args=[obj.pk]), _("open")
        )

    def has_add_permission(self, request):
        return False  # shifts are added on their activity

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.shift_save(shift=obj, actor=request.user)


# Service records ----------------------------------------------------------------------------------------


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
        lines = [
            f"{timezone.localtime(e.at):%Y-%m-%d %H:%M} {e.from_status or '—'} → {e.to_status} "
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
            self.message_user(request, _errors(exc), messages.ERROR)
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
                failed.append(f"{record}: {_errors(exc)}")
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


# The ledger: read-only; reversals through an action that asks why ----------------------------------------


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ScopedAdminMixin, ScopedImportExportMixin, ExportMixin, admin.ModelAdmin):
    list_display = ["created_at", "volunteer", "kind", "points", "balance_after", "reason", "created_by"]
    list_filter = ["kind", "created_at"]
    list_select_related = ["volunteer__person", "created_by"]
    search_fields = ["volunteer__person__name", "volunteer__person__phone", "reason"]
    date_hierarchy = "created_at"
    actions = ["reverse_selected"]

    def scope(self, request, queryset):
        return selectors.ledger_list_visible_to(request.user, queryset)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Reverse selected entries"), permissions=["view"])
    def reverse_selected(self, request, queryset):
        if not request.user.has_perm("volunteers.adjust_points"):
            raise PermissionDenied
        return reason_step(
            self,
            request,
            queryset,
            title=_("Reverse entries"),
            action="reverse_selected",
            label=_("Why are these entries reversed?"),
            apply=lambda obj, reason: services.ledger_reverse(entry=obj, reason=reason, actor=request.user),
        )


# Rewards, their sponsors' donations, redemptions -------------------------------------------------------------
# A sponsor is a unit of the core's partner units directory (its admin is the core's): here a sponsor's
# donations are the donation list filtered by sponsor, and the donor report links to both.


@admin.register(Donation)
class DonationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["donated_on", "sponsor", "description", "reward", "quantity", "value", "recorded_by"]
    list_filter = [("sponsor", admin.RelatedOnlyFieldListFilter), "donated_on"]
    list_select_related = ["sponsor", "reward", "recorded_by"]
    search_fields = ["sponsor__name", "description"]
    autocomplete_fields = ["sponsor", "reward"]
    fields = ["sponsor", "donated_on", "description", "reward", "quantity", "value"]
    change_list_template = "volunteers/admin/donation_change_list.html"

    def scope(self, request, queryset):
        return selectors.donation_list_visible_to(request.user, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "sponsor":
            kwargs["queryset"] = selectors.sponsor_list_visible_to(request.user)
        if db_field.name == "reward":
            kwargs["queryset"] = selectors.reward_list_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj else []

    def save_model(self, request, obj, form, change):
        if not change:
            services.donation_record(donation=obj, actor=request.user)

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, _errors(exc), messages.ERROR)
            return redirect(request.get_full_path())

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("report/", self.admin_site.admin_view(self.report_view), name="volunteers_donation_report"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "report_url": reverse("admin:volunteers_donation_report")}
        return super().changelist_view(request, extra_context)

    def report_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        may_open_units = request.user.has_perm("station.view_partnerunit")
        rows = selectors.donor_report(request.user)
        donations_url = reverse("admin:volunteers_donation_changelist")
        for row in rows:
            row["donations_url"] = f"{donations_url}?sponsor__id__exact={row['sponsor'].pk}"
            if may_open_units:
                row["unit_url"] = reverse("admin:station_partnerunit_change", args=[row["sponsor"].pk])
        context = {
            **self.admin_site.each_context(request),
            "title": _("Donor report"),
            "rows": rows,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "volunteers/admin/donor_report.html", context)


@admin.register(Reward)
class RewardAdmin(ScopedAdminMixin, StationDefaultMixin, ScopedFormfieldsMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "sponsor",
        "points_price",
        "stock",
        "per_volunteer_limit",
        "active_from",
        "active_until",
        "is_active",
    ]
    list_filter = ["is_active", ("sponsor", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["sponsor"]
    search_fields = ["name", "sponsor__name"]
    readonly_fields = ["stock"]

    def scope(self, request, queryset):
        return selectors.reward_list_visible_to(request.user, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "sponsor":
            kwargs["queryset"] = selectors.sponsor_list_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False


class PickupForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("pickup code"), max_length=12)


@admin.register(Redemption)
class RedemptionAdmin(ScopedAdminMixin, ScopedImportExportMixin, ExportMixin, admin.ModelAdmin):
    list_display = ["created_at", "volunteer", "reward", "points", "status", "pickup_code", "fulfilled_at"]
    list_filter = ["status", ("reward__sponsor", admin.RelatedOnlyFieldListFilter), "created_at"]
    list_select_related = ["volunteer__person", "reward"]
    search_fields = ["volunteer__person__name", "volunteer__person__phone", "pickup_code", "reward__name"]
    actions = ["fulfil_selected", "cancel_selected"]
    date_hierarchy = "created_at"
    change_list_template = "volunteers/admin/redemption_change_list.html"

    def scope(self, request, queryset):
        return selectors.redemption_list_visible_to(request.user, queryset)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "idempotency_key"]

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Mark selected as picked up"), permissions=["change"])
    def fulfil_selected(self, request, queryset):
        done = 0
        for redemption in queryset:
            try:
                services.redemption_fulfil(redemption=redemption, actor=request.user)
                done += 1
            except ValidationError as exc:
                self.message_user(request, f"{redemption}: {_errors(exc)}", messages.ERROR)
        self.message_user(request, _("%(n)d done.") % {"n": done}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Cancel selected and refund the points"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        return reason_step(
            self,
            request,
            queryset,
            title=_("Cancel redemptions"),
            action="cancel_selected",
            label=_("Why are these redemptions cancelled?"),
            apply=lambda obj, reason: services.redemption_cancel(
                redemption=obj, reason=reason, actor=request.user
            ),
        )

    def get_urls(self):
        return [
            path(
                "pickup/", self.admin_site.admin_view(self.pickup_view), name="volunteers_redemption_pickup"
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "pickup_url": reverse("admin:volunteers_redemption_pickup")}
        return super().changelist_view(request, extra_context)

    def pickup_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        form = PickupForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                redemption = services.redemption_fulfil_by_code(
                    code=form.cleaned_data["code"],
                    station_ids=station_selectors.station_ids_for(request.user),
                    actor=request.user,
                )
            except ValidationError as exc:
                form.add_error("code", exc)
            else:
                self.message_user(
                    request,
                    _("%(reward)s handed to %(name)s.")
                    % {"reward": redemption.reward.name, "name": redemption.volunteer.person.name},
                    messages.SUCCESS,
                )
                return redirect("admin:volunteers_redemption_pickup")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Confirm a pickup code"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "volunteers/admin/pickup.html", context)


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
