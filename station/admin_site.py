from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .roles import profile_of


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
