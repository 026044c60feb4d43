"""Members, boards and reCAPTCHA for the moderation tests. All people are generated (Faker ja_JP)."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.utils import timezone
from django_recaptcha.client import RecaptchaResponse
from faker import Faker

from members.models import User
from moderation.models import Board, ModerationSettings, Thread
from moderation.services import ensure_boards

fake = Faker("ja_JP")
Faker.seed(20261126)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def real_captcha_keys(settings):
    """Production-like keys: the widget is shown and every token is checked with Google (the
    test keys skip both, members.captcha), so these tests see the check at work."""
    settings.RECAPTCHA_PUBLIC_KEY, settings.RECAPTCHA_PRIVATE_KEY = "6Lc-test-site-key", "6Lc-test-secret-key"


@pytest.fixture
def captcha_ok(real_captcha_keys):
    """reCAPTCHA's call to Google replaced (no network here); the field itself stays in the forms."""
    with mock.patch("django_recaptcha.fields.client.submit", return_value=RecaptchaResponse(is_valid=True)) as m:
        yield m


@pytest.fixture
def make_member(db):
    counter = iter(range(1, 10_000))

    def make(verified=True, **extra):
        n = next(counter)
        return User.objects.create_user(
            email=f"resident{n}-{fake.user_name()}@example.jp", password="correct horse battery staple",
            nickname=extra.pop("nickname", f"{fake.last_kana_name()}{n}"), last_name=fake.last_name(),
            first_name=fake.first_name(), email_verified_at=timezone.now() if verified else None,
            self_registered=True, **extra,
        )

    return make


@pytest.fixture
def member(make_member):
    return make_member()


@pytest.fixture
def policy(db):
    """The policy with new members trusted from their first post unless a test says otherwise."""
    settings = ModerationSettings.load()
    settings.trusted_after_approved_posts = 0
    settings.save()
    return settings


@pytest.fixture
def board(db):
    """The 大久保 board, emptied of the demo's conversations so that counts in tests are exact."""
    ensure_boards()
    Thread.objects.all().delete()
    return Board.objects.get(slug="district-okubo")


@pytest.fixture(autouse=True)
def every_decision_is_audited(request):
    """
    After every moderation test: each contribution a staff member decided on, and each sanction,
    has its entry in the audit trail (who, whom, what, with the text before and after).
    """
    yield
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        return
    from members.models import AuditEntry
    from moderation import registry
    from moderation.audit import ModerationAction
    from moderation.models import Sanction

    entries = AuditEntry.objects.filter(action__in=[
        ModerationAction.APPROVE, ModerationAction.REFUSE, ModerationAction.HIDE, ModerationAction.RESTORE,
        ModerationAction.EDIT, ModerationAction.SANCTION])
    targets = {entry.details.get("target") for entry in entries}
    for kind in registry.kinds():  # every kind the registry knows, a test's own included
        for item in kind.model.objects.exclude(decided_by=None):
            assert kind.key(item) in targets, f"{kind.key(item)} was decided without an audit entry"
    for sanction in Sanction.objects.all():
        assert f"sanction:{sanction.pk}" in targets, f"sanction {sanction.pk} has no audit entry"
    for entry in entries:
        assert entry.actor_id and entry.actor_label and entry.created_at
