"""
Which answers change what the cached pages show (``portal.cache_invalidation`` asks, after each
application or survey answer is stored or deleted and its transaction has committed): a first-come
call filling up (「定員に達しました」) or a place freed again by a cancellation, a survey reaching its
limit of answers (「受付終了」). The cards of district, theme and listing pages and the API carry the
badge, and the anonymous page cache would show the old one for up to ``PAGE_CACHE_SECONDS``.

The form's status (``surveys.selectors.form_status``) is compared with the one last seen, kept in the
store the caller gives (the page cache's generations, shared by every process): only a change
retires the pages and the API, so a popular call's hundred applications do not empty the page cache
a hundred times. A status not seen before (a new form, a flushed cache) counts as a change. A status
that changes with time alone (opening, closing) is left to the cache's own lifetime, as before.
"""

from .models import Application, RecruitmentPage, Response, SurveyPage
from .selectors import form_status

KEY = "surveys:status:{}"
KEPT_SECONDS = 7 * 24 * 3600
ANSWERS = (Application, Response)  # what residents store that may change a form's status


def form_of(answer):
    """(page model, page id) of an application or a survey answer."""
    return (RecruitmentPage if isinstance(answer, Application) else SurveyPage), answer.page_id


def changed(model, page_id, store):
    """
    Has the status of the form ``page_id`` (of ``model``) changed since it was last seen in ``store``
    (a cache; the new one is kept)? False for a form deleted since.
    """
    page = model.objects.filter(pk=page_id).first()
    if page is None:
        return False
    status = form_status(page)
    key = KEY.format(page.pk)
    if store.get(key) == status:
        return False
    store.set(key, status, KEPT_SECONDS)
    return True
