from django import forms
from django.utils.translation import gettext_lazy as _


class SessionRecordForm(forms.Form):
    """The tutor's screen: one attendance box per member and, for a mock exam, one score per subject."""

    def __init__(self, *args, members, subjects, attended=(), scores=None, **kwargs):
        super().__init__(*args, **kwargs)
        scores = scores or {}
        self.members, self.subjects = members, subjects
        self.rows = []
        for person in members:
            present = f"present_{person.pk}"
            self.fields[present] = forms.BooleanField(
                label=person.name, required=False, initial=person.pk in attended
            )
            cells = []
            for subject in subjects:
                name = f"score_{person.pk}_{subject.pk}"
                self.fields[name] = forms.DecimalField(
                    label=f"{person.name} {subject.name}",
                    required=False,
                    min_value=0,
                    max_value=100,
                    max_digits=4,
                    decimal_places=1,
                    initial=scores.get((person.pk, subject.pk)),
                    widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "0.5"}),
                    error_messages={"max_value": _("A score is out of 100.")},
                )
                cells.append(self[name])
            self.rows.append((person, self[present], cells))

    def attended(self) -> set[int]:
        return {p.pk for p in self.members if self.cleaned_data.get(f"present_{p.pk}")}

    def scores(self) -> dict:
        return {
            (p.pk, s.pk): self.cleaned_data.get(f"score_{p.pk}_{s.pk}")
            for p in self.members
            for s in self.subjects
        }
