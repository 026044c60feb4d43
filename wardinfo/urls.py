from django.urls import path, re_path

from . import feeds, views

# Under the site's language prefixes (Japanese at "/", English at "/en/", ...).
urlpatterns = [
    path("ward-notices/", views.notice_list, name="ward_notice_list"),
    re_path(r"^feeds/(?P<kind>[a-z]+)\.(?P<feed_format>rss|atom)$", feeds.feed, name="wardinfo_feed"),
    path("feeds/events.ics", feeds.events_calendar, name="wardinfo_calendar"),
    re_path(r"^feeds/(?P<scope>districts|themes)/(?P<slug>[-\w]+)/(?P<kind>[a-z]+)\.(?P<feed_format>rss|atom)$",
            feeds.feed, name="wardinfo_term_feed"),
    re_path(r"^feeds/(?P<scope>districts|themes)/(?P<slug>[-\w]+)/events\.ics$", feeds.events_calendar,
            name="wardinfo_term_calendar"),
]
