"""Forms of the core's own pages (the activity entry and the activity import)."""

from datetime import time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ActivityKind
from .selectors import community_list_visible_to

# The kinds a worker chooses for a community activity; the platforms set their own (party days, group sessions...).
ENTRY_KINDS = [
    (k.value, k.label)
    for k in (
        ActivityKind.PUBLIC_SERVICE, ActivityKind.VOLUNTEER_SERVICE, ActivityKind.CULTURE_SPORTS,
        ActivityKind.FESTIVAL, ActivityKind.LECTURE, ActivityKind.CONSULTATION, ActivityKind.PUBLICITY,
        ActivityKind.OTHER,
    )
]  # fmt: skip


class ActivityForm(forms.Form):
    """A community activity as a worker writes it down after the event; the attendees are ticked separately."""

    kind = forms.ChoiceField(label=_("kind"), choices=[("", "—"), *ENTRY_KINDS])
    title = forms.CharField(label=_("title"), max_length=200)
    community = forms.ModelChoiceField(
        label=_("community"), queryset=None, required=False, empty_label=_("station-wide")
    )
    day = forms.DateField(
        label=_("date"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    starts = forms.TimeField(
        label=_("starts at"),
        initial=time(9, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    ends = forms.TimeField(
        label=_("ends at"),
        initial=time(11, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    place = forms.CharField(label=_("place"), max_length=200, required=False)
    headcount = forms.IntegerField(
        label=_("anonymous head-count"),
        min_value=0,
        max_value=100000,
        initial=0,
        help_text=_("People who came but were not recorded by name."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = community_list_visible_to(user).order_by("name")

    def clean(self):
        data = super().clean()
        day, starts, ends = data.get("day"), data.get("starts"), data.get("ends")
        if day and day > timezone.localdate():
            self.add_error("day", _("Record an activity once it has taken place."))
        if starts and ends and ends < starts:
            self.add_error("ends", _("An activity cannot end before it starts."))
        return data


class ActivityImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))
