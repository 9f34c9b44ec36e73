"""The social workers' side of the party-building platform. Every write goes through partybuild.services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ExportMixin, ImportExportMixin

from station import selectors as station_selectors
from station.admin import (
    ScopedAdminMixin,
    ScopedCommunityFilter,
    ScopedFormfieldsMixin,
    ScopedImportExportMixin,
    bulk_apply,
)
from station.models import Activity, PartnerUnit
from station.roles import is_station_staff, profile_of

from . import matching, selectors, services
from .models import (
    Course,
    CourseAttendance,
    CourseSession,
    MemberReport,
    PartyActivity,
    PartyMember,
    PartyOrg,
    PostHolder,
    PostHours,
    PracticeBase,
    QuarterlySheet,
    ServicePost,
    UnitReport,
)
from .resources import MemberResource, QuarterlySheetResource


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _apply_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class PartyFormfieldsMixin(ScopedFormfieldsMixin):
    """Choices limited to what the user may see: units, organisations, members, posts of their station."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        model = db_field.related_model
        if model is PartnerUnit:
            kwargs["queryset"] = station_selectors.partner_unit_list_visible_to(request.user)
        elif model is PartyOrg:
            kwargs["queryset"] = selectors.party_org_list_visible_to(request.user)
        elif model is PartyMember:
            kwargs["queryset"] = selectors.member_list_visible_to(request.user).select_related("person")
        elif model is ServicePost:
            kwargs["queryset"] = selectors.service_post_list_visible_to(request.user)
        elif model is PostHolder:
            kwargs["queryset"] = selectors.post_holder_list_visible_to(request.user).select_related(
                "member__person", "post"
            )
        elif model is PracticeBase:
            kwargs["queryset"] = selectors.practice_base_list_visible_to(request.user)
        elif model is Course:
            kwargs["queryset"] = selectors.course_list_visible_to(request.user)
        elif model is CourseSession:
            kwargs["queryset"] = selectors.course_session_list_visible_to(request.user).select_related(
                "course"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model is PartyOrg:
            kwargs["queryset"] = selectors.party_org_list_visible_to(request.user)
        elif db_field.name == "households_served":
            kwargs["queryset"] = station_selectors.household_list_visible_to(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ServiceSaveMixin:
    """``save_model`` goes through ``save_service(request, obj, form, change)``; a rule refused is shown on the
    form, nothing saved."""

    def save_service(self, request, obj, form, change):
        raise NotImplementedError

    def _changeform_view(self, request, object_id, form_url, extra_context):
        try:
            return super()._changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            self.message_user(request, _errors(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        self.save_service(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False


def _station_of(request):
    profile = profile_of(request.user)
    return profile.station if profile and profile.station_id else None


class StationDefaultMixin:
    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        station = _station_of(request)
        if station is not None:
            initial.setdefault("station", station.pk)
        return initial


# Organisations ---------------------------------------------------------------------------------------------


@admin.register(PartyOrg)
class PartyOrgAdmin(
    ScopedAdminMixin, PartyFormfieldsMixin, StationDefaultMixin, ServiceSaveMixin, admin.ModelAdmin
):
    list_display = ["name", "kind", "owner", "unit", "community", "secretary", "active_from", "active_to"]
    list_filter = ["kind", "owner", ("community", ScopedCommunityFilter)]
    list_select_related = ["unit", "community"]
    search_fields = ["name", "secretary", "unit__name"]
    autocomplete_fields = ["parent"]

    def scope(self, request, queryset):
        return selectors.party_org_list_visible_to(request.user, queryset)

    def save_service(self, request, obj, form, change):
        services.party_org_save(org=obj, actor=request.user)


# Members and their reports -----------------------------------------------------------------------------------


class MemberReportInline(admin.TabularInline):
    model = MemberReport
    extra = 0
    can_delete = False
    fields = ["community", "status", "submitted_on", "accepted_on", "active_from", "deadline", "lapsed_on"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class PartyMemberForm(forms.ModelForm):
    class Meta:
        model = PartyMember
        fields = ["person", "org", "work_unit", "link", "skills", "preferences", "availability", "joined_on"]


@admin.register(PartyMember)
class PartyMemberAdmin(
    ScopedAdminMixin,
    PartyFormfieldsMixin,
    ScopedImportExportMixin,
    ImportExportMixin,
    ServiceSaveMixin,
    admin.ModelAdmin,
):
    form = PartyMemberForm
    resource_classes = [MemberResource]
    list_display = ["person", "community", "link", "org", "work_unit", "skills", "report_status"]
    list_filter = ["link", ("person__community", ScopedCommunityFilter), "org"]
    list_select_related = ["person__community", "org", "work_unit"]
    search_fields = ["person__name", "person__phone", "skills", "work_unit__name"]
    autocomplete_fields = ["person"]
    inlines = [MemberReportInline]
    actions = ["submit_report"]

    def scope(self, request, queryset):
        return selectors.member_list_visible_to(request.user, queryset)

    def get_readonly_fields(self, request, obj=None):
        return ["person"] if obj else []

    @admin.display(description=gettext_lazy("community"), ordering="person__community__name")
    def community(self, obj):
        return obj.person.community

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("reports")

    @admin.display(description=gettext_lazy("report"))
    def report_status(self, obj):
        reports = sorted(obj.reports.all(), key=lambda r: (r.submitted_on, r.pk))
        return reports[-1].get_status_display() if reports else "—"

    def save_service(self, request, obj, form, change):
        if change:
            services.member_save(member=obj, actor=request.user)
            return
        created = services.member_register(
            person=obj.person, link=obj.link, actor=request.user, org=obj.org, work_unit=obj.work_unit,
            skills=obj.skills, preferences=obj.preferences, availability=obj.availability,
            joined_on=obj.joined_on,
        )  # fmt: skip
        obj.pk = created.pk

    @admin.action(description=gettext_lazy("Record a report to the community for the selected members"))
    def submit_report(self, request, queryset):
        bulk_apply(
            request,
            queryset.select_related("person__community"),
            lambda member: services.member_report_submit(person=member.person, actor=request.user),
            _("%(n)d reports recorded."),
        )

    def get_urls(self):
        return [
            path("wishes/", self.admin_site.admin_view(self.wishes_view), name="partybuild_wishes"),
            *super().get_urls(),
        ]

    def wishes_view(self, request):
        """The 微心愿 wall: open needs a member may take, without the resident's full name, ID or address."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        can_take = is_station_staff(request.user) or request.user.is_superuser
        if request.method == "POST":
            if not can_take:
                raise PermissionDenied
            need = _need_or_none(request, selectors.wish_wall_for(request.user), "need")
            member = _need_or_none(request, selectors.member_list_visible_to(request.user), "member")
            if need is None or member is None:
                self.message_user(request, _("Choose a wish and a member."), messages.ERROR)
            else:
                try:
                    services.need_take_by_member(need=need, member=member, actor=request.user)
                except (ValidationError, PermissionDenied) as exc:
                    self.message_user(request, " ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR)
                else:
                    self.message_user(
                        request,
                        _("%(name)s has taken the wish.") % {"name": member.person.name},
                        messages.SUCCESS,
                    )
            return redirect("admin:partybuild_wishes")
        wishes = [
            {
                "pk": need.pk,
                "who": selectors.masked_name(need.person.name),
                "community": need.person.community,
                "category": need.get_category_display(),
                "description": need.description,
                "urgency": need.get_urgency_display(),
                "raised_at": need.raised_at,
                "matches": matching.match_for_need(need, request.user, limit=3) if can_take else [],
            }
            for need in selectors.wish_wall_for(request.user)[:50]
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Micro-wish wall"),
            "opts": self.model._meta,
            "wishes": wishes,
            "can_take": can_take,
        }
        return TemplateResponse(request, "partybuild/admin/wishes.html", context)


def _need_or_none(request, queryset, name):
    value = request.POST.get(name, "")
    if not (value.isascii() and value.isdigit() and len(value) < 19):
        return None
    return queryset.filter(pk=value).first()


class ReportStatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return MemberReport.Status.choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


class MemberReportForm(forms.ModelForm):
    class Meta:
        model = MemberReport
        fields = ["member", "community", "submitted_on", "note"]


@admin.register(MemberReport)
class MemberReportAdmin(ScopedAdminMixin, PartyFormfieldsMixin, ServiceSaveMixin, admin.ModelAdmin):
    form = MemberReportForm
    list_display = ["member", "community", "status", "submitted_on", "active_from", "deadline", "lapsed_on"]
    list_filter = [ReportStatusFilter, ("community", ScopedCommunityFilter), "deadline"]
    list_select_related = ["member__person", "community"]
    search_fields = ["member__person__name", "member__person__phone"]
    date_hierarchy = "submitted_on"
    actions = ["accept", "activate", "renew"]

    def scope(self, request, queryset):
        return selectors.member_report_list_visible_to(request.user, queryset)

    def get_readonly_fields(self, request, obj=None):
        done = ["status", "accepted_on", "active_from", "last_reported_on", "deadline", "lapsed_on"]
        return ["member", "community", "submitted_on", *done] if obj else done

    def save_service(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["note"])
            return
        created = services.member_report_submit(
            person=obj.member.person, community=obj.community, actor=request.user, submitted_on=obj.submitted_on,
            note=obj.note,
        )  # fmt: skip
        obj.pk = created.pk

    def _bulk(self, request, queryset, service, done_message):
        reports = queryset.select_related("member__person")
        bulk_apply(request, reports, lambda report: service(report=report, actor=request.user), done_message)

    @admin.action(description=gettext_lazy("Accept the selected reports"))
    def accept(self, request, queryset):
        self._bulk(request, queryset, services.member_report_accept, _("%(n)d reports accepted."))

    @admin.action(description=gettext_lazy("Start service: the selected reports become active"))
    def activate(self, request, queryset):
        self._bulk(request, queryset, services.member_report_activate, _("%(n)d reports active."))

    @admin.action(description=gettext_lazy("Record a re-report for the selected members"))
    def renew(self, request, queryset):
        self._bulk(request, queryset, services.member_report_renew, _("%(n)d re-reports recorded."))


@admin.register(UnitReport)
class UnitReportAdmin(ScopedAdminMixin, PartyFormfieldsMixin, ServiceSaveMixin, admin.ModelAdmin):
    list_display = ["unit", "community", "party_org", "signed_on", "receipt_on", "contact_person", "phone"]
    list_filter = [("community", ScopedCommunityFilter)]
    list_select_related = ["unit", "community", "party_org"]
    search_fields = ["unit__name", "contact_person"]

    def scope(self, request, queryset):
        return selectors.unit_report_list_visible_to(request.user, queryset)

    def save_service(self, request, obj, form, change):
        services.unit_report_save(report=obj, actor=request.user)


# Posts --------------------------------------------------------------------------------------------------------


class PostHolderInline(admin.TabularInline):
    model = PostHolder
    extra = 0
    can_delete = False
    fields = ["member", "how", "status", "started_on", "ended_on", "match_reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ServicePostForm(forms.ModelForm):
    class Meta:
        model = ServicePost
        fields = ["station", "community", "title", "category", "skills_needed", "places", "schedule",
                  "offered_by_org", "offered_by_unit", "published_from", "published_to"]  # fmt: skip

    def clean_places(self):
        places = self.cleaned_data.get("places")
        if places is not None and places < 0:
            raise ValidationError(_("The number of places cannot be negative."))
        return places


@admin.register(ServicePost)
class ServicePostAdmin(
    ScopedAdminMixin, PartyFormfieldsMixin, StationDefaultMixin, ServiceSaveMixin, admin.ModelAdmin
):
    form = ServicePostForm
    list_display = [
        "title",
        "community",
        "category",
        "places",
        "published_from",
        "published_to",
        "match_link",
    ]
    list_filter = ["category", ("community", ScopedCommunityFilter)]
    list_select_related = ["community"]
    search_fields = ["title", "skills_needed", "schedule"]
    inlines = [PostHolderInline]

    def scope(self, request, queryset):
        return selectors.service_post_list_visible_to(request.user, queryset)

    def save_service(self, request, obj, form, change):
        services.service_post_save(post=obj, actor=request.user)

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if not (is_station_staff(request.user) or request.user.is_superuser):
            shown = [name for name in shown if name != "match_link"]
        return shown

    @admin.display(description=gettext_lazy("matching"))
    def match_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:partybuild_servicepost_match", args=[obj.pk]),
            _("find members"),
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/match/",
                self.admin_site.admin_view(self.match_view),
                name="partybuild_servicepost_match",
            ),
            *super().get_urls(),
        ]

    def match_view(self, request, object_id):
        """The ranked list of members who fit the post, with the reason for each; the worker assigns."""
        if not (is_station_staff(request.user) or request.user.is_superuser):
            raise Http404
        self._require_in_scope(request, object_id)
        post = self.get_queryset(request).select_related("community").get(pk=object_id)
        if request.method == "POST":
            member = _need_or_none(request, selectors.member_list_visible_to(request.user), "member")
            if member is None:
                self.message_user(request, _("Choose a member."), messages.ERROR)
            else:
                reason = next(
                    (
                        m.reason
                        for m in matching.match_for_post(post, request.user)
                        if m.member.pk == member.pk
                    ),
                    "",
                )
                try:
                    services.post_assign(post=post, member=member, actor=request.user, reason=reason)
                except (ValidationError, PermissionDenied) as exc:
                    self.message_user(request, " ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR)
                else:
                    self.message_user(
                        request,
                        _("%(name)s now holds “%(post)s”.")
                        % {"name": member.person.name, "post": post.title},
                        messages.SUCCESS,
                    )
            return redirect("admin:partybuild_servicepost_match", post.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Members who fit “%(post)s”") % {"post": post.title},
            "opts": self.model._meta,
            "post": post,
            "matches": matching.match_for_post(post, request.user, limit=30),
        }
        return TemplateResponse(request, "partybuild/admin/match.html", context)


class PostHoursForm(forms.ModelForm):
    class Meta:
        model = PostHours
        fields = ["holder", "served_on", "hours", "note"]


@admin.register(PostHours)
class PostHoursAdmin(ScopedAdminMixin, PartyFormfieldsMixin, ServiceSaveMixin, admin.ModelAdmin):
    form = PostHoursForm
    list_display = ["served_on", "holder", "hours", "note"]
    list_select_related = ["holder__member__person", "holder__post"]
    search_fields = ["holder__member__person__name", "holder__post__title"]
    date_hierarchy = "served_on"
    actions = ["delete_hours"]

    def scope(self, request, queryset):
        return selectors.post_hours_list_visible_to(request.user, queryset)

    @admin.action(
        description=gettext_lazy("Delete the selected hours (a linked volunteer record is declined)")
    )
    def delete_hours(self, request, queryset):
        bulk_apply(
            request,
            queryset.select_related("holder__member__person").order_by("pk"),
            lambda entry: services.post_hours_delete(entry=entry, actor=request.user),
            _("%(n)d entries of hours deleted."),
        )

    def get_readonly_fields(self, request, obj=None):
        return ["holder", "served_on"] if obj else []

    def save_service(self, request, obj, form, change):
        saved = services.post_hours_record(
            holder=obj.holder, served_on=obj.served_on, hours=obj.hours, note=obj.note, actor=request.user
        )
        obj.pk = saved.pk


class PostHolderForm(forms.ModelForm):
    class Meta:
        model = PostHolder
        fields = ["post", "member"]


@admin.register(PostHolder)
class PostHolderAdmin(ScopedAdminMixin, PartyFormfieldsMixin, ServiceSaveMixin, admin.ModelAdmin):
    """Applications and holders: a worker records an application, accepts it or ends a holding."""

    form = PostHolderForm
    list_display = ["member", "post", "how", "status", "started_on", "ended_on", "match_reason"]
    list_filter = ["status", "how"]
    list_select_related = ["member__person", "post"]
    search_fields = ["member__person__name", "post__title"]
    actions = ["accept", "end"]

    def scope(self, request, queryset):
        return selectors.post_holder_list_visible_to(request.user, queryset)

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_service(self, request, obj, form, change):
        created = services.post_apply(post=obj.post, member=obj.member, actor=request.user)
        obj.pk = created.pk

    def _bulk(self, request, queryset, service, done_message):
        holders = queryset.select_related("member__person", "post")
        bulk_apply(request, holders, lambda holder: service(holder=holder, actor=request.user), done_message)

    @admin.action(description=gettext_lazy("Accept the selected applications"))
    def accept(self, request, queryset):
        self._bulk(request, queryset, services.post_holder_accept, _("%(n)d members now hold their post."))

    @admin.action(description=gettext_lazy("End the selected holdings or applications"))
    def end(self, request, queryset):
        self._bulk(request, queryset, services.post_holder_end, _("%(n)d ended."))


# Practice bases, party days, courses ---------------------------------------------------------------------------


@admin.register(PracticeBase)
class PracticeBaseAdmin(
    ScopedAdminMixin, PartyFormfieldsMixin, StationDefaultMixin, ServiceSaveMixin, admin.ModelAdmin
):
    list_display = ["name", "unit", "party_org", "agreement_from", "agreement_to", "contact_person"]
    list_select_related = ["unit", "party_org"]
    search_fields = ["name", "unit__name", "offers"]

    def scope(self, request, queryset):
        return selectors.practice_base_list_visible_to(request.user, queryset)

    def save_service(self, request, obj, form, change):
        services.practice_base_save(base=obj, actor=request.user)


class PartyActivityForm(forms.ModelForm):
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
    headcount = forms.IntegerField(label=gettext_lazy("anonymous head-count"), min_value=0, initial=0)

    ACTIVITY_FIELDS = ("title", "community", "starts_at", "ends_at", "place", "headcount")

    class Meta:
        model = PartyActivity
        fields = ["kind", "orgs", "base", "households_served", "summary"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["community"].queryset = station_selectors.community_list_visible_to(user)
        if self.instance.pk:
            for name in self.ACTIVITY_FIELDS:
                self.initial[name] = getattr(self.instance.activity, name)

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            activity = self.instance.activity
        else:
            station = _station_of_user(self.user) or (
                data["community"].station if data.get("community") else None
            )
            if station is None:
                raise ValidationError(_("Choose a community: the activity needs a station."))
            activity = Activity(station=station)
        for name in self.ACTIVITY_FIELDS:
            if name in data:
                setattr(activity, name, data[name] if data[name] is not None or name == "community" else "")
        activity.platform = Activity.Platform.PARTYBUILD
        try:
            activity.full_clean(exclude=["organiser"])
        except ValidationError as exc:
            _apply_to_form(self, exc)
        self.activity = activity
        return data


def _station_of_user(user):
    profile = profile_of(user)
    return profile.station if profile and profile.station_id else None


@admin.register(PartyActivity)
class PartyActivityAdmin(ScopedAdminMixin, PartyFormfieldsMixin, ServiceSaveMixin, admin.ModelAdmin):
    form = PartyActivityForm
    list_display = ["title", "kind", "community", "starts_at", "base"]
    list_filter = ["kind", ("activity__community", ScopedCommunityFilter)]
    list_select_related = ["activity__community", "base"]
    search_fields = ["activity__title", "summary"]
    filter_horizontal = ["orgs", "households_served"]
    fieldsets = [
        (None, {"fields": ["kind", "title", "community", "starts_at", "ends_at", "place", "headcount"]}),
        (gettext_lazy("Party building"), {"fields": ["orgs", "base", "households_served", "summary"]}),
    ]

    def scope(self, request, queryset):
        return selectors.party_activity_list_visible_to(request.user, queryset)

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
        return obj.activity.community or "—"

    @admin.display(description=gettext_lazy("starts at"), ordering="activity__starts_at")
    def starts_at(self, obj):
        return obj.activity.starts_at

    def save_model(self, request, obj, form, change):
        self._orgs = form.cleaned_data.get("orgs") or []
        services.party_activity_save(
            party_activity=obj, activity=form.activity, orgs=self._orgs, actor=request.user
        )

    def save_related(self, request, form, formsets, change):
        form.instance.households_served.set(form.cleaned_data.get("households_served") or [])
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class CourseSessionInline(admin.TabularInline):
    model = CourseSession
    extra = 1
    fields = ["starts_at", "ends_at", "length", "teacher", "topic", "study_hours"]
    readonly_fields = ["study_hours"]
    can_delete = False


@admin.register(Course)
class CourseAdmin(
    ScopedAdminMixin, PartyFormfieldsMixin, StationDefaultMixin, ServiceSaveMixin, admin.ModelAdmin
):
    list_display = ["title", "audience", "teacher"]
    list_filter = ["audience"]
    search_fields = ["title", "teacher"]
    inlines = [CourseSessionInline]

    def scope(self, request, queryset):
        return selectors.course_list_visible_to(request.user, queryset)

    def save_service(self, request, obj, form, change):
        services.course_save(course=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not CourseSession:
            return super().save_formset(request, form, formset, change)
        for session in formset.save(commit=False):
            session.course = form.instance
            services.course_session_save(session=session, actor=request.user)


@admin.register(CourseAttendance)
class CourseAttendanceAdmin(ScopedAdminMixin, PartyFormfieldsMixin, admin.ModelAdmin):
    list_display = ["person", "session", "study_hours"]
    list_select_related = ["person", "session__course"]
    search_fields = ["person__name", "session__course__title"]
    autocomplete_fields = ["person"]

    def scope(self, request, queryset):
        return selectors.course_attendance_list_visible_to(request.user, queryset)

    @admin.display(description=gettext_lazy("study hours"))
    def study_hours(self, obj):
        return obj.session.study_hours

    def save_model(self, request, obj, form, change):
        services.course_attend(session=obj.session, people=[obj.person], actor=request.user)
        saved = CourseAttendance.objects.get(session=obj.session, person=obj.person)
        obj.pk = saved.pk

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


# Quarterly sheets ------------------------------------------------------------------------------------------------


@admin.register(QuarterlySheet)
class QuarterlySheetAdmin(ScopedAdminMixin, ScopedImportExportMixin, ExportMixin, admin.ModelAdmin):
    resource_classes = [QuarterlySheetResource]
    list_display = ["__str__", "year", "quarter", "status", "sent_on", "acknowledged_on", "print_link"]
    list_filter = ["status", "year", "quarter"]
    list_select_related = ["member__person", "unit"]
    search_fields = ["member__person__name", "unit__name"]
    fields = [
        "member",
        "unit",
        "year",
        "quarter",
        "status",
        "figures_table",
        "comment",
        "sent_on",
        "acknowledged_on",
    ]
    readonly_fields = [
        "member",
        "unit",
        "year",
        "quarter",
        "status",
        "figures_table",
        "sent_on",
        "acknowledged_on",
    ]
    actions = ["send", "acknowledge"]

    def scope(self, request, queryset):
        return selectors.sheet_list_visible_to(request.user, queryset)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != QuarterlySheet.Status.DRAFT:
            return [*self.readonly_fields, "comment"]
        return self.readonly_fields

    @admin.display(description=gettext_lazy("figures"))
    def figures_table(self, obj):
        return format_html_join(
            mark_safe("<br>"), "{}：{}", ((FIGURE_LABELS.get(k, k), v) for k, v in obj.figures.items())
        )

    @admin.display(description=gettext_lazy("printable page"))
    def print_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:partybuild_quarterlysheet_print", args=[obj.pk]), _("print")
        )

    def save_model(self, request, obj, form, change):
        services.sheet_comment(sheet=obj, comment=obj.comment, actor=request.user)

    def _changeform_view(self, request, object_id, form_url, extra_context):
        try:
            return super()._changeform_view(request, object_id, form_url, extra_context)
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, " ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def get_urls(self):
        return [
            path(
                "<path:object_id>/print/",
                self.admin_site.admin_view(self.print_view),
                name="partybuild_quarterlysheet_print",
            ),
            *super().get_urls(),
        ]

    def print_view(self, request, object_id):
        self._require_in_scope(request, object_id)
        sheet = (
            self.get_queryset(request).select_related("member__person", "unit", "station").get(pk=object_id)
        )
        rows = [(FIGURE_LABELS.get(k, k), v) for k, v in sheet.figures.items()]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Quarterly report %(sheet)s") % {"sheet": sheet},
            "opts": self.model._meta,
            "sheet": sheet,
            "rows": rows,
        }
        return TemplateResponse(request, "partybuild/admin/sheet_print.html", context)

    def _move(self, request, queryset, service, done_message):
        bulk_apply(request, queryset, lambda sheet: service(sheet=sheet, actor=request.user), done_message)

    @admin.action(description=gettext_lazy("Mark the selected sheets sent to the unit"))
    def send(self, request, queryset):
        self._move(request, queryset, services.sheet_send, _("%(n)d sheets sent."))

    @admin.action(description=gettext_lazy("Mark the selected sheets acknowledged by the unit"))
    def acknowledge(self, request, queryset):
        self._move(request, queryset, services.sheet_acknowledge, _("%(n)d sheets acknowledged."))


FIGURE_LABELS = {
    "members": gettext_lazy("reporting members"),
    "hours": gettext_lazy("hours served"),
    "posts": gettext_lazy("posts held"),
    "needs_met": gettext_lazy("needs met"),
    "party_days": gettext_lazy("themed party days attended"),
    "course_sessions": gettext_lazy("course sessions attended"),
    "study_hours": gettext_lazy("study hours"),
}
