"""
Reads of surveys and calls: their status, what a visitor may see of them, the results.

``form_status`` is the one rule of 受付中 / 締切 / 定員 / 受付前 the site, the API and the services
share. Results (``tally``) count the stored answers per question; the public results page shows
totals only and hides any count under ``PUBLIC_MINIMUM`` (``public_tally``).
"""

from collections import Counter

from django.db.models import Q
from django.utils import timezone
from wagtail.models import Page

from pages.selectors import below, in_language
from pages.terms import in_terms

from .fieldtypes import CHOICE_TYPES, DATE, FREE_TEXT, MULTIPLE, NUMBER, SCALE, split_choices
from .models import Application, ApplicationState, Comment, RecruitmentPage, SurveyPage

PUBLIC_MINIMUM = 5
STATUSES = ("open", "closed", "full", "upcoming")
KINDS = {"survey": SurveyPage, "recruitment": RecruitmentPage}


def selected_count(page):
    return page.applications.filter(state=ApplicationState.SELECTED).count()


def response_count(page):
    return page.responses.count()


def form_status(page, now=None):
    """``upcoming``, ``open``, ``full`` (a first-come call at capacity) or ``closed``."""
    now = now or timezone.now()
    if page.opens_at and page.opens_at > now:
        return "upcoming"
    if page.closes_at and page.closes_at <= now:
        return "closed"
    if isinstance(page, SurveyPage):
        if page.max_responses and response_count(page) >= page.max_responses:
            return "closed"
        return "open"
    if page.mode == RecruitmentPage.Mode.FIRST_COME and selected_count(page) >= page.capacity:
        return "full"
    return "open"


def remaining(page):
    """Places left (a call), answers left (a survey with a limit), or None."""
    if isinstance(page, RecruitmentPage):
        return max(0, page.capacity - selected_count(page))
    if page.max_responses:
        return max(0, page.max_responses - response_count(page))
    return None


def visible_forms(model, locale=None):
    queryset = model.objects.live().public()
    return queryset.filter(locale=locale) if locale is not None else queryset


def not_closed(queryset, now=None):
    now = now or timezone.now()
    return queryset.filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))


def listed_forms(locale=None, parent=None, kind=None, district=None, theme=None, include_closed=False,
                 originals=False):
    """
    Surveys and calls a visitor may see, open (and full) ones only unless ``include_closed``, soonest
    closing first. With ``originals`` (the public site's listings; not the API or the feeds, which give
    one language), the Japanese originals of untranslated ones too (``pages.selectors.in_language``).
    """
    found = []
    for name, model in KINDS.items():
        if kind and kind != name:
            continue
        visible = in_language(visible_forms(model), locale) if originals else visible_forms(model, locale)
        queryset = in_terms(visible, district, theme)
        if parent is not None:
            queryset = below(queryset, parent) if originals else queryset.descendant_of(parent)
        if not include_closed:
            queryset = not_closed(queryset).filter(Q(opens_at__isnull=True) | Q(opens_at__lte=timezone.now()))
        found += [page for page in queryset.select_related("locale").prefetch_related("districts", "themes")
                  if include_closed or form_status(page) in ("open", "full")]
    far = timezone.now() + timezone.timedelta(days=36500)
    return sorted(found, key=lambda page: (page.closes_at or far, page.pk))


def visible_form(page_id):
    """A live, public survey or call by id, or None."""
    page = Page.objects.live().public().filter(pk=page_id).specific().first()
    return page if isinstance(page, SurveyPage | RecruitmentPage) else None


# --- results -------------------------------------------------------------------------------------

def _responses(page, district=None):
    responses = page.responses.all()
    if district is not None:
        responses = responses.filter(district__translation_key=district.translation_key)
    return list(responses.values_list("answers", flat=True))


def _question(field, answers):
    values = [a.get(field.clean_name) for a in answers if a.get(field.clean_name) not in (None, "", [])]
    result = {"name": field.clean_name, "label": field.label, "type": field.field_type, "answered": len(values),
              "rows": [], "mean": None, "texts": []}
    if field.field_type in CHOICE_TYPES or field.field_type == SCALE:
        counts = Counter(v for value in values for v in (value if field.field_type == MULTIPLE else [value]))
        options = split_choices(field.choices) if field.field_type in CHOICE_TYPES else list(range(1, 6))
        result["rows"] = [{"label": str(option), "count": counts.get(option, 0)} for option in options]
    if field.field_type in (SCALE, NUMBER) and values:
        result["mean"] = round(sum(float(v) for v in values) / len(values), 2)
    if field.field_type in FREE_TEXT or field.field_type == DATE:
        result["texts"] = [str(v) for v in values]
    return result


def tally(page, district=None):
    """Per question: how many answered, the count of each choice (or scale point), the mean of numbers."""
    answers = _responses(page, district)
    return {"total": len(answers), "questions": [_question(field, answers) for field in page.get_form_fields()]}


def district_counts(page):
    counts = Counter(page.responses.values_list("district__title", flat=True))
    return [{"label": title or "（未回答）", "count": count} for title, count in counts.most_common()]


def _suppressed(question):
    """
    The rows with every count under ``PUBLIC_MINIMUM`` hidden (None). Where the rows add up to the
    question's answers (one choice, a scale), a single hidden count could be worked out from the
    total and the others, so the smallest shown count is hidden with it (secondary suppression).
    """
    counts = [row["count"] for row in question["rows"]]
    hidden = {index for index, count in enumerate(counts) if count < PUBLIC_MINIMUM}
    if len(hidden) == 1 and question["type"] != MULTIPLE and len(counts) > 1:
        hidden.add(min((index for index in range(len(counts)) if index not in hidden), key=counts.__getitem__))
    return [{"label": row["label"], "count": None if index in hidden else row["count"]}
            for index, row in enumerate(question["rows"])]


def public_tally(page):
    """
    The public results: totals of the choice and scale questions only, with any count under
    ``PUBLIC_MINIMUM`` hidden (``count`` None); free text only as the moderated comments the
    survey publishes.
    """
    results = tally(page)
    questions = []
    for question in results["questions"]:
        if question["type"] in FREE_TEXT or question["type"] in (NUMBER, DATE):
            continue
        questions.append({**question, "rows": _suppressed(question), "texts": []})
    shown = page.comments.filter(status="shown").order_by("created_at") if page.publish_comments else Comment.objects.none()
    return {"total": results["total"], "questions": questions, "comments": list(shown)}


def chart_rows(question, width=320):
    """Bars for the server-rendered SVG chart: each row's width in pixels of ``width``."""
    top = max([row["count"] or 0 for row in question["rows"]] + [1])
    return [{**row, "width": round((row["count"] or 0) * width / top), "y": index * 28}
            for index, row in enumerate(question["rows"])]


# --- applications --------------------------------------------------------------------------------

def own_applications(member):
    return Application.objects.filter(member=member).select_related("page").order_by("-created_at", "-pk")


def applicant_details(application):
    """What staff see of one applicant: only the items the call needs (a member's from their profile)."""
    page, member = application.page, application.member
    details = {}
    if page.ask_name:
        details["name"] = f"{member.last_name} {member.first_name}".strip() if member else application.name
    details["email"] = member.email if member else application.email
    if page.ask_phone:
        details["phone"] = application.phone
    if page.ask_address:
        details["address"] = (" ".join(filter(None, [member.postal_code, member.prefecture, member.municipality,
                                                    member.street, member.building])) if member else application.address)
    return details
