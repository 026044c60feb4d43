"""
Shared fixtures. The demo site (fixtures.demo) is built once per test session, inside the test
database; every test then runs in a transaction that is rolled back.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.management import call_command

from fixtures.demo import build_demo
from tests.mail_commit import outbox_commits, real_commit  # noqa: F401 - mail leaves after commit


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        build_demo(scale=1, report=lambda message: None)
        call_command("update_index", verbosity=0)
        call_command("rebuild_search_index", verbosity=0)  # the cross-source search (search app)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Hashing speed is not under test here; the production hasher is.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cached(settings, client):
    """GET a URL twice, with the anonymous page cache on (the second from the cache); returns the cached answer."""
    settings.PAGE_CACHE_SECONDS = 600
    caches["pages"].clear()
    caches["page_versions"].clear()

    def get(url):
        client.get(url)
        response = client.get(url)
        assert response["X-Page-Cache"] == "hit", url
        return response

    yield get
    caches["pages"].clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a change as if its transaction committed: what waits for the commit (cache retirements, mail) runs."""
    def run(change):
        with django_capture_on_commit_callbacks(execute=True):
            return change()
    return run


@pytest.fixture
def make_staff(db):
    """A staff member in one of the groups: make_staff("Editors")."""
    counter = iter(range(1, 1000))

    def make(group_name, **extra):
        n = next(counter)
        user = get_user_model().objects.create_user(
            email=f"{group_name.lower()}{n}@example.jp", password="correct horse battery staple",
            nickname=f"{group_name}{n}", first_name="太郎", last_name="テスト", is_staff=False, **extra,
        )
        user.groups.add(Group.objects.get(name=group_name))
        return user

    return make


@pytest.fixture
def editor(make_staff):
    return make_staff("Editors")


@pytest.fixture
def moderator(make_staff):
    return make_staff("Moderators")


@pytest.fixture
def administrator(make_staff):
    return make_staff("Administrators")


SERVICES_SEEN = pytest.StashKey[list]()


def pytest_configure(config):
    config.stash[SERVICES_SEEN] = []


@pytest.fixture
def report_service(request):
    """Tests that talk to a real service name it and its version for the end-of-run summary."""
    return request.config.stash[SERVICES_SEEN].append


def pytest_terminal_summary(terminalreporter, config):
    seen = config.stash.get(SERVICES_SEEN, [])
    if seen:
        terminalreporter.section("real services used")
        for line in seen:
            terminalreporter.write_line(line)
