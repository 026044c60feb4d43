"""
A member's language (``User.language``) follows the public site's language they use: set at
registration (``services.register_member``), then updated here when a logged-in member is served a
page of the public site in another language (they switched with the language switcher, or opened a
link in another language). The mails staff send them (a refusal, a sanction) go out in it.

Only pages under the language prefixes (``i18n_patterns`` in portal/urls.py) count: the admin, the
API and the ads' counting URLs have no language of the public site.
"""

import functools

from django.urls import LocalePrefixPattern, Resolver404, URLResolver, get_resolver

from .models import User


@functools.cache
def _public_site(urlconf):
    """The resolver of the language-prefixed URLs (``i18n_patterns``), or None."""
    for pattern in get_resolver(urlconf).url_patterns:
        if isinstance(pattern, URLResolver) and isinstance(pattern.pattern, LocalePrefixPattern):
            return pattern
    return None


def is_public_page(request):
    """Whether the request was served by a view under the language prefixes."""
    served, site = getattr(request, "resolver_match", None), _public_site(getattr(request, "urlconf", None))
    if served is None or site is None:
        return False
    try:
        match = site.resolve(request.path_info.lstrip("/"))
    except Resolver404:
        return False
    return match.func == served.func and match.url_name == served.url_name


class MemberLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        language = getattr(request, "LANGUAGE_CODE", None)
        user = getattr(request, "user", None)
        if (language and response.status_code < 400 and user is not None and user.is_authenticated
                and user.language != language and is_public_page(request)):
            User.objects.filter(pk=user.pk).update(language=language)
            user.language = language
        return response
