"""
The must-show flow on the real stack: an editor's article waits for the two-step workflow; once
a moderator approves, it is in /api/v3/pages/ and in search results (Elasticsearch). The
moderators are told by e-mail, through a real SMTP server.
"""

import email.header

import pytest
from django.urls import reverse
from wagtail.search.backends import get_search_backend

from pages.models import ArticleIndexPage, ArticlePage, DistrictPage
from tests.staff import login_staff

from ..pages.workflow_helpers import add_url, article_form

pytestmark = pytest.mark.django_db

TITLE = "落合で手ぬぐいを染める職人"


def _text(message):
    """Subject and body of a received message, decoded."""
    subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
    parts = message.walk() if message.is_multipart() else [message]
    bodies = [part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
              for part in parts if part.get_content_maintype() == "text"]
    return subject + "\n" + "\n".join(bodies)


def _refresh_search():
    from search.engine import get_engine

    backend = get_search_backend()
    backend.get_index_for_model(ArticlePage).refresh()  # Wagtail's index (the API's ?search=)
    get_engine().refresh()  # the cross-source index (the site search)


def _found(client, query):
    api = client.get("/api/v3/pages/", {"search": query, "type": "pages.ArticlePage"}).json()
    site = client.get("/search/", {"q": query}).content.decode()
    return [item["title"] for item in api["items"]], TITLE in site


def _approve(client, moderator, page):
    login_staff(client, moderator)
    task_state = page.current_workflow_state.current_task_state
    response = client.post(
        reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk)), {"comment": "OK"}
    )
    assert response.status_code in (200, 302)
    page.refresh_from_db()


def test_an_approved_article_reaches_the_api_and_search(client, editor, moderator, make_staff, smtp_server,
                                                         django_capture_on_commit_callbacks):
    parent = ArticleIndexPage.objects.get()
    district = DistrictPage.objects.get(slug="ochiai-daiichi")
    login_staff(client, editor)
    data = article_form(TITLE, "tenugui", districts=[district])
    data["action-submit"] = "1"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(add_url(parent), data)
    page = ArticlePage.objects.get(slug="tenugui")
    assert not page.live

    # The moderators were told, by e-mail through the SMTP server.
    to_moderator = [message for message in smtp_server.messages if message["To"] == moderator.email]
    assert to_moderator, [message["To"] for message in smtp_server.messages]
    assert TITLE in _text(to_moderator[0])

    client.logout()
    _refresh_search()
    titles, on_site = _found(client, "手ぬぐい")
    assert TITLE not in titles and not on_site, "nothing is searchable before approval"

    with django_capture_on_commit_callbacks(execute=True):
        _approve(client, moderator, page)
        assert not page.live, "review is the first of two steps"
        _approve(client, make_staff("Moderators"), page)  # four eyes: a second person publishes
    assert page.live

    client.logout()
    _refresh_search()
    listed = client.get("/api/v3/pages/", {"type": "pages.ArticlePage", "child_of": parent.pk, "limit": 20,
                                          "order": "-first_published_at"}).json()
    assert TITLE in [item["title"] for item in listed["items"]]
    detail = client.get(f"/api/v3/pages/{page.pk}/").json()
    assert detail["districts"] == [{"id": district.pk, "title": "落合第一", "slug": "ochiai-daiichi"}]
    titles, on_site = _found(client, "手ぬぐい")
    assert TITLE in titles, titles
    assert on_site
