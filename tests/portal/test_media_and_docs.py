"""Uploaded files and the API docs are served without opening a door to script."""

import pytest
from wagtail.images import get_image_model

from tests.staff import login_staff

pytestmark = pytest.mark.django_db


def test_image_renditions_are_served_as_inert_images(client):
    image = get_image_model().objects.first()
    rendition = image.get_rendition("fill-400x300|format-webp")
    response = client.get(rendition.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", ["documents/evil.html", "images/evil.html", "images/evil.svg", "images/x.js",
                                  "original_images/../../settings.py", "other/photo.png"])
def test_nothing_but_images_is_served_from_media(client, settings, name):
    target = settings.MEDIA_ROOT / name
    if ".." not in name:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("<script>alert(1)</script>")
    assert client.get(f"/media/{name}").status_code == 404


def test_documents_of_unsafe_types_cannot_be_uploaded(client, editor):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from wagtail.documents import get_document_model

    login_staff(client, editor)

    def upload(name, data, content_type):
        file = SimpleUploadedFile(name, data, content_type=content_type)
        return client.post("/admin/documents/multiple/add/", {"files[]": file},
                           headers={"x-requested-with": "XMLHttpRequest"})

    assert upload("evil.html", b"<script>alert(1)</script>", "text/html").status_code in (200, 400)
    assert upload("evil.svg", b"<svg onload=alert(1)>", "image/svg+xml").status_code in (200, 400)
    upload("guide.pdf", b"%PDF-1.4 demo", "application/pdf")
    titles = set(get_document_model().objects.values_list("title", flat=True))
    assert "guide.pdf" in titles, "an allowed type is stored (the upload path works)"
    assert not {"evil.html", "evil.svg"} & titles


def test_the_api_docs_load_nothing_from_other_sites(client):
    response = client.get("/api/v3/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "cdn." not in html and "https://" not in html
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
