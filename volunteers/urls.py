from django.urls import path

app_name = "volunteers"
urlpatterns = []
