"""Security headers the public site sends on every response."""

from urllib.parse import urlsplit

from django.conf import settings


class SecurityHeadersMiddleware:
    """
    A Content-Security-Policy that allows nothing from other origins: the site loads no
    third-party scripts, fonts, trackers or CDNs, and resident-written text can never run
    script. The Wagtail admin needs inline scripts and styles, so it gets a looser policy.

    No public page may be framed (``frame-ancestors 'none'``, ``X-Frame-Options: DENY``), with
    one exception: a page rendered as a preview for the admin's side panel, which is an iframe
    of the admin's own origin. Wagtail renders that preview through a request of its own (marked
    ``is_preview``, never set from anything a client sends) that passes through this middleware
    with the page's public path, so it is recognised by that mark, not by its path.
    """

    PUBLIC_POLICY = (
        "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; frame-src 'none'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
    # The public policy, framed by the admin only (its side-panel preview).
    PREVIEW_POLICY = PUBLIC_POLICY.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
    # The API's interactive docs (Swagger UI, served from our own static files).
    DOCS_POLICY = (
        "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
    )
    ADMIN_POLICY = "object-src 'none'; base-uri 'self'; frame-ancestors 'self'"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "is_preview", False):
            response["Content-Security-Policy"] = self.preview_policy()
            response["X-Frame-Options"] = "SAMEORIGIN"  # before XFrameOptionsMiddleware sets DENY
        elif "Content-Security-Policy" not in response:
            if request.path.startswith("/admin/"):
                policy = self.ADMIN_POLICY
            elif request.path.startswith("/api/v3/docs"):
                policy = self.DOCS_POLICY
            else:
                policy = self.PUBLIC_POLICY
            response["Content-Security-Policy"] = policy
        response.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=(), interest-cohort=()")
        return response

    def preview_policy(self):
        """
        With a headless front end (``HEADLESS_PREVIEW_URL``), the preview is a small page that
        frames the front end's preview route (with an inline style): that origin may be framed.
        """
        front_end = settings.HEADLESS_PREVIEW_URL
        if not front_end:
            return self.PREVIEW_POLICY
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(front_end))
        return (
            self.PREVIEW_POLICY.replace("frame-src 'none'", f"frame-src {origin}")
            .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        )
