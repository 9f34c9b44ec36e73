import contextvars
from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.admin import helpers
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from .roles import profile_of

# The request an admin page is being built for, so a read-only field can ask what its reader may open.
_reader = contextvars.ContextVar("admin_reader", default=None)
_linked_admin_url = helpers.AdminReadonlyField.get_admin_url


def _admin_url_if_readable(self, remote_field, remote_obj):
    """Django links a read-only foreign key to the related record's change page whoever reads it (Django
    ticket #33171): a cadre reading an activity was shown its station and organiser as links to 403 pages.
    Link only a record the reader may view (a permission check, no query per row); otherwise show its name."""
    request = _reader.get()
    if request is not None:
        related = self.model_admin.admin_site._registry.get(remote_field.model)
        if related is None or not related.has_view_permission(request, remote_obj):
            return str(remote_obj)
    return _linked_admin_url(self, remote_field, remote_obj)


helpers.AdminReadonlyField.get_admin_url = _admin_url_if_readable


class StationAdminSite(admin.AdminSite):
    site_title = _("Social work station")
    site_header = _("Social work station")
    index_title = _("Station work")

    def each_context(self, request):
        context = super().each_context(request)
        profile = profile_of(request.user)
        if profile and profile.station_id:
            context["site_header"] = profile.station.name
        return context

    def index(self, request, extra_context=None):
        """Cadres and district viewers read their dashboards: the admin's index has nothing for them, and it
        is where the sign-in form sends everyone."""
        profile = profile_of(request.user)
        if profile and profile.role in ("cadre", "district_viewer") and "dashboard" in settings.HOME_ROUTES:
            return redirect(settings.HOME_ROUTES["dashboard"])
        return super().index(request, extra_context)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def reading_as(request, *args, **kwargs):
            token = _reader.set(request)
            try:
                response = inner(request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()  # while the reader is known, for the read-only fields above
                return response
            finally:
                _reader.reset(token)

        return reading_as
