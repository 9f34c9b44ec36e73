"""Case files: opening, working fields, goals, service records, notes, approvals, and who opened a file."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ExportMixin

from station.admin import ScopedAdminMixin, ScopedImportExportMixin
from station.roles import Role, is_station_head, profile_of

from .. import permissions, selectors, services
from ..models import Case, CaseAccessLog, CaseApproval, CaseNote, CaseSession, Goal
from ..resources import CaseExportResource
from .base import StaffFormfieldsMixin, reason_of, report_skipped


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
            open_cases = selectors.person_open_cases(person)
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
        if set(form.changed_data) & {"worker", "supervisor"}:
            services.case_reassign(case=obj, actor=request.user, worker=obj.worker, supervisor=obj.supervisor)
        changed = set(form.changed_data) & (services.CASE_EDITABLE | services.CASE_INTAKE)
        if changed:
            services.case_update(
                case=obj, actor=request.user, **{name: form.cleaned_data[name] for name in changed}
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
                messages.error(request, reason_of(exc))
        for obj in formset.deleted_objects:
            try:
                if isinstance(obj, Goal):
                    services.case_delete_goal(goal=obj, actor=request.user)
                elif isinstance(obj, CaseSession):
                    services.case_delete_session(session=obj, actor=request.user)
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, reason_of(exc))

    actions = ["approve_selected"]

    @admin.action(description=gettext_lazy("Approve the waiting step of the selected cases"))
    def approve_selected(self, request, queryset):
        done, skipped = 0, []
        for case in queryset.select_related("person").order_by("pk"):
            refusal = permissions.case_decide_refusal(request.user, case)
            if refusal is None and not case.pending_gate:
                refusal = _("Nothing is waiting for approval on this case.")
            if refusal is None:
                try:
                    services.case_approve(case=case, actor=request.user)
                except (ValidationError, PermissionDenied) as exc:  # answered meanwhile, or their own step
                    refusal = reason_of(exc)
            if refusal is None:
                done += 1
            else:
                skipped.append((case, refusal))
        report_skipped(request, _("%(n)d cases approved.") % {"n": done}, skipped)


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
