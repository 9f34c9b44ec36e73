"""The social workers' side of the talent platform (Chinese admin). Every write goes through talent.services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportExportMixin

from station import selectors as station_selectors
from station.admin import ScopedAdminMixin, ScopedFormfieldsMixin, ScopedImportExportMixin, bulk_apply
from station.models import Activity
from station.roles import profile_of

from . import selectors, services
from .models import (
    ActionItem,
    CEHours,
    Certificate,
    CheckIn,
    ExamAttempt,
    ExamLevel,
    ExamSubject,
    ExamYear,
    MentoringPair,
    MockScore,
    Registration,
    Rotation,
    StudyGroup,
    StudyGroupMember,
    StudySession,
    SupervisionSession,
    TalentProfile,
)
from .resources import CandidateResource, CEHoursResource, ExamResultResource


def _message(exc: ValidationError | PermissionDenied) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


class ServiceSaveMixin:
    """A service refusing a save becomes a message on the form, never a 500 and never half-saved data."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, _message(exc), messages.ERROR)
            from django.http import HttpResponseRedirect

            return HttpResponseRedirect(request.get_full_path())


class StationDefaultMixin:
    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        profile = profile_of(request.user)
        if profile and profile.station_id:
            initial.setdefault("station", profile.station_id)
        return initial


# People ----------------------------------------------------------------------------------------------------


