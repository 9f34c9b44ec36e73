from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from station.models import Need

from .models import Case, CaseNote, Risk, Visit


def DatePicker():  # noqa: N802
    """A native date picker; it reads only ISO dates, whatever the interface language formats."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QuickVisitForm(forms.Form):
    """The few fields a worker fills in on a phone after a visit."""

    kind = forms.ChoiceField(label=_("kind"), choices=Visit.Kind.choices, widget=forms.RadioSelect)
    visited_on = forms.DateField(label=_("date"), initial=timezone.localdate, widget=DatePicker())
    duration_minutes = forms.IntegerField(
        label=_("duration (minutes)"), min_value=0, max_value=24 * 60, initial=15
    )
    findings = forms.CharField(
        label=_("what was found"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    risk = forms.ChoiceField(label=_("risk judgement"), choices=Risk.choices, initial=Risk.NONE)
    follow_up_on = forms.DateField(label=_("follow up by"), required=False, widget=DatePicker())
    household = forms.BooleanField(label=_("whole household"), required=False)

    def clean(self):
        data = super().clean()
        day, follow = data.get("visited_on"), data.get("follow_up_on")
        if day and day > timezone.localdate():
            self.add_error("visited_on", _("A visit cannot be in the future."))
        if day and follow and follow < day:
            self.add_error("follow_up_on", _("The follow-up cannot be before the visit."))
        return data


class NeedLineForm(forms.Form):
    """One need found on the visit; leave the description empty to raise none."""

    category = forms.ChoiceField(label=_("need"), choices=[("", "—"), *Need.Category.choices], required=False)
    description = forms.CharField(label=_("what is needed"), max_length=500, required=False)
    urgency = forms.ChoiceField(label=_("urgency"), choices=Need.Urgency.choices, initial=Need.Urgency.NORMAL)

    def clean(self):
        data = super().clean()
        if data.get("description") and not data.get("category"):
            self.add_error("category", _("Choose what kind of need this is."))
        if data.get("category") and not data.get("description"):
            self.add_error("description", _("Say what is needed."))
        return data


NeedLineFormSet = forms.formset_factory(NeedLineForm, extra=2, max_num=5)


class CaseFieldsForm(forms.Form):
    """The case's working text: the assessment, the service plan, the next follow-up."""

    assessment = forms.CharField(
        label=_("assessment"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    plan_summary = forms.CharField(
        label=_("service plan"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    next_follow_up_on = forms.DateField(label=_("next follow-up"), required=False, widget=DatePicker())


class CaseCloseForm(forms.Form):
    """Ask to close: the closing summary and the outcome go to the supervisor together."""

    closing_summary = forms.CharField(
        label=_("closing summary"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Write the closing summary and choose an outcome before asking to close.")
        },
    )
    outcome = forms.ChoiceField(
        label=_("outcome"),
        choices=[("", "—"), *Case.Outcome.choices],
        error_messages={
            "required": _("Write the closing summary and choose an outcome before asking to close.")
        },
    )


class AdvanceForm(forms.Form):
    to = forms.ChoiceField(
        label=_("stage"),
        choices=Case.Stage.choices,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Unknown stage.")},
    )


class SubmitForm(forms.Form):
    """Submitting the current step takes no input; the service checks the step is ready."""


class ApproveForm(forms.Form):
    comment = forms.CharField(
        label=_("comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000
    )


class SendBackForm(forms.Form):
    comment = forms.CharField(
        label=_("comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        error_messages={"required": _("Say what needs changing when sending back.")},
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why reopen?"),
        max_length=300,
        error_messages={"required": _("Say why the case is reopened.")},
    )


class CaseSessionForm(forms.Form):
    held_on = forms.DateField(label=_("date"), initial=timezone.localdate, widget=DatePicker())
    duration_minutes = forms.IntegerField(
        label=_("duration (minutes)"), min_value=1, max_value=600, initial=60
    )
    content = forms.CharField(label=_("what was done"), widget=forms.Textarea(attrs={"rows": 3}))


class GoalForm(forms.Form):
    description = forms.CharField(label=_("goal"), max_length=300)
    target_date = forms.DateField(label=_("target date"), required=False, widget=DatePicker())


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("note"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=CaseNote._meta.get_field("text").max_length,
    )


class MonthForm(forms.Form):
    month = forms.RegexField(regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False)

    def clean_month(self):
        month = self.cleaned_data.get("month")
        if month and not 2000 <= int(month[:4]) <= timezone.localdate().year + 1:
            raise forms.ValidationError(_("Choose a month between 2000 and next year."))
        return month


class GroupSessionForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("starts at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration_minutes = forms.IntegerField(
        label=_("duration (minutes)"), min_value=1, max_value=600, initial=90
    )
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    attendees = forms.ModelMultipleChoiceField(
        label=_("present"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    headcount = forms.IntegerField(label=_("anonymous head-count"), min_value=0, initial=0)
    newcomers_join = forms.BooleanField(
        label=_("Those present who are not members join the group"), required=False, initial=True
    )

    def __init__(self, *args, group, people, shown=(), **kwargs):
        """``people``: everyone who may attend (any person of the group's station the worker may see);
        the boxes shown are the members and ``shown`` (newcomers found or already ticked)."""
        super().__init__(*args, **kwargs)
        field = self.fields["attendees"]
        field.queryset = people
        members = list(group.members.select_related("community").order_by("name", "pk"))
        member_ids = {p.pk for p in members}
        extra = [p for p in shown if p.pk not in member_ids]
        field.widget.choices = [
            *((p.pk, p.name) for p in members),
            *((p.pk, _("%(name)s · %(community)s (not a member)") % {"name": p.name, "community": p.community})
              for p in extra),
        ]  # fmt: skip
