"""The incubation platform in the admin: organisations with their members and path, the filing workflow,
stages, the needs survey, activities and trainings, capacity scoring and annual reviews. Every save goes
through ``orgs.services``; a refused step is a form error, never a 500."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportExportMixin

from projects import selectors as project_selectors
from station import selectors as station_selectors
from station.admin import (
    ScopedAdminMixin,
    ScopedCommunityFilter,
    ScopedFormfieldsMixin,
    ScopedImportExportMixin,
    bulk_apply,
)
from station.models import Activity
from station.roles import is_station_staff, profile_of

from . import selectors, services
from .models import (
    AnnualReview,
    AssessmentScore,
    CapacityAssessment,
    CommunityOrg,
    Filing,
    Membership,
    NeedsSurvey,
    OrgActivity,
    Stage,
    StageMove,
)
from .resources import MembershipResource, OrgResource


class _Rollback(Exception):
    pass


def try_service(form, call):
    """Run a service in a transaction that is always rolled back: its refusals become the form's errors."""
    try:
        with transaction.atomic():
            call()
            raise _Rollback
    except _Rollback:
        pass
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc.messages)
    except PermissionDenied as exc:
        form.add_error(None, str(exc))


def _station_of(user, obj=None):
    if obj is not None and getattr(obj, "station_id", None):
        return obj.station
    profile = profile_of(user)
    return profile.station if profile and profile.station_id else None


class WithUserForm(forms.ModelForm):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user


class UserFormMixin:
    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class WithUser(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, user=request.user, **kw)

        return WithUser


# ---------------------------------------------------------------- stages


@admin.register(Stage)
class StageAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "order", "checklist_short", "graduates", "station"]
    list_select_related = ["station"]
    fields = ["station", "name", "order", "checklist", "graduates"]

    def scope(self, request, queryset):
        return selectors.stage_list_visible_to(request.user, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "station":
            kwargs["queryset"] = station_selectors.station_list_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("checklist"))
    def checklist_short(self, obj):
        return "；".join(obj.checklist_items)

    def save_model(self, request, obj, form, change):
        services.stage_save(stage=obj, actor=request.user)


