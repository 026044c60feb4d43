from django.urls import path

from . import views

app_name = "board"

urlpatterns = [
    path("board/", views.board_index, name="index"),
    path("board/mine/", views.my_contributions, name="mine"),
    path("board/threads/<int:pk>/", views.thread_detail, name="thread"),
    path("board/posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("board/posts/<int:pk>/delete/", views.post_delete, name="post_delete"),
    path("board/posts/<int:pk>/flag/", views.post_flag, name="post_flag"),
    path("board/images/<int:pk>/", views.post_image, name="image"),
    path("board/<slug:slug>/", views.board_detail, name="board"),
    path("board/<slug:slug>/new/", views.thread_new, name="thread_new"),
    path("submissions/", views.submission_index, name="submissions"),
    path("submissions/new/<str:kind>/", views.submission_new, name="submission_new"),
    path("local-info/", views.local_info_list, name="local_info"),
    path("local-info/<int:pk>/", views.local_info_detail, name="local_info_detail"),
]
