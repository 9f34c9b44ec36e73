from django.urls import path

from . import results_views as results
from . import views as dashboards

app_name = "dashboard"

urlpatterns = [
    path("", dashboards.index, name="index"),
    path("station/<int:pk>/", dashboards.station_dashboard, name="station"),
    path("community/<int:pk>/", dashboards.community_dashboard, name="community"),
    path("station/<int:pk>/report.xlsx", dashboards.report_xlsx, name="report_xlsx"),
    path("station/<int:pk>/report/", dashboards.report_print, name="report_print"),
    path("reports/<int:pk>/", dashboards.report_download, name="report_download"),
    path("station/<int:pk>/results/", results.station_results, name="station_results"),
    path("station/<int:pk>/results.xlsx", results.station_results_xlsx, name="station_results_xlsx"),
    path("community/<int:pk>/results/", results.community_results, name="community_results"),
    path("community/<int:pk>/results.xlsx", results.community_results_xlsx, name="community_results_xlsx"),
]