# ---------------------------------------------------------------- organisations


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    fields = ["person", "role", "joined_on", "left_on"]
    autocomplete_fields = ["person"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "person":
            kwargs["queryset"] = station_selectors.person_list_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


class StageMoveInline(admin.TabularInline):
    model = StageMove
    extra = 0
    fields = ["moved_at", "kind", "from_stage", "to_stage", "done", "reason", "moved_by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("from_stage", "to_stage", "moved_by")


class OrgForm(WithUserForm):
    MOVES = [
        ("", "—"),
        ("start", gettext_lazy("enter incubation")),
        ("advance", gettext_lazy("move to the next stage")),
        ("exit", gettext_lazy("leave incubation (退出)")),
    ]
    checked_items = forms.MultipleChoiceField(
        label=gettext_lazy("checklist items done"), required=False, widget=forms.CheckboxSelectMultiple
    )
    move = forms.ChoiceField(label=gettext_lazy("incubation step"), choices=MOVES, required=False)
    move_note = forms.CharField(
        label=gettext_lazy("what was done, or the reason for leaving"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = CommunityOrg
        fields = [
            "name", "category", "led_by", "community", "communities_served", "founded_on", "venue", "rhythm",
            "party_link", "charter", "roster", "worker", "tier", "loose_since", "credit_code", "registered_on",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        org = self.instance
        if "checked_items" in self.fields:
            items = org.stage.checklist_items if org.pk and org.stage_id else []
            self.fields["checked_items"].choices = [(i, i) for i in items]
            self.initial["checked_items"] = org.stage_checked if org.pk else []
        if "tier" in self.fields:
            # Filing is the workflow's job: the form sets loose or registered only.
            self.fields["tier"].choices = [
                c for c in self.fields["tier"].choices if c[0] != CommunityOrg.Tier.FILED or org.tier == c[0]
            ]

    def clean(self):
        data = super().clean()
        org = self.instance
        move, note = data.get("move"), (data.get("move_note") or "").strip()
        if move and move != "start" and not org.pk:
            self.add_error("move", _("Save the organisation first."))
        elif move == "advance":

            def advance():
                services.stage_check(org=org, items=data.get("checked_items") or [], actor=self.user)
                services.stage_advance(org=org, done=note, actor=self.user)

            try_service(self, advance)
        elif move == "exit":
            try_service(self, lambda: services.incubation_exit(org=org, reason=note, actor=self.user))
        elif move == "start" and org.pk and org.incubation == CommunityOrg.Incubation.IN_PROGRESS:
            self.add_error("move", _("%(org)s is already in incubation.") % {"org": org.name})
        return data


@admin.register(CommunityOrg)
class CommunityOrgAdmin(
    ScopedAdminMixin,
    ScopedFormfieldsMixin,
    UserFormMixin,
    ScopedImportExportMixin,
    ImportExportMixin,
    admin.ModelAdmin,
):
    form = OrgForm
    resource_classes = [OrgResource]
    change_list_template = "orgs/org_change_list.html"
    list_display = ["name", "category", "tier", "incubation", "stage", "community", "member_count"]
    list_filter = ["tier", "category", "incubation", ("community", ScopedCommunityFilter)]
    list_select_related = ["stage", "community"]
    search_fields = ["name", "filing_number", "credit_code"]
    autocomplete_fields = []
    inlines = [MembershipInline, StageMoveInline]
    readonly_fields = ["filing_number", "filed_on", "incubation", "stage", "stage_since", "exit_reason",
                       "leader_paths", "assessment_history", "print_link", "projects_run"]  # fmt: skip
    actions = ["open_filing"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["name", "category", "led_by", "community", "communities_served", "founded_on",
                               "venue", "rhythm", "party_link", "worker"]}),
            (_("Evidence"), {"fields": ["charter", "roster"]}),
            (_("Legal standing"), {"fields": ["tier", "loose_since", "filing_number", "filed_on", "credit_code",
                                              "registered_on", "print_link"]}),
            (_("Incubation"), {"fields": ["incubation", "stage", "stage_since", "exit_reason", "checked_items",
                                          "move", "move_note"]}),
        ]  # fmt: skip
        if obj is not None:
            fieldsets.append((_("Leaders and capacity"), {"fields": ["leader_paths", "assessment_history"]}))
            fieldsets.append((_("Projects"), {"fields": ["projects_run"]}))
        return fieldsets

    def scope(self, request, queryset):
        return selectors.org_list_visible_to(request.user, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "worker":
            kwargs["queryset"] = station_selectors.station_staff_users(
                station_selectors.station_ids_for(request.user)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("members"))
    def member_count(self, obj):
        return obj.memberships.filter(left_on__isnull=True).count()

    @admin.display(description=gettext_lazy("where the leaders came from"))
    def leader_paths(self, obj):
        rows = []
        for path in selectors.leader_paths(self.request_user, obj):
            if path["volunteer_since"]:
                origin = _("volunteer since %(day)s, %(hours)s hours served") % {
                    "day": path["volunteer_since"], "hours": path["hours"],
                }  # fmt: skip
            else:
                origin = _("not a volunteer")
            rows.append((path["person"].name, origin, _("%(n)d trainings") % {"n": path["trainings"]}))
        if not rows:
            return "—"
        return format_html_join(mark_safe("<br>"), "{}：{}；{}", rows)

    @admin.display(description=gettext_lazy("capacity assessments"))
    def assessment_history(self, obj):
        rows = [
            (a.assessed_on, a.get_occasion_display(), a.total)
            for a in obj.assessments.order_by("assessed_on", "pk")
        ]
        if not rows:
            return "—"
        return format_html_join(mark_safe("<br>"), "{} {}：{}", rows)

    @admin.display(description=gettext_lazy("projects it runs or won through a contest"))
    def projects_run(self, obj):
        projects = project_selectors.project_list_visible_to(
            self.request_user, project_selectors.project_list_for_runner(obj)
        ).order_by("-starts_on", "-pk")
        rows = [
            (
                reverse("projects:project_detail", args=[p.pk]),
                p.title,
                p.get_origin_display(),
                p.get_status_display(),
            )
            for p in projects
        ]
        if not rows:
            return "—"
        return format_html_join(mark_safe("<br>"), '<a href="{}">{}</a>（{}，{}）', rows)

    @admin.display(description=gettext_lazy("filing record"))
    def print_link(self, obj):
        user = self.request_user
        staff = is_station_staff(user) or getattr(user, "is_superuser", False)
        if obj.tier != CommunityOrg.Tier.FILED or not staff:
            return "—"
        return format_html(
            '<a href="{}" target="_blank">{}</a>', reverse("orgs:filing_record", args=[obj.pk]), _("Print")
        )

    def get_form(self, request, obj=None, **kwargs):
        self.request_user = request.user
        return super().get_form(request, obj, **kwargs)

    def changelist_view(self, request, extra_context=None):
        staff = is_station_staff(request.user) or request.user.is_superuser
        return super().changelist_view(request, {**(extra_context or {}), "show_board": staff})

    def save_model(self, request, obj, form, change):
        if not change:
            obj.station = _station_of(request.user) or form.cleaned_data["community"].station
        services.org_save(org=obj, actor=request.user)
        self._pending_move = (form.cleaned_data.get("move"), form.cleaned_data.get("move_note") or "",
                              form.cleaned_data.get("checked_items") or [])  # fmt: skip

    def save_related(self, request, form, formsets, change):
        form.save_m2m()
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
        org = form.instance
        move, note, checked = getattr(self, "_pending_move", ("", "", []))
        if move == "start":
            services.incubation_start(org=org, actor=request.user, done=note)
        elif move == "advance":
            services.stage_check(org=org, items=checked, actor=request.user)
            services.stage_advance(org=org, done=note, actor=request.user)
        elif move == "exit":
            services.incubation_exit(org=org, reason=note, actor=request.user)
        elif org.incubation == CommunityOrg.Incubation.IN_PROGRESS and checked != list(org.stage_checked):
            services.stage_check(org=org, items=checked, actor=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        for membership in formset.save(commit=False):
            membership.org = form.instance
            services.membership_save(membership=membership, actor=request.user)
        for membership in formset.deleted_objects:
            if request.user.has_perm("orgs.delete_membership"):
                membership.delete()

    @admin.action(description=gettext_lazy("Open a filing with the street"))
    def open_filing(self, request, queryset):
        bulk_apply(
            request,
            queryset,
            lambda org: services.filing_open(org=org, actor=request.user),
            _("%(n)d filings opened."),
        )


@admin.register(Membership)
class MembershipAdmin(ScopedAdminMixin, ScopedImportExportMixin, ImportExportMixin, admin.ModelAdmin):
    resource_classes = [MembershipResource]
    list_display = ["person", "org", "role", "joined_on", "left_on"]
    list_filter = ["role", ("org__community", ScopedCommunityFilter)]
    list_select_related = ["person", "org"]
    search_fields = ["person__name", "org__name"]
    autocomplete_fields = ["person", "org"]

    def scope(self, request, queryset):
        return selectors.membership_list_visible_to(request.user, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "person":
            kwargs["queryset"] = station_selectors.person_list_visible_to(request.user)
        elif db_field.name == "org":
            kwargs["queryset"] = selectors.org_list_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.membership_save(membership=obj, actor=request.user)


# ---------------------------------------------------------------- the filing workflow


class FilingForm(WithUserForm):
    STEPS = [
        ("", "—"),
        ("submit", gettext_lazy("submit for the community's review")),
        ("review", gettext_lazy("record the community's review")),
        ("approve", gettext_lazy("record the street's approval")),
        ("return", gettext_lazy("return with a reason")),
    ]
    materials_ticked = forms.MultipleChoiceField(
        label=gettext_lazy("materials on file"), required=False, widget=forms.CheckboxSelectMultiple
    )
    step = forms.ChoiceField(label=gettext_lazy("next step"), choices=STEPS, required=False)
    opinion = forms.CharField(
        label=gettext_lazy("community's opinion"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    number = forms.CharField(label=gettext_lazy("filing number"), required=False, max_length=50)
    approved_on = forms.DateField(
        label=gettext_lazy("filed on"), required=False, widget=admin.widgets.AdminDateWidget
    )
    reason = forms.CharField(label=gettext_lazy("reason for returning"), required=False, max_length=500)

    class Meta:
        model = Filing
        fields = ["org"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["materials_ticked"].choices = list(settings.ORGS_FILING_MATERIALS.items())
        self.initial["materials_ticked"] = self.instance.materials if self.instance.pk else []
        if "org" in self.fields:
            self.fields["org"].queryset = selectors.org_list_visible_to(self.user).filter(
                tier=CommunityOrg.Tier.LOOSE
            )

    def clean(self):
        data = super().clean()
        filing = self.instance
        if not filing.pk:
            if data.get("org"):
                try_service(self, lambda: services.filing_open(org=data["org"], actor=self.user,
                                                              materials=data.get("materials_ticked") or []))  # fmt: skip
            return data
        step = data.get("step")

        def run():
            if filing.status == Filing.Status.DRAFT:
                services.filing_set_materials(
                    filing=filing, materials=data.get("materials_ticked") or [], actor=self.user
                )
            run_step(filing, step, data, self.user)

        try_service(self, run)
        return data


def run_step(filing, step, data, user):
    if step == "submit":
        services.filing_submit(filing=filing, actor=user)
    elif step == "review":
        services.filing_community_review(filing=filing, opinion=data.get("opinion"), actor=user)
    elif step == "approve":
        services.filing_approve(
            filing=filing, number=data.get("number"), filed_on=data.get("approved_on"), actor=user
        )
    elif step == "return":
        services.filing_return(filing=filing, reason=data.get("reason"), actor=user)


@admin.register(Filing)
class FilingAdmin(ScopedAdminMixin, UserFormMixin, admin.ModelAdmin):
    form = FilingForm
    list_display = ["org", "status", "submitted_at", "community_reviewed_at", "decided_at", "filing_number"]
    list_filter = ["status", ("org__community", ScopedCommunityFilter)]
    list_select_related = ["org"]
    search_fields = ["org__name", "filing_number"]
    readonly_fields = ["status", "missing", "submitted_by", "submitted_at", "members_at_submission",
                       "community_opinion", "community_reviewed_by", "community_reviewed_at", "decided_by",
                       "decided_at", "filing_number", "filed_on", "return_reason"]  # fmt: skip

    def scope(self, request, queryset):
        return selectors.filing_list_visible_to(request.user, queryset)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["org", "materials_ticked"]
        fields = ["org", "status", "missing", "materials_ticked"]
        if obj.status not in (Filing.Status.APPROVED, Filing.Status.RETURNED):
            fields += ["step", "opinion", "number", "approved_on", "reason"]
        return fields + [f for f in self.readonly_fields if f not in ("status", "missing")]

    def get_readonly_fields(self, request, obj=None):
        ro = list(self.readonly_fields)
        if obj is not None:
            ro.append("org")
            if obj.status != Filing.Status.DRAFT:
                ro.append("materials_ticked_display")
        return ro

    @admin.display(description=gettext_lazy("still missing"))
    def missing(self, obj):
        return "、".join(services.filing_problems(obj)) or "—"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            form.instance = services.filing_open(
                org=data["org"], actor=request.user, materials=data.get("materials_ticked") or []
            )
            obj.pk = form.instance.pk
            return
        if obj.status == Filing.Status.DRAFT:
            services.filing_set_materials(
                filing=obj, materials=data.get("materials_ticked") or [], actor=request.user
            )
        run_step(obj, data.get("step"), data, request.user)

    def save_related(self, request, form, formsets, change):
        pass


# ---------------------------------------------------------------- needs survey, activities


@admin.register(NeedsSurvey)
class NeedsSurveyAdmin(ScopedAdminMixin, ScopedFormfieldsMixin, admin.ModelAdmin):
    list_display = ["community", "category", "wish", "asked_count", "surveyed_on", "org"]
    list_filter = ["category", ("community", ScopedCommunityFilter)]
    list_select_related = ["community", "org"]
    search_fields = ["wish", "note"]
    fields = ["community", "category", "wish", "asked_count", "surveyed_on", "org", "note"]

    def scope(self, request, queryset):
        return selectors.survey_list_visible_to(request.user, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "org":
            kwargs["queryset"] = selectors.org_list_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.station = obj.community.station
        services.survey_record(survey=obj, actor=request.user)


class OrgActivityForm(WithUserForm):
    title = forms.CharField(label=gettext_lazy("title"), max_length=200)
    community = forms.ModelChoiceField(label=gettext_lazy("community"), queryset=None, required=False)
    starts_at = forms.SplitDateTimeField(
        label=gettext_lazy("starts at"), widget=admin.widgets.AdminSplitDateTime
    )
    ends_at = forms.SplitDateTimeField(label=gettext_lazy("ends at"), widget=admin.widgets.AdminSplitDateTime)
    place = forms.CharField(label=gettext_lazy("place"), max_length=200, required=False)
    headcount = forms.IntegerField(label=gettext_lazy("anonymous head-count"), min_value=0, initial=0)

    ACTIVITY_FIELDS = ("title", "community", "starts_at", "ends_at", "place", "headcount")

    class Meta:
        model = OrgActivity
        fields = ["org", "role", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "community" in self.fields:
            self.fields["community"].queryset = station_selectors.community_list_visible_to(self.user)
        if "org" in self.fields:
            self.fields["org"].queryset = selectors.org_list_visible_to(self.user)
        if self.instance.pk:
            for name in self.ACTIVITY_FIELDS:
                self.initial[name] = getattr(self.instance.activity, name)

    def clean(self):
        data = super().clean()
        activity = self.instance.activity if self.instance.pk else Activity(station=_station_of(self.user))
        if activity.station_id is None:
            raise ValidationError(_("Only the station's staff can do this."))
        for name in self.ACTIVITY_FIELDS:
            if name in data:
                setattr(activity, name, data[name] if data[name] is not None or name == "community" else "")
        activity.platform = Activity.Platform.ORGS
        try:
            activity.full_clean(exclude=["organiser"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        self.activity = activity
        return data


@admin.register(OrgActivity)
class OrgActivityAdmin(ScopedAdminMixin, UserFormMixin, admin.ModelAdmin):
    form = OrgActivityForm
    list_display = ["title", "org", "role", "kind", "starts_at", "person_times"]
    list_filter = ["kind", "role", ("activity__community", ScopedCommunityFilter)]
    list_select_related = ["activity", "org"]
    search_fields = ["activity__title", "org__name"]
    fields = ["org", "role", "kind", "title", "community", "starts_at", "ends_at", "place", "headcount"]

    def scope(self, request, queryset):
        return selectors.org_activity_list_visible_to(request.user, queryset)

    @admin.display(description=gettext_lazy("title"), ordering="activity__title")
    def title(self, obj):
        return obj.activity.title

    @admin.display(description=gettext_lazy("starts at"), ordering="activity__starts_at")
    def starts_at(self, obj):
        return obj.activity.starts_at

    @admin.display(description=gettext_lazy("person-times"))
    def person_times(self, obj):
        return obj.activity.person_times

    def save_model(self, request, obj, form, change):
        services.org_activity_save(org_activity=obj, activity=form.activity, actor=request.user)


# ---------------------------------------------------------------- capacity assessment, annual review


class AssessmentForm(WithUserForm):
    class Meta:
        model = CapacityAssessment
        fields = ["org", "occasion", "assessed_on", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "org" in self.fields:
            self.fields["org"].queryset = selectors.org_list_visible_to(self.user)
        self.rubric = services.capacity_rubric_template()
        self.criteria = list(self.rubric.criteria.all())
        for criterion in self.criteria:
            self.fields[f"score_{criterion.pk}"] = forms.DecimalField(
                label=f"{criterion.label}（≤{criterion.max_score.normalize()}）",
                help_text=criterion.description, required=False, decimal_places=2, max_digits=6,
            )  # fmt: skip

    def scores(self):
        return {c.label: self.cleaned_data.get(f"score_{c.pk}") for c in self.criteria}

    def clean(self):
        data = super().clean()
        if data.get("org"):
            try_service(self, lambda: services.assessment_record(
                org=data["org"], scores=self.scores(), occasion=data.get("occasion") or "intake", actor=self.user,
                rubric=self.rubric, assessed_on=data.get("assessed_on"),
            ))  # fmt: skip
        return data


class ScoreInline(admin.TabularInline):
    model = AssessmentScore
    extra = 0
    fields = ["criterion", "score"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CapacityAssessment)
class CapacityAssessmentAdmin(ScopedAdminMixin, UserFormMixin, admin.ModelAdmin):
    form = AssessmentForm
    list_display = ["org", "occasion", "assessed_on", "total", "assessed_by"]
    list_filter = ["occasion", ("org__community", ScopedCommunityFilter)]
    list_select_related = ["org", "assessed_by"]
    search_fields = ["org__name"]

    def scope(self, request, queryset):
        return selectors.assessment_list_visible_to(request.user, queryset)

    def get_inlines(self, request, obj=None):
        return [ScoreInline] if obj else []

    def get_readonly_fields(self, request, obj=None):
        return ["org", "occasion", "assessed_on", "note", "rubric", "total", "assessed_by"] if obj else []

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        saved = services.assessment_record(
            org=form.cleaned_data["org"], scores=form.scores(), occasion=form.cleaned_data["occasion"],
            actor=request.user, rubric=form.rubric, assessed_on=form.cleaned_data["assessed_on"],
            note=form.cleaned_data.get("note") or "",
        )  # fmt: skip
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        pass


class AnnualReviewForm(WithUserForm):
    class Meta:
        model = AnnualReview
        fields = ["org", "year", "committees_satisfaction", "residents_satisfaction", "units_satisfaction",
                  "assessment", "result", "note"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "org" in self.fields:
            self.fields["org"].queryset = selectors.org_list_visible_to(self.user)
            self.fields["assessment"].queryset = selectors.assessment_list_visible_to(self.user)

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and data.get("org") and data.get("year") and data.get("result"):
            fields = {k: data.get(k) for k in self.Meta.fields}
            try_service(
                self, lambda: services.annual_review_record(review=AnnualReview(**fields), actor=self.user)
            )
        return data


@admin.register(AnnualReview)
class AnnualReviewAdmin(ScopedAdminMixin, UserFormMixin, admin.ModelAdmin):
    form = AnnualReviewForm
    list_display = ["org", "year", "result", "committees_satisfaction", "residents_satisfaction",
                    "units_satisfaction", "activities_count"]  # fmt: skip
    list_filter = ["result", "year", ("org__community", ScopedCommunityFilter)]
    list_select_related = ["org"]
    search_fields = ["org__name"]
    readonly_fields = ["activities_count", "recorded_by", "recorded_at"]

    def scope(self, request, queryset):
        return selectors.annual_review_list_visible_to(request.user, queryset)

    def save_model(self, request, obj, form, change):
        try:
            services.annual_review_record(review=obj, actor=request.user)
        except (ValidationError, PermissionDenied) as exc:  # raced past the form: report, save nothing
            self.message_user(request, "；".join(getattr(exc, "messages", [str(exc)])), messages.ERROR)
