"""The project's URLs plus one view that touches no database: the baseline of the same server."""

from django.http import HttpResponse
from django.urls import include, path


def nodb(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/nodb/", nodb),
    path("", include("station.urls")),
]
