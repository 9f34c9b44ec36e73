from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/advance/", views.case_advance, name="case_advance"),
    path("<int:pk>/update/", views.case_update, name="case_update"),
    path("<int:pk>/submit/", views.case_submit, name="case_submit"),
    path("<int:pk>/close/", views.case_close, name="case_close"),
    path("<int:pk>/approve/", views.case_approve, name="case_approve"),
    path("<int:pk>/send-back/", views.case_send_back, name="case_send_back"),
    path("<int:pk>/reopen/", views.case_reopen, name="case_reopen"),
    path("<int:pk>/goals/add/", views.case_goal_add, name="case_goal_add"),
    path("<int:pk>/sessions/add/", views.case_session_add, name="case_session_add"),
    path("<int:pk>/notes/add/", views.case_note_add, name="case_note_add"),
    path("visit/new/", views.visit_new, name="visit_new"),
    path("overdue/", views.overdue, name="overdue"),
    path("coverage/", views.coverage, name="coverage"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
]
