"""Security headers the public site sends on every response."""


class SecurityHeadersMiddleware:
    """
    A Content-Security-Policy that allows nothing from other origins: the site loads no
    third-party scripts, fonts, trackers or CDNs, and resident-written text can never run
    script. The Wagtail admin needs inline scripts and styles, so it gets a looser policy.
    """

    PUBLIC_POLICY = (
        "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; frame-src 'none'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
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
        if "Content-Security-Policy" not in response:
            if request.path.startswith("/admin/"):
                policy = self.ADMIN_POLICY
            elif request.path.startswith("/api/v3/docs"):
                policy = self.DOCS_POLICY
            else:
                policy = self.PUBLIC_POLICY
            response["Content-Security-Policy"] = policy
        response.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=(), interest-cohort=()")
        return response
