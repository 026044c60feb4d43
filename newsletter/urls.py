from django.urls import path
from django.views.generic import TemplateView

from . import views

app_name = "newsletter"

urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("sent/", TemplateView.as_view(template_name="newsletter/subscribe_done.html"), name="subscribe_done"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("me/", views.preferences, name="preferences"),
]
