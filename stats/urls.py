from django.urls import path

from . import views as dashboards

app_name = "dashboard"

urlpatterns = [
    path("", dashboards.index, name="index"),
    path("station/<int:pk>/", dashboards.station_dashboard, name="station"),
    path("community/<int:pk>/", dashboards.community_dashboard, name="community"),
    path("station/<int:pk>/report.xlsx", dashboards.report_xlsx, name="report_xlsx"),
    path("station/<int:pk>/report/", dashboards.report_print, name="report_print"),
    path("reports/<int:pk>/", dashboards.report_download, name="report_download"),
]
