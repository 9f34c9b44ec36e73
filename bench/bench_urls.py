from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def no_database(request):
    """The floor: a response through the same middleware that never touches the database."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/nodb", no_database), path("bench/nodb/", no_database), *project_urlpatterns]
