from django.urls import path

from . import views

app_name = "ads"

urlpatterns = [
    path("i/<str:token>", views.impression, name="impression"),
    path("c/<str:token>", views.click, name="click"),
    path("reports/", views.report_index, name="reports"),
    path("reports/bookings/<int:booking_id>/", views.report_booking, name="report_booking"),
    path("reports/bookings/<int:booking_id>/csv", views.report_booking_csv, name="report_booking_csv"),
]
