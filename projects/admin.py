"""The project platform in the admin (Chinese): every save and action goes through projects.services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportExportMixin

from station import selectors as station_selectors
from station.admin import (
    ScopedAdminMixin,
    ScopedCommunityFilter,
    ScopedFormfieldsMixin,
    ScopedImportExportMixin,
    bulk_apply,
)
from station.models import Activity, PartnerUnit, Rubric
from station.roles import STATION_STAFF_ROLES, profile_of

from . import selectors, services
from .models import (
    Application,
    Assignment,
    Beneficiary,
    BudgetLine,
    Contest,
    ContestRound,
    Entry,
    Evaluation,
    Judge,
    Milestone,
    Outcome,
    PrizeTier,
    Project,
    ProjectActivity,
    Resource,
    Tranche,
)
from .resources import BeneficiaryResource, ProjectResource, ResourceResource


def _say(request, exc):
    messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))


def _station_of(request):
    profile = profile_of(request.user)
    return profile.station if profile else None


class ProjectFormfieldsMixin(ScopedFormfieldsMixin):
    """Choices limited to what the user may see: partner units, projects, staff, rubrics, judges."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        model = db_field.related_model
        user = request.user
        if model is PartnerUnit:
            kwargs["queryset"] = station_selectors.partner_unit_list_visible_to(user)
        elif model is Project:
            kwargs["queryset"] = selectors.project_list_visible_to(user)
        elif model is Rubric:
            kwargs["queryset"] = station_selectors.rubric_list_visible_to(user)
        elif model is Contest:
            kwargs["queryset"] = selectors.contest_list_visible_to(user)
        elif model is Judge:
            kwargs["queryset"] = selectors.station_scoped(Judge, user, "station_id")
        elif model is Entry:
            kwargs["queryset"] = selectors.entry_list_visible_to(user).select_related("application", "round")
        elif model is ContestRound:
            kwargs["queryset"] = selectors.station_scoped(ContestRound, user, "contest__station_id")
        elif db_field.name == "lead_worker":
            kwargs["queryset"] = station_selectors.station_staff_users(
                station_selectors.station_ids_for(user), roles=STATION_STAFF_ROLES
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "communities":
            kwargs["queryset"] = station_selectors.community_list_visible_to(request.user)
        if db_field.name == "needs":
            from station.models import Need

            kwargs["queryset"] = Need.objects.filter(
                person__in=station_selectors.person_list_visible_to(request.user)
            ).select_related("person")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class StationDefaultMixin:
    """A new record's station is the user's own."""

    def get_changeform_initial_data(self, request):
        station = _station_of(request)
        initial = super().get_changeform_initial_data(request)
        if station is not None:
            initial.setdefault("station", station.pk)
        return initial


# ---------------------------------------------------------------- projects


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    extra = 0
    fields = ["item", "planned", "spent"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["title", "due_on", "reported_on", "report"]


class OutcomeInline(admin.TabularInline):
    model = Outcome
    extra = 0
    fields = ["label", "measure", "unit", "target", "achieved_typed"]


class TrancheInline(admin.TabularInline):
    model = Tranche
    extra = 0
    fields = ["number", "amount", "after_stage", "status", "released_on", "approved_by"]
    readonly_fields = ["status", "released_on", "approved_by"]


@admin.register(Project)
class ProjectAdmin(
    ScopedAdminMixin,
    ProjectFormfieldsMixin,
    StationDefaultMixin,
    ScopedImportExportMixin,
    ImportExportMixin,
    admin.ModelAdmin,
):
    resource_classes = [ProjectResource]
    list_display = [
        "title",
        "origin",
        "category",
        "community_names",
        "status",
        "lead_worker",
        "runner",
        "page_link",
    ]
    list_filter = ["status", "origin", "category", ("communities", ScopedCommunityFilter)]
    list_select_related = ["lead_worker", "runner_partner"]
    search_fields = ["title", "runner_name", "runner_partner__name"]
    readonly_fields = ["status", "status_changed_on", "termination_reason", "amount_recovered", "page_link"]
    filter_horizontal = ["needs", "communities"]
    inlines = [BudgetLineInline, MilestoneInline, OutcomeInline, TrancheInline]
    fieldsets = [
        (None, {"fields": ["station", "title", "origin", "introduced_from", "introduced_on", "category"]}),
        (
            gettext_lazy("problem and people"),
            {"fields": ["problem", "needs", "communities", "target_groups"]},
        ),
        (
            gettext_lazy("who runs it"),
            {
                "fields": [
                    "runner_partner",
                    "runner_name",
                    "lead_worker",
                    "starts_on",
                    "ends_on",
                    "report_rhythm",
                ]
            },
        ),
        (
            gettext_lazy("status"),
            {
                "fields": [
                    "status",
                    "status_changed_on",
                    "termination_reason",
                    "amount_recovered",
                    "page_link",
                ]
            },
        ),
    ]
    actions = ["approve_selected", "start_selected", "closing_selected", "close_selected"]

    def scope(self, request, queryset):
        return selectors.project_list_visible_to(request.user, queryset).prefetch_related("communities")

    @admin.display(description=gettext_lazy("communities"))
    def community_names(self, obj):
        return "、".join(c.name for c in obj.communities.all()) or _("station-wide")

    @admin.display(description=gettext_lazy("run by"))
    def runner(self, obj):
        return obj.runner

    @admin.display(description=gettext_lazy("project page"))
    def page_link(self, obj):
        if not obj.pk:
            return ""
        return format_html(
            '<a href="{}">{}</a>', reverse("projects:project_detail", args=[obj.pk]), _("open")
        )

    def save_model(self, request, obj, form, change):
        saved = services.project_save(
            project=obj,
            actor=request.user,
            needs=form.cleaned_data.get("needs"),
            communities=form.cleaned_data.get("communities"),
        )
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        form.save_m2m = lambda: None  # the needs and communities were set by the service
        super().save_related(request, form, formsets, change)

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            try:
                if isinstance(instance, BudgetLine):
                    services.budget_line_save(line=instance, actor=request.user)
                elif isinstance(instance, Milestone):
                    services.milestone_save(milestone=instance, actor=request.user)
                elif isinstance(instance, Outcome):
                    services.outcome_save(outcome=instance, actor=request.user)
                elif isinstance(instance, Tranche):
                    services.tranche_plan(tranche=instance, actor=request.user)
            except (ValidationError, PermissionDenied) as exc:
                _say(request, exc)
        for obj in formset.deleted_objects:
            if isinstance(obj, Tranche) and obj.status != Tranche.Status.PLANNED:
                messages.error(request, _("A tranche asked for or released is kept."))
                continue
            obj.delete()

    def _move(self, request, queryset, to):
        def done(n):
            return _("%(n)d projects moved to %(s)s.") % {"n": n, "s": Project.Status(to).label}

        bulk_apply(
            request, queryset, lambda p: services.project_move(project=p, to=to, actor=request.user), done
        )

    @admin.action(description=gettext_lazy("Approve the selected projects"))
    def approve_selected(self, request, queryset):
        self._move(request, queryset, Project.Status.APPROVED)

    @admin.action(description=gettext_lazy("Start the selected projects"))
    def start_selected(self, request, queryset):
        self._move(request, queryset, Project.Status.RUNNING)

    @admin.action(description=gettext_lazy("Move the selected projects to closing"))
    def closing_selected(self, request, queryset):
        self._move(request, queryset, Project.Status.CLOSING)

    @admin.action(description=gettext_lazy("Close the selected projects"))
    def close_selected(self, request, queryset):
        self._move(request, queryset, Project.Status.CLOSED)


class ProjectActivityForm(forms.ModelForm):
    title = forms.CharField(label=gettext_lazy("title"), max_length=200)
    starts_at = forms.DateTimeField(label=gettext_lazy("starts at"))
    ends_at = forms.DateTimeField(label=gettext_lazy("ends at"))
    place = forms.CharField(label=gettext_lazy("place"), max_length=200, required=False)
    headcount = forms.IntegerField(label=gettext_lazy("anonymous head-count"), min_value=0, initial=0)

    class Meta:
        model = ProjectActivity
        fields = ["project", "kind", "reach"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        activity = getattr(self.instance, "activity", None) if self.instance.pk else None
        if activity is not None:
            for name in ("title", "starts_at", "ends_at", "place", "headcount"):
                self.fields[name].initial = getattr(activity, name)

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] < data["starts_at"]:
            raise ValidationError({"ends_at": _("An activity cannot end before it starts.")})
        return data


@admin.register(ProjectActivity)
class ProjectActivityAdmin(ScopedAdminMixin, ProjectFormfieldsMixin, admin.ModelAdmin):
    form = ProjectActivityForm
    list_display = ["activity", "project", "kind", "reach", "starts"]
    list_filter = ["kind"]
    list_select_related = ["activity", "project"]
    search_fields = ["activity__title", "project__title"]

    def scope(self, request, queryset):
        return selectors.project_activity_list_visible_to(request.user, queryset)

    @admin.display(description=gettext_lazy("starts at"), ordering="activity__starts_at")
    def starts(self, obj):
        return obj.activity.starts_at

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        activity = obj.activity if change else Activity()
        for name in ("title", "starts_at", "ends_at", "place", "headcount"):
            setattr(activity, name, data[name])
        link = services.project_activity_record(
            project=data["project"],
            activity=activity,
            actor=request.user,
            kind=data["kind"],
            reach=data["reach"],
        )
        obj.pk = link.pk


@admin.register(Beneficiary)
class BeneficiaryAdmin(ScopedAdminMixin, ScopedImportExportMixin, ImportExportMixin, admin.ModelAdmin):
    """The people at the projects' service activities; sign-in sheets come in through the Excel import."""

    resource_classes = [BeneficiaryResource]
    list_display = ["person", "activity", "project", "starts"]
    list_select_related = ["person", "activity__project_link__project"]
    search_fields = ["person__name", "activity__title", "activity__project_link__project__title"]
    autocomplete_fields = ["person"]
    fields = ["activity", "person"]

    def scope(self, request, queryset):
        return selectors.beneficiary_list_visible_to(request.user, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "activity":
            kwargs["queryset"] = Activity.objects.filter(
                project_link__in=selectors.project_activity_list_visible_to(request.user).filter(
                    kind=ProjectActivity.Kind.SERVICE
                )
            ).order_by("-starts_at")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("project"))
    def project(self, obj):
        link = getattr(obj.activity, "project_link", None)
        return link.project if link else ""

    @admin.display(description=gettext_lazy("starts at"), ordering="activity__starts_at")
    def starts(self, obj):
        return obj.activity.starts_at

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def import_action(self, request, *args, **kwargs):
        if request.method == "GET":
            messages.info(
                request,
                _(
                    "One row per person, as on a sign-in sheet: the project's title, the activity's title and "
                    "date, the person's name and phone number (to tell namesakes apart). An activity of that "
                    "title on that date is created for the project when it is not recorded yet (correct its "
                    "times afterwards under project activities). Put people who came but were not named in "
                    "the head-count column, on a row of their own or beside a name. Nothing is saved when "
                    "any row is wrong; the errors name the Excel row."
                ),
            )
        return super().import_action(request, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        try:
            saved = services.beneficiary_record(
                link=obj.activity.project_link, person=obj.person, actor=request.user
            )
        except (ValidationError, PermissionDenied) as exc:
            _say(request, exc)
            return
        obj.pk = saved.pk


@admin.register(Resource)
class ResourceAdmin(
    ScopedAdminMixin,
    ProjectFormfieldsMixin,
    StationDefaultMixin,
    ScopedImportExportMixin,
    ImportExportMixin,
    admin.ModelAdmin,
):
    resource_classes = [ResourceResource]
    list_display = ["on", "direction", "kind", "partner", "description", "quantity", "amount", "project"]
    list_filter = ["direction", "kind", "on"]
    list_select_related = ["partner", "project"]
    search_fields = ["partner__name", "description", "project__title", "recipient"]
    autocomplete_fields = ["person"]
    date_hierarchy = "on"
    fields = ["station", "direction", "kind", "partner", "on", "project", "need", "person", "recipient",
              "description", "quantity", "amount", "note"]  # fmt: skip

    def scope(self, request, queryset):
        return selectors.resource_list_visible_to(request.user, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "need":
            from station.models import Need

            kwargs["queryset"] = Need.objects.filter(
                person__in=station_selectors.person_list_visible_to(request.user)
            ).select_related("person")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = services.resource_record(resource=obj, actor=request.user)
        obj.pk = saved.pk


@admin.register(Evaluation)
class EvaluationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["project", "stage", "evaluated_on", "total", "passed", "evaluator"]
    list_filter = ["stage", "passed"]
    list_select_related = ["project", "evaluator"]
    search_fields = ["project__title"]

    def scope(self, request, queryset):
        return queryset.filter(project__in=selectors.project_list_visible_to(request.user))

    def has_add_permission(self, request):
        return False  # scored on the project page, criterion by criterion

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Tranche)
class TrancheAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["project", "number", "amount", "after_stage", "status", "requested_by", "approved_by",
                    "released_on"]  # fmt: skip
    list_filter = ["status", "after_stage"]
    list_select_related = ["project", "requested_by", "approved_by"]
    search_fields = ["project__title"]
    actions = ["request_selected", "release_selected"]

    def scope(self, request, queryset):
        return queryset.filter(project__in=selectors.project_list_visible_to(request.user))

    def has_add_permission(self, request):
        return False  # planned on the project's page in the admin

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def _each(self, request, queryset, func, done_message):
        bulk_apply(
            request,
            queryset.select_related("project"),
            lambda tranche: func(tranche=tranche, actor=request.user),
            done_message,
        )

    @admin.action(description=gettext_lazy("Ask for the release of the selected tranches"))
    def request_selected(self, request, queryset):
        self._each(request, queryset, services.tranche_request, _("%(n)d releases asked for."))

    @admin.action(description=gettext_lazy("Approve and release the selected tranches"))
    def release_selected(self, request, queryset):
        self._each(request, queryset, services.tranche_release, _("%(n)d tranches released."))


# ---------------------------------------------------------------- contests


class PrizeTierInline(admin.TabularInline):
    model = PrizeTier
    extra = 0
    fields = ["order", "name", "places", "amount"]


class ContestRoundInline(admin.TabularInline):
    model = ContestRound
    extra = 0
    fields = ["order", "name", "rubric", "deadline"]
    readonly_fields = ["order", "name", "rubric", "deadline"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Contest)
class ContestAdmin(ScopedAdminMixin, ProjectFormfieldsMixin, StationDefaultMixin, admin.ModelAdmin):
    list_display = ["title", "budget", "status", "drop_extremes", "results_link"]
    list_filter = ["status"]
    search_fields = ["title"]
    inlines = [ContestRoundInline, PrizeTierInline]
    readonly_fields = ["results_link"]

    def scope(self, request, queryset):
        return selectors.contest_list_visible_to(request.user, queryset)

    @admin.display(description=gettext_lazy("results"))
    def results_link(self, obj):
        if not obj.pk:
            return ""
        return format_html(
            '<a href="{}">{}</a>', reverse("projects:contest_results", args=[obj.pk]), _("results page")
        )

    def save_model(self, request, obj, form, change):
        services._require_staff(request.user, obj.station_id)
        obj.full_clean()
        obj.save()


class ContestRoundForm(forms.ModelForm):
    template = forms.ModelChoiceField(
        label=gettext_lazy("rubric"),
        queryset=Rubric.objects.none(),
        required=False,
        help_text=gettext_lazy("The round gets its own copy of this rubric."),
    )

    class Meta:
        model = ContestRound
        fields = ["contest", "name", "deadline"]


@admin.register(ContestRound)
class ContestRoundAdmin(ScopedAdminMixin, ProjectFormfieldsMixin, admin.ModelAdmin):
    form = ContestRoundForm
    list_display = ["contest", "order", "name", "rubric", "deadline"]
    list_select_related = ["contest", "rubric"]
    search_fields = ["name", "contest__title"]

    def scope(self, request, queryset):
        return selectors.station_scoped(ContestRound, request.user, "contest__station_id", queryset)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["template"].queryset = station_selectors.rubric_list_visible_to(request.user).filter(
            purpose=Rubric.Purpose.CONTEST
        )
        return form

    def get_fields(self, request, obj=None):
        return ["contest", "name", "deadline"] + ([] if obj else ["template"])

    def get_readonly_fields(self, request, obj=None):
        return ["contest", "rubric"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            obj.full_clean()
            obj.save(update_fields=["name", "deadline"])
            return
        created = services.contest_round_add(
            contest=obj.contest, name=obj.name, actor=request.user, rubric=form.cleaned_data.get("template"),
            deadline=obj.deadline,
        )  # fmt: skip
        obj.pk = created.pk


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = ["contest", "title", "applicant_partner", "applicant_name", "leader_name", "community", "category",
                  "proposal", "budget_asked", "attachment"]  # fmt: skip

    def clean(self):
        data = super().clean()
        contest = data.get("contest")
        if self.instance.pk is None and contest is not None:
            first = contest.rounds.order_by("order").first()
            if first is None:
                raise ValidationError({"contest": _("The contest has no rounds yet.")})
            if contest.status != Contest.Status.OPEN:
                raise ValidationError({"contest": _("The contest no longer takes applications.")})
        if not data.get("applicant_partner") and not (data.get("applicant_name") or "").strip():
            raise ValidationError({"applicant_name": _("Name the applicant, or choose a partner unit.")})
        return data

    def _post_clean(self):
        if self.instance.pk is None and self.cleaned_data.get("contest") is not None:
            self.instance.current_round = self.cleaned_data["contest"].rounds.order_by("order").first()
        if self.cleaned_data.get("applicant_partner") is not None:
            self.instance.applicant_name = self.cleaned_data["applicant_partner"].name
        super()._post_clean()


@admin.register(Application)
class ApplicationAdmin(ScopedAdminMixin, ProjectFormfieldsMixin, admin.ModelAdmin):
    form = ApplicationForm
    list_display = ["title", "contest", "applicant_name", "leader_name", "budget_asked", "current_round", "status",
                    "project"]  # fmt: skip
    list_filter = ["status", "contest"]
    list_select_related = ["contest", "current_round", "project"]
    search_fields = ["title", "applicant_name", "leader_name"]
    actions = ["make_projects"]

    def scope(self, request, queryset):
        return selectors.application_list_visible_to(request.user, queryset)

    def get_fields(self, request, obj=None):
        fields = ["contest", "title", "applicant_partner", "applicant_name", "leader_name", "community", "category",
                  "proposal", "budget_asked", "attachment"]  # fmt: skip
        return fields + (["current_round", "status"] if obj else [])

    def get_readonly_fields(self, request, obj=None):
        return ["contest", "current_round", "status"] if obj else []

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "applicant_name" in form.base_fields:
            form.base_fields["applicant_name"].required = False
            form.base_fields["applicant_name"].help_text = _(
                "For a residents' group or a community organisation; a partner unit's name is filled in."
            )
        return form

    def save_model(self, request, obj, form, change):
        if obj.applicant_partner_id:
            obj.applicant_name = obj.applicant_partner.name
        if change:
            services._require_staff(request.user, obj.contest.station_id)
            obj.full_clean()
            obj.save()
            return
        if obj.current_round_id is None:
            obj.current_round = obj.contest.rounds.order_by("order").first()
        saved = services.application_submit(application=obj, actor=request.user)
        obj.pk = saved.pk

    @admin.action(description=gettext_lazy("Make projects of the selected awarded applications"))
    def make_projects(self, request, queryset):
        bulk_apply(
            request,
            queryset,
            lambda application: services.application_to_project(application=application, actor=request.user),
            _("%(n)d projects made."),
        )


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ["judge", "conflict", "conflict_note", "declared_at", "total", "submitted_at"]
    readonly_fields = ["judge", "conflict", "conflict_note", "declared_at", "total", "submitted_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Entry)
class EntryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["application", "round", "score", "rank", "result", "prize", "award_amount", "decided_by",
                    "decided_at"]  # fmt: skip
    list_filter = ["result", "round__contest"]
    list_select_related = ["application", "round__contest", "prize", "decided_by"]
    search_fields = ["application__title", "application__applicant_name"]
    readonly_fields = ["application", "round", "score", "rank", "result", "prize", "award_amount", "decided_by",
                       "decided_at", "decision_note"]  # fmt: skip
    inlines = [AssignmentInline]
    actions = ["rank_rounds", "advance_selected", "award_selected", "out_selected"]

    def scope(self, request, queryset):
        return selectors.entry_list_visible_to(request.user, queryset)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(
        description=gettext_lazy("Compute the means and the ranking of the selected entries' rounds")
    )
    def rank_rounds(self, request, queryset):
        for contest_round in {e.round for e in queryset.select_related("round__contest")}:
            try:
                services.round_rank(contest_round=contest_round, actor=request.user)
                messages.success(request, _("%(round)s ranked.") % {"round": contest_round})
            except (ValidationError, PermissionDenied) as exc:
                _say(request, exc)

    def _decide(self, request, queryset, result, prize_for=None):
        def decide(entry):
            prize = prize_for(entry) if prize_for else None
            services.entry_decide(entry=entry, result=result, actor=request.user, prize=prize)

        entries = queryset.select_related("round__contest", "application").order_by("rank", "pk")
        bulk_apply(request, entries, decide, _("%(n)d entries decided."))

    @admin.action(description=gettext_lazy("Advance the selected entries to the next round"))
    def advance_selected(self, request, queryset):
        self._decide(request, queryset, Entry.Result.ADVANCED)

    @admin.action(description=gettext_lazy("Award the selected entries the prize the ranking suggests"))
    def award_selected(self, request, queryset):
        plans = {}

        def prize_for(entry):
            if entry.round_id not in plans:
                plans[entry.round_id] = dict((e.pk, tier) for e, tier in services.award_plan(entry.round))
            tier = plans[entry.round_id].get(entry.pk)
            if tier is None:
                raise ValidationError(_("No prize within the budget for this rank (rank the round first)."))
            return tier

        self._decide(request, queryset, Entry.Result.AWARDED, prize_for)

    @admin.action(description=gettext_lazy("Mark the selected entries as not selected"))
    def out_selected(self, request, queryset):
        self._decide(request, queryset, Entry.Result.OUT)


class JudgeForm(forms.ModelForm):
    username = forms.CharField(label=gettext_lazy("sign-in name"), max_length=150, required=False)
    password = forms.CharField(
        label=gettext_lazy("password"), widget=forms.PasswordInput, required=False, min_length=8
    )

    class Meta:
        model = Judge
        fields = ["station", "name", "affiliation", "person"]

    def clean_username(self):
        from django.contrib.auth import get_user_model

        username = (self.cleaned_data.get("username") or "").strip()
        if username and get_user_model().objects.filter(username=username).exists():
            raise ValidationError(_("Choose a sign-in name nobody uses yet."))
        return username


@admin.register(Judge)
class JudgeAdmin(ScopedAdminMixin, ProjectFormfieldsMixin, StationDefaultMixin, admin.ModelAdmin):
    form = JudgeForm
    list_display = ["name", "affiliation", "user", "person"]
    search_fields = ["name", "affiliation", "user__username"]
    list_select_related = ["user", "person"]
    autocomplete_fields = ["person"]

    def scope(self, request, queryset):
        return selectors.station_scoped(Judge, request.user, "station_id", queryset)

    def get_fields(self, request, obj=None):
        return ["station", "name", "affiliation", "person"] + ([] if obj else ["username", "password"])

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None:
            form.base_fields["username"].required = True
            form.base_fields["password"].required = True
        return form

    def save_model(self, request, obj, form, change):
        if change:
            obj.full_clean()
            obj.save()
            return
        judge = services.judge_create(
            station=obj.station, name=obj.name, username=form.cleaned_data["username"],
            password=form.cleaned_data["password"], actor=request.user, person=obj.person,
            affiliation=obj.affiliation,
        )  # fmt: skip
        obj.pk, obj.user_id = judge.pk, judge.user_id


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["judge", "entry"]

    def clean(self):
        data = super().clean()
        judge, entry = data.get("judge"), data.get("entry")
        if judge and entry:
            if judge.station_id != entry.round.contest.station_id:
                raise ValidationError({"judge": _("This judge belongs to another station.")})
            if entry.round.rubric_id is None:
                raise ValidationError({"entry": _("Give the round a rubric before assigning judges.")})
        return data


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdminMixin, ProjectFormfieldsMixin, admin.ModelAdmin):
    form = AssignmentForm
    list_display = ["judge", "entry", "conflict", "declared_at", "total", "submitted_at"]
    list_filter = ["conflict", "entry__round__contest"]
    list_select_related = ["judge", "entry__application", "entry__round__contest"]
    search_fields = ["judge__name", "entry__application__title"]

    def scope(self, request, queryset):
        return selectors.station_scoped(
            Assignment, request.user, "entry__round__contest__station_id", queryset
        )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["judge", "entry"]
        return ["judge", "entry", "conflict", "conflict_note", "declared_at", "total", "submitted_at"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        saved = services.assignment_create(judge=obj.judge, entry=obj.entry, actor=request.user)
        obj.pk = saved.pk
