"""The member's side of personal-data requests, under /members/me/privacy/ (portal/urls.py)."""

from django.urls import path

from . import views

app_name = "compliance"

urlpatterns = [
    path("", views.disclosure, name="disclosure"),
    path("data.json", views.disclosure_json, name="disclosure_json"),
    path("requests/", views.requests, name="requests"),
    path("requests/<int:pk>/withdraw/", views.withdraw_request, name="withdraw_request"),
    path("stop/", views.stop, name="stop_use"),
    path("resume/", views.resume, name="lift_use"),
]
