from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ExportMixin, ImportExportMixin

from station import selectors as station_selectors
from station.admin import (
    NeedAdmin,
    ScopedAdminMixin,
    ScopedCommunityFilter,
    ScopedFormfieldsMixin,
    ScopedImportExportMixin,
)
from station.models import Need
from station.roles import STATION_STAFF_ROLES, Role, is_station_head, profile_of

from . import selectors, services
from .models import (
    Case,
    CaseAccessLog,
    CaseApproval,
    CaseNote,
    CaseSession,
    Goal,
    Group,
    GroupSession,
    Visit,
    VisitRequest,
    WatchEntry,
)
from .resources import CaseExportResource, NeedResource, VisitResource

User = get_user_model()

# The needs list lives in station; its Excel format (import of workers' sheets) lives here.
NeedAdmin.resource_classes = [NeedResource]


def station_staff_users(request, roles=STATION_STAFF_ROLES):
    return station_selectors.station_staff_users(station_selectors.station_ids_for(request.user), roles=roles)


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


# ---------------------------------------------------------------- visits and the visit plan


class VisitAdminForm(forms.ModelForm):
    """A visit, and a need found on it, in one form."""

    need_category = forms.ChoiceField(
        label=gettext_lazy("need found"), choices=[("", "—"), *Need.Category.choices], required=False
    )
    need_description = forms.CharField(label=gettext_lazy("what is needed"), max_length=500, required=False)
    need_urgency = forms.ChoiceField(
        label=gettext_lazy("urgency"),
        choices=Need.Urgency.choices,
        initial=Need.Urgency.NORMAL,
        required=False,
    )

    class Meta:
        model = Visit
        fields = ["person", "household", "kind", "worker", "visited_on", "duration_minutes", "findings", "risk",
                  "follow_up_on"]  # fmt: skip

    def clean(self):
        data = super().clean()
        if bool(data.get("need_category")) != bool((data.get("need_description") or "").strip()):
            raise ValidationError(_("To raise a need, choose its category and say what is needed."))
        return data


@admin.register(Visit)
class VisitAdmin(
    ScopedAdminMixin, StaffFormfieldsMixin, ScopedImportExportMixin, ImportExportMixin, admin.ModelAdmin
):
    form = VisitAdminForm
    resource_classes = [VisitResource]
    list_display = ["visited_on", "person", "community", "kind", "worker", "risk", "follow_up_on"]
    list_filter = [
        "kind",
        "risk",
        "follow_up_needed",
        ("person__community", ScopedCommunityFilter),
        "visited_on",
    ]
    list_select_related = ["person__community", "worker"]
    search_fields = ["person__name", "person__phone", "findings"]
    autocomplete_fields = ["person"]
    date_hierarchy = "visited_on"

    def get_fields(self, request, obj=None):
        fields = list(VisitAdminForm.Meta.fields)
        return fields if obj is not None else [*fields, "need_category", "need_description", "need_urgency"]

    def scope(self, request, queryset):
        return selectors.visit_list_visible_to(request.user, queryset)

    @admin.display(description=gettext_lazy("community"), ordering="person__community__name")
    def community(self, obj):
        return obj.person.community

    def get_changeform_initial_data(self, request):
        return {"worker": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        if change:
            obj.follow_up_needed = bool(obj.follow_up_on)
            obj.full_clean()
            obj.save()
            return
        visit = services.visit_record(
            person=obj.person,
            kind=obj.kind,
            actor=request.user,
            worker=obj.worker,
            visited_on=obj.visited_on,
            duration_minutes=obj.duration_minutes,
            findings=obj.findings,
            risk=obj.risk,
            follow_up_on=obj.follow_up_on,
            household=obj.household,
            needs=[
                {
                    "category": form.cleaned_data["need_category"],
                    "description": form.cleaned_data["need_description"],
                    "urgency": form.cleaned_data.get("need_urgency") or Need.Urgency.NORMAL,
                }
            ]
            if form.cleaned_data.get("need_category")
            else [],
        )
        obj.pk = visit.pk


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("visit status")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("overdue"))]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        from .plan import overdue_statuses

        return queryset.filter(pk__in=[s.entry.pk for s in overdue_statuses(queryset)])


