from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.views.generic import TemplateView

from . import views
from .forms import MemberPasswordResetForm

app_name = "members"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/sent/", TemplateView.as_view(template_name="members/register_done.html"), name="register_done"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.profile, name="profile"),
    path("me/email/", views.change_email, name="change_email"),
    path("me/export/", views.export, name="export"),
    path("me/withdraw/", views.withdraw, name="withdraw"),
    path("withdrawn/", TemplateView.as_view(template_name="members/withdraw_done.html"), name="withdraw_done"),
    path("password-reset/", auth_views.PasswordResetView.as_view(
        template_name="members/password_reset.html", form_class=MemberPasswordResetForm, email_template_name="members/email/password_reset_body.txt",
        subject_template_name="members/email/password_reset_subject.txt",
        success_url=reverse_lazy("members:password_reset_done")), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="members/password_reset_done.html"), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="members/password_reset_confirm.html",
        success_url=reverse_lazy("members:login")), name="password_reset_confirm"),
    path("terms/", views.TermsView.as_view(), name="terms"),
    path("privacy/", views.PrivacyPolicyView.as_view(), name="privacy"),
]
