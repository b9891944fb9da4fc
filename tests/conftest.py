"""Shared fixtures: personas (ARCHITECTURE §6), logged-in clients, and the
environment every test runs in (eager Celery, empty caches)."""

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.test import Client

from members.models import Membership
from members.services import membership_grant
from tests.factories import OrganisationFactory, UserFactory


# --- Environment ----------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2 with a million rounds costs ~0.3 s per user; tests create many."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Uploaded and generated files (CVs, invoices, certificates) go to a
    temporary folder, never into var/uploads of the checkout."""
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


@pytest.fixture(autouse=True)
def _mfa_not_required(settings):
    """Tests log people in without a second factor; tests/members/test_mfa.py
    switches the requirement on and checks it."""
    settings.MFA_REQUIRED = False


@pytest.fixture(autouse=True)
def _celery_eager(settings):
    """Tasks run in-process. Django's setting is read by the Celery app only
    once, so the app's own configuration is switched as well."""
    from zppbrabant.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    old = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old


def _clear(cache):
    """Empty a cache. On Redis only this run's keys (its KEY_PREFIX), so two
    test runs on one machine, or a running dev server, never lose sessions
    or queued work to each other's FLUSHDB."""
    if isinstance(cache, RedisCache) and cache.key_prefix:
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _clear_caches(db):
    """allauth keeps its rate-limit counters in the cache: start every test
    with none. ("db" is the database cache, "default" Redis or the database.)"""
    for alias in ("default", "db"):
        _clear(caches[alias])
    yield


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Tests run inside one transaction, so ``transaction.on_commit`` side
    effects (e-mails) never fire by themselves. Use as
    ``with run_on_commit(): ...`` to run them when the block ends."""

    def _ctx():
        return django_capture_on_commit_callbacks(execute=True)

    return _ctx


# --- Organisations and personas -------------------------------------------


@pytest.fixture
def org_a(db):
    return OrganisationFactory(name="Gemeente Aadorp", slug="aadorp")


@pytest.fixture
def org_b(db):
    return OrganisationFactory(name="Gemeente Beedorp", slug="beedorp")


def _person(email, organisation, role, **user_kwargs):
    user = UserFactory(email=email, **user_kwargs)
    membership_grant(actor=None, user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def member_a(org_a):
    """ZPP member of A (with the MemberProfile ``membership_grant`` creates)."""
    return _person("lid.a@example.nl", org_a, Membership.Role.MEMBER)


@pytest.fixture
def member_b(org_b):
    return _person("lid.b@example.nl", org_b, Membership.Role.MEMBER)


@pytest.fixture
def coordinator_a(org_a):
    return _person("coordinator.a@example.nl", org_a, Membership.Role.COORDINATOR)


@pytest.fixture
def coordinator_b(org_b):
    return _person("coordinator.b@example.nl", org_b, Membership.Role.COORDINATOR)


@pytest.fixture
def hr_a(org_a):
    return _person("hr.a@example.nl", org_a, Membership.Role.HR)


@pytest.fixture
def hr_b(org_b):
    return _person("hr.b@example.nl", org_b, Membership.Role.HR)


@pytest.fixture
def programme_manager(db):
    return _person("programma@example.nl", None, Membership.Role.PROGRAMME_MANAGER)


@pytest.fixture
def training_coordinator(db):
    """Runs the training programme province-wide (no organisation)."""
    return _person("opleidingen@example.nl", None, Membership.Role.TRAINING_COORDINATOR)


@pytest.fixture
def admin_user(db):
    """Superuser. Overrides pytest-django's fixture of the same name."""
    return UserFactory(email="beheer@example.nl", is_superuser=True, is_staff=True)


PERSONA_NAMES = (
    "anonymous",
    "member_a",
    "member_b",
    "coordinator_a",
    "coordinator_b",
    "hr_a",
    "hr_b",
    "programme_manager",
    "training_coordinator",
    "admin_user",
)


@pytest.fixture
def personas(member_a, member_b, coordinator_a, coordinator_b, hr_a, hr_b,
             programme_manager, training_coordinator, admin_user):
    return {
        "anonymous": None,
        "member_a": member_a,
        "member_b": member_b,
        "coordinator_a": coordinator_a,
        "coordinator_b": coordinator_b,
        "hr_a": hr_a,
        "hr_b": hr_b,
        "programme_manager": programme_manager,
        "training_coordinator": training_coordinator,
        "admin_user": admin_user,
    }


@pytest.fixture
def client_for(db):
    """``client_for(user)`` → a ``Client`` logged in as ``user`` (anonymous
    for ``None``). Each call gives a fresh client with its own session."""

    def _client_for(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return _client_for
