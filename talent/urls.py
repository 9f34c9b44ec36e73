from django.urls import path

from . import views

app_name = "talent"
urlpatterns = [
    path("sessions/<int:pk>/", views.session_page, name="session"),
    path("groups/<int:pk>/", views.group_page, name="group"),
    path("local/", views.local_page, name="local"),
    path("ce-at-risk/", views.ce_at_risk_page, name="ce_at_risk"),
    path("supervision-hours/", views.supervision_hours_page, name="supervision_hours"),
]
