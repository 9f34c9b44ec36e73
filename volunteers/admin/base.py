"""What the volunteer platform's admin pages share: a bulk action that asks for a reason, the station
given by default, errors as one message."""

from django import forms
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from station.roles import profile_of


def error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=300)  # also refuses NUL characters, which PostgreSQL cannot store


def reason_step(modeladmin, request, queryset, *, title, action, label, apply):
    """An admin action that asks for a reason first; ``apply(obj, reason)`` runs per object."""
    if request.POST.get("apply"):
        form = ReasonForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        if not reason:
            problems = form.errors.get("reason", []) if request.POST.get("reason", "").strip() else []
            for problem in problems or [_("Please give a reason.")]:
                modeladmin.message_user(request, problem, messages.ERROR)
        else:
            done, failed = 0, []
            for obj in queryset:
                try:
                    apply(obj, reason)
                    done += 1
                except ValidationError as exc:
                    failed.append(f"{obj}: {error_text(exc)}")
            if done:
                modeladmin.message_user(request, _("%(n)d done.") % {"n": done}, messages.SUCCESS)
            for line in failed:
                modeladmin.message_user(request, line, messages.ERROR)
            return None
    return TemplateResponse(
        request,
        "volunteers/admin/reason_form.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "objects": queryset,
            "action": action,
            "label": label,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        },
    )


class StationDefaultMixin:
    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        profile = profile_of(request.user)
        if profile and profile.station_id:
            initial.setdefault("station", profile.station_id)
        return initial
