"""
The site's answer when the database is away (a restart, a failover, a network cut): 503 with
``Retry-After`` instead of a 500, so people and clients know to come back, and load balancers and
monitoring see an outage, not a bug. A Japanese page on the web (rendered without the database,
like the 500 page), the problem document ``database_unavailable`` on the API (``portal.api``).
Django reconnects by itself once the database is back (``CONN_HEALTH_CHECKS``): nothing to restart.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as default_server_error

from apikit import problem

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def database_unavailable_problem():
    return problem(503, _("データベースに接続できないため、ただいまご利用いただけません。しばらくしてからお試しください。"),
                   code="database_unavailable", retry_after=RETRY_AFTER_SECONDS)


@requires_csrf_token
def server_error(request):
    """``handler500``: the database away is a 503 (page or problem document); anything else the 500 page."""
    error = sys.exc_info()[1]
    if not isinstance(error, DATABASE_ERRORS):
        return default_server_error(request)
    logger.warning("database unavailable at %s: %s", request.path, error)
    if request.path.startswith("/api/"):
        return database_unavailable_problem()
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
