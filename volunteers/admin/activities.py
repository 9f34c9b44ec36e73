"""Activities and their shifts, with the sign-ups of each shift."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from station import selectors as station_selectors
from station.admin import ScopedAdminMixin, ScopedCommunityFilter
from station.models import Activity
from station.roles import profile_of

from .. import selectors, services
from ..models import Shift, SignUp, VolunteerActivity
from .base import error_text


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
            try:
                services.shift_delete(shift=obj, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{obj}: {error_text(exc)}", messages.ERROR)

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
