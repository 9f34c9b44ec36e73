from django.urls import path

from . import views

app_name = "volunteers"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.sign_in, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("points/", views.ledger, name="ledger"),
    path("hours/", views.hours, name="hours"),
    path("activities/", views.activities, name="activities"),
    path("shifts/<int:pk>/", views.shift_detail, name="shift"),
    path("checkin/<int:shift_pk>/<str:token>/", views.checkin, name="checkin"),
    path("rewards/", views.rewards, name="rewards"),
    path("rewards/<int:pk>/", views.reward_detail, name="reward"),
    path("rewards/<int:pk>/confirm/", views.reward_confirm, name="reward_confirm"),
    path("reminders/", views.reminders, name="reminders"),
    path("redemptions/", views.redemptions, name="redemptions"),
    path("redemptions/<int:pk>/", views.redemption_detail, name="redemption"),
    path("certificate/", views.certificate, name="certificate"),
    path("certificates/<str:number>/", views.certificate_detail, name="certificate_detail"),
    path("verify/<str:number>/", views.verify, name="verify"),
    path("staff/shifts/<int:pk>/", views.shift_screen, name="shift_screen"),
]