@admin.register(TalentProfile)
class TalentProfileAdmin(ScopedAdminMixin, ScopedFormfieldsMixin, ServiceSaveMixin, admin.ModelAdmin):
    list_display = ["person", "community", "team_role", "background", "education", "local_counted_on"]
    list_filter = ["team_role", "background", "education", "is_local"]
    list_select_related = ["person__community"]
    search_fields = ["person__name", "employer", "major"]
    autocomplete_fields = ["person"]
    readonly_fields = ["local_counted_on", "local_rule"]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=selectors.talent_profile_list_visible_to(request.user).values("pk"))

    @admin.display(description=gettext_lazy("community"), ordering="person__community__name")
    def community(self, obj):
        return obj.person.community

    @admin.display(description=gettext_lazy("who counts as a local social worker"))
    def local_rule(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("talent:local"), _("the definition and the list"))

    def save_model(self, request, obj, form, change):
        services.talent_profile_save(profile=obj, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


# The national exam -----------------------------------------------------------------------------------------


class ExamSubjectInline(admin.TabularInline):
    model = ExamSubject
    extra = 0
    fields = ["code", "name", "order"]


@admin.register(ExamLevel)
class ExamLevelAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    inlines = [ExamSubjectInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ExamYear)
class ExamYearAdmin(ScopedAdminMixin, ServiceSaveMixin, admin.ModelAdmin):
    list_display = [
        "year",
        "registration_opens",
        "registration_closes",
        "exam_starts",
        "exam_ends",
        "results_on",
        "pass_mark",
    ]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=selectors.exam_year_list_visible_to(request.user).values("pk"))

    def save_model(self, request, obj, form, change):
        services.exam_year_save(exam_year=obj, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


class AttemptForm(forms.ModelForm):
    """Registration plus a score per subject of the level (out of 100) on one form."""

    class Meta:
        model = ExamAttempt
        fields = ["person", "exam_year", "level", "registered_on", "review_passed"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.subjects = list(ExamSubject.objects.select_related("level"))
        if self.instance.pk:
            current = {s.subject_id: s.score for s in self.instance.scores.all()}
            for subject in self.subjects:
                if f"score_{subject.code}" in self.fields:
                    self.initial[f"score_{subject.code}"] = current.get(subject.pk)

    @classmethod
    def with_subjects(cls):
        """The form with a score field per subject of the exam (subjects are data, read when the form is built)."""
        attrs = {
            f"score_{subject.code}": forms.DecimalField(
                label=f"{subject.level.name}：{subject.name}",
                required=False,
                min_value=0,
                max_value=100,
                max_digits=4,
                decimal_places=1,
                help_text=gettext_lazy("Out of 100; empty if absent or not yet published."),
            )
            for subject in ExamSubject.objects.select_related("level")
        }
        return type("AttemptFormWithScores", (cls,), attrs)

    def clean(self):
        data = super().clean()
        level = data.get("level")
        for subject in self.subjects:
            value = data.get(f"score_{subject.code}")
            if value is not None and level is not None and subject.level_id != level.pk:
                self.add_error(f"score_{subject.code}", _("This subject belongs to another level."))
        return data

    def scores(self) -> dict:
        level = self.cleaned_data["level"]
        return {s: self.cleaned_data.get(f"score_{s.code}") for s in self.subjects if s.level_id == level.pk}


@admin.register(ExamAttempt)
class ExamAttemptAdmin(
    ScopedAdminMixin, ScopedFormfieldsMixin, ScopedImportExportMixin, ImportExportMixin, admin.ModelAdmin
):
    form = AttemptForm
    resource_classes = [CandidateResource, ExamResultResource]
    list_display = ["person", "exam_year", "level", "result", "score_summary"]
    list_filter = ["exam_year", "level", "result"]
    list_select_related = ["person", "exam_year", "level"]
    search_fields = ["person__name"]
    autocomplete_fields = ["person"]
    readonly_fields = ["result", "eligibility"]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=selectors.attempt_list_visible_to(request.user).values("pk"))

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = AttemptForm.with_subjects()
        return super().get_form(request, obj, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("scores__subject")

    @admin.display(description=gettext_lazy("scores"))
    def score_summary(self, obj):
        return "；".join(
            f"{s.subject.name} {s.score if s.score is not None else '-'}" for s in obj.scores.all()
        )

    @admin.display(description=gettext_lazy("eligibility (a hint)"))
    def eligibility(self, obj):
        profile = TalentProfile.objects.filter(person_id=obj.person_id).first() if obj.pk else None
        if profile is None:
            return "—"
        hint = selectors.eligibility_for(profile, obj.level.code, obj.exam_year.year)
        return _("%(years)d years of experience by the end of last year; %(verdict)s") % {
            "years": hint["years"],
            "verdict": _("likely eligible") if hint["likely"] else _("check the conditions"),
        }

    def save_model(self, request, obj, form, change):
        services.attempt_save(attempt=obj, actor=request.user)
        services.scores_record(
            attempt=obj,
            scores=form.scores(),
            review_passed=form.cleaned_data.get("review_passed"),
            actor=request.user,
        )

    def has_delete_permission(self, request, obj=None):
        return False


# Certificates and registration -----------------------------------------------------------------------------


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    fields = ["kind", "status", "applied_on", "valid_from", "valid_until"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Certificate)
class CertificateAdmin(ScopedAdminMixin, ScopedFormfieldsMixin, ServiceSaveMixin, admin.ModelAdmin):
    list_display = ["person", "level", "year_passed", "number", "registration_status", "ce_progress"]
    list_filter = ["level", "year_passed"]
    list_select_related = ["person", "level"]
    search_fields = ["person__name", "number"]
    autocomplete_fields = ["person"]
    inlines = [RegistrationInline]
    actions = ["open_registration"]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=selectors.certificate_list_visible_to(request.user).values("pk"))

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("registrations")

    @admin.display(description=gettext_lazy("registration"))
    def registration_status(self, obj):
        regs = sorted(obj.registrations.all(), key=lambda r: r.pk)
        return regs[-1].get_status_display() if regs else Registration.Status.NOT_APPLIED.label

    @admin.display(description=gettext_lazy("continuing education"))
    def ce_progress(self, obj):
        progress = selectors.ce_progress(obj.person)
        if progress is None:
            return "—"
        return f"{progress.done}/{progress.required}（{progress.expires_on}）"

    def save_model(self, request, obj, form, change):
        services.certificate_save(certificate=obj, actor=request.user)

    @admin.action(description=gettext_lazy("Open a registration (first or renewal)"))
    def open_registration(self, request, queryset):
        bulk_apply(
            request,
            queryset.select_related("person"),
            lambda certificate: services.registration_open(certificate=certificate, actor=request.user),
            _("%(n)d done."),
        )

    def has_delete_permission(self, request, obj=None):
        return False


def _move_action(to):
    def action(modeladmin, request, queryset):
        bulk_apply(
            request,
            queryset.select_related("certificate__person"),
            lambda registration: services.registration_move(
                registration=registration, to=to, actor=request.user
            ),
            _("%(n)d done."),
        )

    action.__name__ = f"move_to_{to}"
    label = Registration.Status(to).label
    return admin.action(description=format_lazy("{}{}", gettext_lazy("Mark as: "), label))(action)


@admin.register(Registration)
class RegistrationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["certificate", "kind", "status", "applied_on", "valid_from", "valid_until"]
    list_filter = ["status", "kind"]
    list_select_related = ["certificate__person", "certificate__level"]
    search_fields = ["certificate__person__name", "certificate__number"]
    readonly_fields = ["certificate", "kind", "status", "applied_on", "valid_from", "valid_until"]
    fields = ["certificate", "kind", "status", "applied_on", "valid_from", "valid_until", "note"]
    actions = [_move_action(s) for s in Registration.Status.values if s != Registration.Status.NOT_APPLIED]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=selectors.registration_list_visible_to(request.user).values("pk"))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CEHours)