@admin.register(WatchEntry)
class WatchEntryAdmin(ScopedAdminMixin, StaffFormfieldsMixin, admin.ModelAdmin):
    list_display = ["person", "community", "tier", "worker", "started_on", "ended_on"]
    list_filter = ["tier", OverdueFilter, ("person__community", ScopedCommunityFilter)]
    list_select_related = ["person__community", "worker"]
    search_fields = ["person__name", "person__phone"]
    autocomplete_fields = ["person"]

    def scope(self, request, queryset):
        return selectors.watch_list_visible_to(request.user, queryset)

    @admin.display(description=gettext_lazy("community"))
    def community(self, obj):
        return obj.person.community

    def save_model(self, request, obj, form, change):
        if change:
            obj.full_clean()
            obj.save()
            return
        entry = services.watch_entry_set(
            person=obj.person,
            tier=obj.tier,
            worker=obj.worker,
            actor=request.user,
            reason=obj.reason,
            started_on=obj.started_on,
        )
        obj.pk = entry.pk


@admin.register(VisitRequest)
class VisitRequestAdmin(ScopedAdminMixin, StaffFormfieldsMixin, admin.ModelAdmin):
    list_display = ["person", "event", "kind", "assigned_to", "due_at", "visit"]
    list_select_related = ["person", "assigned_to", "visit__person"]
    autocomplete_fields = ["person"]
    fields = ["person", "event", "kind", "assigned_to"]

    def scope(self, request, queryset):
        return selectors.visit_request_list_visible_to(request.user, queryset)

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        created = services.visit_request_create(
            person=obj.person, event=obj.event, assigned_to=obj.assigned_to, actor=request.user, kind=obj.kind
        )
        obj.pk = created.pk


# ---------------------------------------------------------------- cases


