"""
Wagtail's own user admin (/admin/users/), limited to staff accounts.

Residents' accounts carry personal data that staff may see only through the audited member
admin (/admin/members/: masked list, reveal with a reason). Wagtail's user list and edit form
would show their e-mail and name to administrators without a trace, so here they see only
accounts with admin roles: superusers, ``is_staff`` and members of any group.
"""

from django.db.models import Q
from django.http import Http404
from wagtail.users.views import users as wagtail_users

STAFF_ACCOUNTS = Q(is_superuser=True) | Q(is_staff=True) | Q(groups__isnull=False)


def is_staff_account(user):
    return user.is_superuser or user.is_staff or user.groups.exists()


class StaffOnlyObjectMixin:
    def get_object(self, queryset=None):
        user = super().get_object(queryset)
        if not is_staff_account(user):
            raise Http404("スタッフのアカウントではありません。会員は「会員管理」で扱います。")
        return user


class StaffIndexView(wagtail_users.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().filter(STAFF_ACCOUNTS).distinct()


class StaffEditView(StaffOnlyObjectMixin, wagtail_users.EditView):
    pass


class StaffDeleteView(StaffOnlyObjectMixin, wagtail_users.DeleteView):
    pass


class StaffUserViewSet(wagtail_users.UserViewSet):
    index_view_class = StaffIndexView
    edit_view_class = StaffEditView
    delete_view_class = StaffDeleteView

