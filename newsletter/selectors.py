"""
Reads of the newsletter app: who receives what, what the weekly digest holds, how a mailing went.

Districts and themes come from ``pages.terms``; the digest's articles, events and specials from
``pages.selectors`` and the ward's notices from ``wardinfo.selectors``: only what a visitor may see.
"""

from django.db.models import Count, Q
from django.utils import timezone

from members.crypto import email_digest
from members.selectors import use_stopped_members
from pages.selectors import listed_model, listed_pages, visible_pages
from pages.terms import district_model, locale_by_code, theme_model, visible_districts, visible_themes
from wardinfo.selectors import ward_notices

from .models import Delivery, Issue, Mailing, Status, Subscriber

DIGEST_LIMITS = {"article": 8, "event": 8, "special": 3, "notice": 8}


# --- subscribers ------------------------------------------------------------------------------

def subscriber_by_email(email):
    return Subscriber.objects.filter(email_hash=email_digest(email)).first()


def subscriber_of_member(user):
    """The member's subscription: linked to the account, or (not yet linked) at the account's address."""
    if not user.is_authenticated:
        return None
    linked = Subscriber.objects.filter(user=user).first()
    if linked is not None or not user.email_hash:
        return linked
    return Subscriber.objects.filter(email_hash=user.email_hash, user__isnull=True).first()


def japanese_terms():
    """The visible districts and themes subscribers choose from (the Japanese pages, as content is tagged)."""
    locale = locale_by_code("ja")
    return list(visible_districts(locale).order_by("path")), list(visible_themes(locale).order_by("path"))


def terms_by_slug(model_kind, slugs):
    """(pages found, slugs not found) among the visible Japanese districts (``"district"``) or themes."""
    locale = locale_by_code("ja")
    queryset = visible_districts(locale) if model_kind == "district" else visible_themes(locale)
    wanted = list(dict.fromkeys(slugs))
    found = {page.slug: page for page in queryset.filter(slug__in=wanted)}
    return [found[slug] for slug in wanted if slug in found], [slug for slug in wanted if slug not in found]


def choices_of(subscriber):
    """What the subscriber receives, as stored with their consent and shown to them."""
    return {"districts": sorted(subscriber.districts.values_list("slug", flat=True)),
            "themes": sorted(subscriber.themes.values_list("slug", flat=True)),
            "language": subscriber.language, "issues": subscriber.issues, "digest": subscriber.digest}


# --- recipients -------------------------------------------------------------------------------

def _in_terms(queryset, relation, terms):
    """Subscribers who chose one of ``terms`` (by translation key) or none of that kind at all."""
    if not terms:
        return queryset
    through = Subscriber._meta.get_field(relation).remote_field.through
    target = "districtpage" if relation == "districts" else "themepage"
    chose = through.objects.filter(**{f"{target}__translation_key__in": [t.translation_key for t in terms]})
    return queryset.filter(Q(pk__in=chose.values("subscriber_id")) | ~Q(pk__in=through.objects.values("subscriber_id")))


def _mailable(queryset):
    """Not the subscription of a member who stopped the use of their data (利用停止): linked, or at their address."""
    stopped = use_stopped_members()
    return queryset.exclude(user__in=stopped).exclude(email_hash__in=stopped.values("email_hash"))


def issue_recipients(issue):
    """Active subscribers of editors' issues in the issue's segment (language, districts, themes)."""
    queryset = _mailable(Subscriber.objects.filter(status=Status.ACTIVE, issues=True))
    if issue.language:
        queryset = queryset.filter(language=issue.language)
    queryset = _in_terms(queryset, "districts", list(issue.districts.all()))
    return _in_terms(queryset, "themes", list(issue.themes.all()))


def digest_recipients():
    return _mailable(Subscriber.objects.filter(status=Status.ACTIVE, digest=True))


# --- the weekly digest's content --------------------------------------------------------------

