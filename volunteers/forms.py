from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from station.phones import normalise_phone


class SignInForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("phone number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "username", "class": "form-control form-control-lg"}
        ),
    )
    password = forms.CharField(
        label=gettext_lazy("password"),
        widget=forms.PasswordInput(
            attrs={"autocomplete": "current-password", "class": "form-control form-control-lg"}
        ),
    )

    def clean_phone(self):
        # As people type it: "138-1234 5678", full-width digits from a Chinese input method, a stray
        # invisible space: the core's one normaliser, as every other place that reads a phone number.
        return normalise_phone(self.cleaned_data["phone"])


class CertificateForm(forms.Form):
    # A date input reads and writes only YYYY-MM-DD, whatever the language.
    period_start = forms.DateField(
        label=gettext_lazy("from"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    period_end = forms.DateField(
        label=gettext_lazy("to"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            raise ValidationError(_("The period ends before it starts."))
        return data


class WorkerCheckinForm(forms.Form):
    query = forms.CharField(
        label=gettext_lazy("phone number or name"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-lg"}),
    )
