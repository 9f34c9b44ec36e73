from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from station.models import Rubric

from .models import Assignment, Evaluation, Project


class MoveForm(forms.Form):
    to = forms.ChoiceField(label=_("move to"), choices=Project.Status.choices)
    reason = forms.CharField(label=_("reason for termination"), max_length=2000, required=False)
    amount_recovered = forms.DecimalField(
        label=_("amount recovered (元)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal(0),
        required=False,
    )


class ConflictForm(forms.Form):
    conflict = forms.ChoiceField(
        label=_("conflict"), choices=Assignment.Conflict.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("conflict details"), max_length=300, required=False)


class ScoreForm(forms.Form):
    """One field per criterion of the rubric; the service checks the ranges again."""

    def __init__(self, criteria, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            self.fields[f"c{c.pk}"] = forms.DecimalField(
                label=f"{c.label}（≤{c.max_score.normalize()}）",
                help_text=c.description,
                min_value=Decimal(0),
                max_value=c.max_score,
                decimal_places=2,
                max_digits=6,
                widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
            )

    def scores(self) -> dict:
        return {c.pk: self.cleaned_data[f"c{c.pk}"] for c in self.criteria}


class EvaluationForm(ScoreForm):
    def __init__(self, criteria, *args, **kwargs):
        super().__init__(criteria, *args, **kwargs)
        self.fields["stage"] = forms.ChoiceField(label=_("stage"), choices=Evaluation.Stage.choices)
        self.fields["comment"] = forms.CharField(
            label=_("comment"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
        )
        self.order_fields(["stage"])


class RubricChoiceForm(forms.Form):
    rubric = forms.ModelChoiceField(label=_("rubric"), queryset=Rubric.objects.none())