class CaseAdminForm(forms.ModelForm):
    problem_areas = forms.MultipleChoiceField(
        label=gettext_lazy("problem areas"),
        choices=Case.Problem.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    confirm_duplicate = forms.BooleanField(
        label=gettext_lazy("Open another case although this person has an open one"), required=False
    )

    class Meta:
        model = Case
        fields = ["person", "worker", "supervisor", "source", "source_visit", "problem_areas", "risk_level",
                  "opened_on", "assessment", "plan_summary", "next_follow_up_on", "review_due_on",
                  "closing_summary", "outcome"]  # fmt: skip

    def clean(self):
        data = super().clean()
        instance = self.instance
        person = data.get("person")
        if instance.pk is None and person is not None and not data.get("confirm_duplicate"):
            open_cases = services.person_open_cases(person)
            if open_cases.exists():
                raise ValidationError(
                    _("%(person)s already has an open case (%(numbers)s). Tick the box to open another.")
                    % {"person": person.name, "numbers": ", ".join(c.number for c in open_cases)}
                )
        if instance.pk is not None:
            frozen = services.FROZEN_BY_GATE.get(instance.pending_gate, set())
            if set(self.changed_data) & frozen:
                raise ValidationError(
                    _("The case is waiting for the supervisor's approval of the %(gate)s.")
                    % {"gate": instance.get_pending_gate_display()}
                )
            if instance.stage == Case.Stage.CLOSED and set(self.changed_data) - {"next_follow_up_on"}:
                raise ValidationError(_("A closed case cannot be changed; reopen it first."))
        return data


class GoalInline(admin.TabularInline):
    model = Goal
    extra = 0
    fields = ["description", "target_date", "status"]


class CaseSessionInline(admin.TabularInline):
    model = CaseSession
    extra = 0
    fields = ["held_on", "duration_minutes", "content", "worker"]
    readonly_fields = ["worker"]

    def has_change_permission(self, request, obj=None):
        return False


class CaseNoteInline(admin.StackedInline):
    model = CaseNote
    extra = 0
    fields = ["text", "author", "written_at"]
    readonly_fields = ["author", "written_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseApprovalInline(admin.TabularInline):
    model = CaseApproval
    extra = 0
    fields = ["gate", "submitted_by", "submitted_at", "decision", "decided_by", "decided_at", "comment"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(
    ScopedAdminMixin, StaffFormfieldsMixin, ScopedImportExportMixin, ExportMixin, admin.ModelAdmin
):
    form = CaseAdminForm
    resource_classes = [CaseExportResource]
    list_display = ["number", "person", "stage_shown", "risk_level", "worker", "supervisor", "opened_on",
                    "next_follow_up_on", "file_link"]  # fmt: skip
    list_filter = ["stage", "pending_gate", "risk_level", "source"]
    list_select_related = ["person", "worker", "supervisor"]
    search_fields = ["person__name", "person__phone"]
    autocomplete_fields = ["person"]
    raw_id_fields = ["source_visit"]
    readonly_fields = ["stage", "pending_gate", "closed_on", "reopened_count", "file_link"]
    inlines = [GoalInline, CaseSessionInline, CaseNoteInline, CaseApprovalInline]

    def scope(self, request, queryset):
        return selectors.case_list_visible_to(request.user, queryset)

    @admin.display(description=gettext_lazy("case number"), ordering="pk")
    def number(self, obj):
        return obj.number

    @admin.display(description=gettext_lazy("stage"), ordering="stage")
    def stage_shown(self, obj):
        if obj.pending_gate:
            return format_html(
                "{} <strong>({})</strong>",
                obj.get_stage_display(),
                _("waiting for approval of the %(gate)s") % {"gate": obj.get_pending_gate_display()},
            )
        return obj.get_stage_display()

    @admin.display(description=gettext_lazy("case file"))
    def file_link(self, obj):
        if not obj.pk:
            return ""
        return format_html('<a href="{}">{}</a>', reverse("cases:case_detail", args=[obj.pk]), _("open file"))

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and not (request.user.is_superuser or is_station_head(request.user)):
            fields += ["worker", "supervisor"]  # who handles and who approves is the station head's call
        return fields

    def get_changeform_initial_data(self, request):
        return {"worker": request.user.pk, "opened_on": timezone.localdate(),
                **super().get_changeform_initial_data(request)}  # fmt: skip

    # Someone with no case access at all (a cadre) gets 404 on every case page, never a hint.
    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise Http404
        return super().changelist_view(request, extra_context)

    def export_action(self, request):
        if not self.has_export_permission(request):
            raise Http404
        return super().export_action(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._require_in_scope(request, object_id)
        if request.method == "GET":
            case = self.get_queryset(request).get(pk=object_id)
            services.case_record_view(case=case, user=request.user, where="admin")
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.case_open(
                person=obj.person,
                worker=obj.worker,
                supervisor=obj.supervisor,
                source=obj.source,
                actor=request.user,
                problem_areas=form.cleaned_data.get("problem_areas") or [],
                risk_level=obj.risk_level,
                opened_on=obj.opened_on,
                source_visit=obj.source_visit,
                confirm_duplicate=form.cleaned_data.get("confirm_duplicate", False),
            )
            obj.pk = created.pk
            obj.station_id = created.station_id
            return
        editable = set(form.changed_data) & services.CASE_EDITABLE
        if set(form.changed_data) & {"worker", "supervisor"}:
            services.case_reassign(
                case=Case.objects.get(pk=obj.pk),
                actor=request.user,
                worker=obj.worker,
                supervisor=obj.supervisor,
            )
        if set(form.changed_data) & {"person", "source", "source_visit", "opened_on"}:
            obj.full_clean()
            obj.save(update_fields=["person", "source", "source_visit", "opened_on"])
        if editable:
            services.case_update(
                case=Case.objects.get(pk=obj.pk),
                actor=request.user,
                **{name: form.cleaned_data[name] for name in editable},
            )

    def save_formset(self, request, form, formset, change):
        case = form.instance
        for instance in formset.save(commit=False):
            try:
                if isinstance(instance, Goal) and instance.pk is None:
                    services.case_add_goal(
                        case=case, actor=request.user, description=instance.description,
                        target_date=instance.target_date,
                    )  # fmt: skip
                elif isinstance(instance, Goal):
                    services.case_change_goal(goal=instance, actor=request.user)
                elif isinstance(instance, CaseSession):
                    services.case_add_session(
                        case=case, actor=request.user, content=instance.content, held_on=instance.held_on,
                        duration_minutes=instance.duration_minutes,
                    )  # fmt: skip
                elif isinstance(instance, CaseNote):
                    services.case_add_note(case=case, actor=request.user, text=instance.text)
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        for obj in formset.deleted_objects:
            try:
                if isinstance(obj, Goal):
                    services.case_delete_goal(goal=obj, actor=request.user)
                else:
                    obj.delete()
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))

    actions = ["approve_selected"]

    @admin.action(description=gettext_lazy("Approve the waiting step of the selected cases"))
    def approve_selected(self, request, queryset):
        done = 0
        for case in queryset.filter(supervisor=request.user).exclude(pending_gate=""):
            try:
                services.case_approve(case=case, actor=request.user)
            except (ValidationError, PermissionDenied):
                continue  # answered meanwhile (another tab, a double click)
            done += 1
        messages.info(request, _("%(n)d cases approved.") % {"n": done})


@admin.register(CaseAccessLog)
class CaseAccessLogAdmin(admin.ModelAdmin):
    """Who opened which case file, when: for the station head."""

    list_display = ["at", "user", "case", "where"]
    list_select_related = ["user", "case__person"]
    list_filter = ["where"]
    search_fields = ["user__username", "case__person__name"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        return selectors.case_access_log_visible_to(request.user)

    def has_view_permission(self, request, obj=None):
        profile = profile_of(request.user)
        return request.user.is_superuser or (profile is not None and profile.role == Role.STATION_HEAD)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# ---------------------------------------------------------------- group work


class GroupSessionInline(admin.TabularInline):
    model = GroupSession
    extra = 0
    fields = ["number", "activity_link", "when", "named", "headcount"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        from django.db.models import Count

        return (
            super()
            .get_queryset(request)
            .select_related("activity")
            .annotate(named_count=Count("activity__attendances"))
        )

    @admin.display(description=gettext_lazy("activity"))
    def activity_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:station_activity_change", args=[obj.activity_id]),
            obj.activity,
        )

    @admin.display(description=gettext_lazy("starts at"))
    def when(self, obj):
        return timezone.localtime(obj.activity.starts_at).strftime("%Y-%m-%d %H:%M")

    @admin.display(description=gettext_lazy("named attendees"))
    def named(self, obj):
        return obj.named_count

    @admin.display(description=gettext_lazy("anonymous head-count"))
    def headcount(self, obj):
        return obj.activity.headcount


@admin.register(Group)
class GroupAdmin(ScopedAdminMixin, StaffFormfieldsMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "community", "worker", "planned_sessions", "session_count", "started_on"]
    list_filter = ["kind"]
    list_select_related = ["community", "worker"]
    search_fields = ["title"]
    autocomplete_fields = ["members"]
    fields = ["station", "community", "title", "kind", "goals", "worker", "members", "planned_sessions",
              "started_on"]  # fmt: skip
    inlines = [GroupSessionInline]

    def scope(self, request, queryset):
        from django.db.models import Count

        return selectors.group_list_visible_to(request.user, queryset).annotate(
            session_total=Count("sessions", distinct=True)
        )

    @admin.display(description=gettext_lazy("sessions held"))
    def session_count(self, obj):
        return format_html(
            '<a href="{}">{} / {}</a>', reverse("cases:group_detail", args=[obj.pk]), obj.session_total,
            obj.planned_sessions,
        )  # fmt: skip

    def get_changeform_initial_data(self, request):
        profile = profile_of(request.user)
        initial = {"worker": request.user.pk, **super().get_changeform_initial_data(request)}
        if profile and profile.station_id:
            initial.setdefault("station", profile.station_id)
        return initial
