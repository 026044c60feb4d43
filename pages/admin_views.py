"""The pages app's own admin views (mounted by ``wagtail_hooks``, behind the admin's log-in)."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET

from .slugs import propose_slug


@require_GET
def slug_proposal(request):
    """``{"slug": ...}``: the slug ``pages.slugs`` proposes for ``?title=`` (the editor's slug field asks)."""
    return JsonResponse({"slug": propose_slug(request.GET.get("title", "")[:255])})
