from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("board/", views.board, name="board"),
    path("<int:pk>/filing-record/", views.filing_record, name="filing_record"),
]
