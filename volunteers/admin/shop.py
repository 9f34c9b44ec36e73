"""The rewards shop: rewards, their sponsors' donations with the donor report, redemptions and pickups.

A sponsor is a unit of the core's partner units directory (its admin is the core's, ``station.admin``):
here a sponsor's donations are the donation list filtered by sponsor, and the donor report links to both."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ExportMixin

from station import selectors as station_selectors
from station.admin import ScopedAdminMixin, ScopedFormfieldsMixin, ScopedImportExportMixin
from station.roles import display_name

from .. import selectors, services
from ..models import Donation, Redemption, Reward
from .base import StationDefaultMixin, error_text, reason_step


@admin.register(Donation)
class DonationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["donated_on", "sponsor", "description", "reward", "quantity", "value", "recorded_by_name"]
    list_filter = [("sponsor", admin.RelatedOnlyFieldListFilter), "donated_on"]
    list_select_related = ["sponsor", "reward", "recorded_by"]
    search_fields = ["sponsor__name", "description"]
    autocomplete_fields = ["sponsor", "reward"]
    fields = ["sponsor", "donated_on", "description", "reward", "quantity", "value"]
    change_list_template = "volunteers/admin/donation_change_list.html"

    def scope(self, request, queryset):
        return selectors.donation_list_visible_to(request.user, queryset)

    @admin.display(description=gettext_lazy("recorded by"), ordering="recorded_by")
    def recorded_by_name(self, obj):
        return display_name(obj.recorded_by) if obj.recorded_by else "—"

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
            self.message_user(request, error_text(exc), messages.ERROR)
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

    def save_model(self, request, obj, form, change):
        services.reward_save(reward=obj, actor=request.user)

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
                self.message_user(request, f"{redemption}: {error_text(exc)}", messages.ERROR)
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
