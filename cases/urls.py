from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/act/", views.case_act, name="case_act"),
    path("visit/new/", views.visit_new, name="visit_new"),
    path("overdue/", views.overdue, name="overdue"),
    path("coverage/", views.coverage, name="coverage"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
]
