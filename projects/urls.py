from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/move/", views.project_move, name="project_move"),
    path("<int:pk>/evaluate/", views.project_evaluate, name="project_evaluate"),
    path("<int:pk>/report/", views.funder_report, name="funder_report"),
    path("contests/<int:pk>/results/", views.contest_results, name="contest_results"),
    path(
        "judge/login/",
        auth_views.LoginView.as_view(
            template_name="projects/judge_login.html", next_page="projects:judge_home"
        ),
        name="judge_login",
    ),
    path(
        "judge/logout/", auth_views.LogoutView.as_view(next_page="projects:judge_login"), name="judge_logout"
    ),
    path("judge/", views.judge_home, name="judge_home"),
    path(
        "judge/round/<int:round_id>/application/<int:application_id>/", views.judge_score, name="judge_score"
    ),
]
