from django.conf.urls.i18n import i18n_patterns
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps import Sitemap
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.urls import serve_pattern

from reports.metrics import metrics_view as reports_metrics_view
from search import views as search_views

from . import health, i18n, media
from .api import api, not_found_view

# The database away: 503 with Retry-After (a Japanese page, or the API's problem document), not a 500.
handler500 = "portal.errors.server_error"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", reports_metrics_view, name="metrics"),  # Prometheus, with METRICS_TOKEN only
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("ads/", include("ads.urls")),  # counting image, click redirect, advertisers' reports: no language prefix
    path("api/v3/", api.urls),
    re_path(r"^api/v3/", not_found_view),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": Sitemap}}),
]

# Image files under /media/. Behind nginx (the compose stack) nginx serves them and this view is
# never reached. Only the image folders: documents are served by Wagtail's own view
# (/documents/), which applies collection privacy, never straight from disk.
urlpatterns += [
    re_path(r"^media/(?P<path>(?:original_images|images)/[^/]+)$", media.serve_image, name="media_image"),
]

# Japanese at "/", other languages under their prefix ("/en/", "/zh-hans/", "/ko/").
urlpatterns += i18n_patterns(
    path("search/", search_views.search, name="search"),
    path("members/me/privacy/", include("compliance.urls")),  # 開示等の請求, the disclosure, 利用停止
    path("members/", include("members.urls")),
    path("", include("wardinfo.urls")),
    path("", include("moderation.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("forms/", include("surveys.urls")),  # 応募の状況; the surveys and calls themselves are pages
    # Wagtail's page view, with the Japanese page served where a language has no translation of it
    # (before Wagtail's own pattern of the same name, which it shadows).
    re_path(serve_pattern, i18n.serve, name="wagtail_serve"),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