def new_in_period(kind, start, end, district=None, theme=None):
    """
    ``(pk, translation key, date)`` of what is new in ``start``–``end`` (Japanese pages, newest
    first): articles, events (still to come or running) and specials first published then, and
    ward notices published then; narrowed to a district or a theme when given.
    """
    limit = DIGEST_LIMITS[kind]
    if kind == "notice":
        notices = ward_notices(district, theme).filter(published_at__gte=start, published_at__lt=end)
        return [(pk, None, date) for pk, date in notices.values_list("pk", "published_at")[:limit]]
    pages = listed_pages(kind, locale_by_code("ja"), district, theme).filter(
        first_published_at__gte=start, first_published_at__lt=end)
    if kind == "event":
        pages = pages.filter(end__gte=end)
    return list(pages.order_by("-first_published_at", "-pk").values_list(
        "pk", "translation_key", "first_published_at")[:limit])


def pages_in_language(kind, rows, language):
    """The pages of ``rows`` (from ``new_in_period``) in ``language`` where translated, else in Japanese."""
    model = listed_model(kind)
    keys = [key for _pk, key, _date in rows]
    translated = {}
    if language != "ja":
        translated = {page.translation_key: page for page in visible_pages(model, locale_by_code(language))
                      .filter(translation_key__in=keys)}
    originals = {page.pk: page for page in visible_pages(model).filter(pk__in=[pk for pk, _k, _d in rows])}
    found = [translated.get(key) or originals.get(pk) for pk, key, _date in rows]
    return [page for page in found if page is not None]


def notices_by_id(ids):
    order = {pk: n for n, pk in enumerate(ids)}
    return sorted(ward_notices().filter(pk__in=ids), key=lambda notice: order[notice.pk])


def visible_page(page_id):
    """A page an issue names, if a visitor may see it now (a page unpublished since is left out)."""
    return visible_pages().filter(pk=page_id).specific().first()


def term_models():
    return district_model(), theme_model()


# --- issues and mailings ------------------------------------------------------------------------

def due_issues(now=None):
    """Approved issues whose sending time has come (or that have none) and that were never sent."""
    now = now or timezone.now()
    return (Issue.objects.filter(live=True).filter(Q(send_at__isnull=True) | Q(send_at__lte=now))
            .exclude(mailings__kind=Mailing.Kind.ISSUE).order_by("pk"))


def unfinished_mailings():
    return Mailing.objects.exclude(state=Mailing.State.DONE).order_by("pk")


FIGURES = {
    "recipients": Count("deliveries"),
    "sent": Count("deliveries", filter=Q(deliveries__state=Delivery.State.SENT)),
    "pending": Count("deliveries", filter=Q(deliveries__state=Delivery.State.PENDING)),
    "failed": Count("deliveries", filter=Q(deliveries__state=Delivery.State.FAILED)),
    "cancelled": Count("deliveries", filter=Q(deliveries__state=Delivery.State.CANCELLED)),
    "bounced": Count("deliveries", filter=Q(deliveries__bounced_at__isnull=False)),
    "unsubscribed": Count("deliveries", filter=Q(deliveries__unsubscribed_at__isnull=False)),
    "complaints": Count("deliveries", filter=Q(deliveries__complained_at__isnull=False)),
}


def mailings_with_figures(queryset=None):
    """Mailings, newest first, each with its figures: recipients, sent, pending, failed, cancelled,
    bounced, unsubscribed (through that mail) and complaints. Also for the monthly usage report."""
    return (queryset if queryset is not None else Mailing.objects.all()).annotate(**FIGURES).order_by(
        "-created_at", "-pk")


def figures_of(mailing):
    return {name: getattr(found, name) for found in mailings_with_figures(Mailing.objects.filter(pk=mailing.pk))
            for name in FIGURES}


def figures_between(start, end):
    """Totals of the mailings created in ``start``–``end`` (the monthly usage report's line)."""
    totals = Delivery.objects.filter(mailing__created_at__gte=start, mailing__created_at__lt=end).aggregate(
        sent=Count("pk", filter=Q(state=Delivery.State.SENT)), failed=Count("pk", filter=Q(state=Delivery.State.FAILED)),
        bounced=Count("pk", filter=Q(bounced_at__isnull=False)),
        unsubscribed=Count("pk", filter=Q(unsubscribed_at__isnull=False)),
        complaints=Count("pk", filter=Q(complained_at__isnull=False)))
    totals["mailings"] = Mailing.objects.filter(created_at__gte=start, created_at__lt=end).count()
    return totals
