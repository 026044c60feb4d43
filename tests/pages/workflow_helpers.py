"""Admin form data for an interview article, as the Wagtail editor posts it."""

from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield


def article_form(title, slug, districts=(), themes=(), **extra):
    data = nested_form_data({
        "title": title,
        "slug": slug,
        "date": "2026-11-20",
        "interviewee": "〇〇町会 会長 山田さん",
        "lead": "町会の見守り活動について聞きました。",
        "hero_image": "",
        "hero_alt": "",
        "body": streamfield([
            ("paragraph", rich_text("<p>地域の見守り活動は十年目を迎えました。</p>")),
            ("qa", {"question": "始めたきっかけは？", "answer": rich_text("<p>近所の声からです。</p>"), "speaker": ""}),
        ]),
        "tags": "",
        "comments": inline_formset([]),
        "go_live_at": "",
        "expire_at": "",
        **extra,
    })
    data["districts"] = [str(d.pk) for d in districts]
    data["themes"] = [str(t.pk) for t in themes]
    return data


def add_url(parent, model_name="articlepage"):
    return reverse("wagtailadmin_pages:add", args=("pages", model_name, parent.pk))


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))
