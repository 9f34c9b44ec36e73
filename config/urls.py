from django.contrib import admin
from django.urls import include, path

from station import views

station_patterns = [
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_read, name="notifications_read"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/import/", views.activity_import, name="activity_import"),
    path("activities/import/template.xlsx", views.activity_import_template, name="activity_import_template"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("v/", include("volunteers.urls")),
    path("dashboard/", include("stats.urls")),
    path("", include((station_patterns, "station"))),
    path("cases/", include("cases.urls")),
    path("orgs/", include("orgs.urls")),
    path("projects/", include("projects.urls")),
    path("talent/", include("talent.urls")),
]
