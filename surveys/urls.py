from django.urls import path, re_path

from . import feeds, views

app_name = "surveys"

urlpatterns = [
    path("mine/", views.my_applications, name="mine"),
    path("applications/<int:application_id>/cancel/", views.cancel_application, name="cancel"),
    re_path(r"^feeds/open\.(?P<feed_format>rss|atom)$", feeds.feed, name="feed"),
    re_path(r"^feeds/(?P<scope>districts|themes)/(?P<slug>[-\w]+)/open\.(?P<feed_format>rss|atom)$", feeds.feed,
            name="term_feed"),
]