class CEHoursAdmin(
    ScopedAdminMixin, ScopedFormfieldsMixin, ScopedImportExportMixin, ImportExportMixin, admin.ModelAdmin
):
    resource_classes = [CEHoursResource]
    list_display = ["person", "course", "provider", "completed_on", "hours"]
    list_filter = ["completed_on", "provider"]
    list_select_related = ["person"]
    search_fields = ["person__name", "course", "provider"]
    autocomplete_fields = ["person"]
    change_list_template = "talent/admin/cehours_changelist.html"

    def scope(self, request, queryset):
        return queryset.filter(pk__in=selectors.ce_hours_list_visible_to(request.user).values("pk"))

    def save_model(self, request, obj, form, change):
        services.ce_hours_record(entry=obj, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


# Study groups ----------------------------------------------------------------------------------------------


class MemberInline(admin.TabularInline):
    model = StudyGroupMember
    extra = 1
    fields = ["person", "joined_on", "left_on"]
    autocomplete_fields = ["person"]

    def get_queryset(self, request):
        return selectors.member_list_visible_to(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StudyGroup)
class StudyGroupAdmin(ScopedAdminMixin, ScopedFormfieldsMixin, StationDefaultMixin, admin.ModelAdmin):
    list_display = ["name", "level", "tutor", "started_on", "members_and_passes", "page"]
    list_select_related = ["level", "tutor"]
    search_fields = ["name"]
    inlines = [MemberInline]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=selectors.study_group_list_visible_to(request.user).values("pk"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "tutor":
            ids = station_selectors.station_ids_for(request.user)
            kwargs["queryset"] = station_selectors.station_staff_users(ids, include_superusers=ids is None)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=gettext_lazy("members (passed)"))
    def members_and_passes(self, obj):
        counts = selectors.group_pass_counts(obj, self._user)
        return f"{counts['members']}（{counts['passed']}）"

    @admin.display(description=gettext_lazy("tutor's page"))
    def page(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("talent:group", args=[obj.pk]), _("open the page"))

    def changelist_view(self, request, extra_context=None):
        self._user = request.user
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        services.study_group_save(group=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        for member in formset.save(commit=False):
            if member.pk is None:
                services.member_add(
                    group=form.instance, person=member.person, joined_on=member.joined_on, actor=request.user
                )
            else:
                member.full_clean()
                member.save()

    def has_delete_permission(self, request, obj=None):
        return False


class StudySessionForm(forms.ModelForm):
    title = forms.CharField(label=gettext_lazy("title"), max_length=200)
    community = forms.ModelChoiceField(label=gettext_lazy("community"), queryset=None, required=False)
    starts_at = forms.SplitDateTimeField(
        label=gettext_lazy("starts at"), widget=admin.widgets.AdminSplitDateTime
    )
    ends_at = forms.SplitDateTimeField(label=gettext_lazy("ends at"), widget=admin.widgets.AdminSplitDateTime)
    place = forms.CharField(label=gettext_lazy("place"), max_length=200, required=False)
    ACTIVITY_FIELDS = ("title", "community", "starts_at", "ends_at", "place")

    class Meta:
        model = StudySession
        fields = ["group", "kind", "subjects"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = station_selectors.community_list_visible_to(user)
        self.fields["group"].queryset = selectors.study_group_list_visible_to(user)
        if self.instance.pk:
            for name in self.ACTIVITY_FIELDS:
                self.initial[name] = getattr(self.instance.activity, name)

    def clean(self):
        data = super().clean()
        group = data.get("group")
        if group is None:
            return data
        activity = self.instance.activity if self.instance.pk else Activity(station=group.station)
        for name in self.ACTIVITY_FIELDS:
            if name in data:
                setattr(activity, name, data[name] if data[name] is not None or name == "community" else "")
        activity.platform = Activity.Platform.TALENT
        try:
            activity.full_clean(exclude=["organiser"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        self.activity = activity
        return data


@admin.register(StudySession)
class StudySessionAdmin(ScopedAdminMixin, ServiceSaveMixin, admin.ModelAdmin):
    form = StudySessionForm
    list_display = ["title", "group", "kind", "starts_at", "attended", "page"]
    list_filter = ["kind", "group"]
    list_select_related = ["activity", "group"]
    search_fields = ["activity__title", "group__name"]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=selectors.study_session_list_visible_to(request.user).values("pk"))

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_attended=F("activity__named_count"))

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class WithUser(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, user=request.user, **kw)

        return WithUser

    @admin.display(description=gettext_lazy("title"), ordering="activity__title")
    def title(self, obj):
        return obj.activity.title

    @admin.display(description=gettext_lazy("starts at"), ordering="activity__starts_at")
    def starts_at(self, obj):
        return obj.activity.starts_at

    @admin.display(description=gettext_lazy("attended"))
    def attended(self, obj):
        return obj.n_attended

    @admin.display(description=gettext_lazy("attendance and scores"))
    def page(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("talent:session", args=[obj.pk]), _("open the page")
        )

    def save_model(self, request, obj, form, change):
        services.study_session_save(session=obj, activity=form.activity, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MockScore)
class MockScoreAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["person", "subject", "score", "session"]
    list_select_related = ["person", "subject", "session__activity"]
    search_fields = ["person__name"]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=selectors.mock_score_list_visible_to(request.user).values("pk"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Supervision, mentoring, rotation --------------------------------------------------------------------------


class ActionItemInline(admin.TabularInline):
    model = ActionItem
    extra = 1
    fields = ["description", "owner", "due_on", "done_on", "follow_up"]
    autocomplete_fields = ["owner"]


@admin.register(SupervisionSession)
class SupervisionSessionAdmin(
    ScopedAdminMixin, ScopedFormfieldsMixin, StationDefaultMixin, ServiceSaveMixin, admin.ModelAdmin
):
    list_display = ["held_on", "topic", "supervisor_name", "source", "mode", "hours", "open_items"]
    list_filter = ["source", "mode", "held_on"]
    search_fields = ["topic", "supervisor_name"]
    autocomplete_fields = ["supervisees"]
    inlines = [ActionItemInline]
    change_list_template = "talent/admin/supervision_changelist.html"

    def scope(self, request, queryset):
        return queryset.filter(pk__in=selectors.supervision_list_visible_to(request.user).values("pk"))

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(n_open=Count("action_items", filter=Q(action_items__done_on__isnull=True)))
        )

    @admin.display(description=gettext_lazy("open action items"))
    def open_items(self, obj):
        return obj.n_open

    def save_model(self, request, obj, form, change):
        services.supervision_session_save(
            session=obj, supervisees=form.cleaned_data["supervisees"], actor=request.user
        )

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def save_formset(self, request, form, formset, change):
        for item in formset.save(commit=False):
            services.action_item_save(item=item, actor=request.user)
        for item in formset.deleted_objects:
            item.delete()

    def has_delete_permission(self, request, obj=None):
        return False


class CheckInInline(admin.TabularInline):
    model = CheckIn
    extra = 1
    fields = ["held_on", "notes", "next_steps"]


@admin.register(MentoringPair)
class MentoringPairAdmin(
    ScopedAdminMixin, ScopedFormfieldsMixin, StationDefaultMixin, ServiceSaveMixin, admin.ModelAdmin
):
    list_display = ["mentor", "mentee", "starts_on", "ends_on", "check_in_count"]
    list_select_related = ["mentor", "mentee"]
    search_fields = ["mentor__name", "mentee__name"]
    autocomplete_fields = ["mentor", "mentee"]
    inlines = [CheckInInline]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=selectors.mentoring_pair_list_visible_to(request.user).values("pk"))

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_check_ins=Count("check_ins"))

    @admin.display(description=gettext_lazy("check-ins"))
    def check_in_count(self, obj):
        return obj.n_check_ins

    def save_model(self, request, obj, form, change):
        services.mentoring_pair_save(pair=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        for check_in in formset.save(commit=False):
            services.check_in_add(check_in=check_in, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Rotation)
class RotationAdmin(ScopedAdminMixin, ScopedFormfieldsMixin, ServiceSaveMixin, admin.ModelAdmin):
    list_display = ["person", "kind", "post_or_course", "starts_on", "ends_on", "hours"]
    list_filter = ["kind"]
    list_select_related = ["person"]
    search_fields = ["person__name", "post_or_course"]
    autocomplete_fields = ["person"]

    def scope(self, request, queryset):
        return queryset.filter(pk__in=selectors.rotation_list_visible_to(request.user).values("pk"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "activity":
            kwargs["queryset"] = station_selectors.activity_list_visible_to(request.user).filter(
                platform=Activity.Platform.TALENT
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.rotation_save(rotation=obj, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False
