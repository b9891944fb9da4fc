"""The training list pages cost the same number of SQL queries with few or
many rows (ARCHITECTURE §6)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CompletionFactory, EnrolmentFactory, ModuleFactory, SessionFactory
from training import services


@pytest.fixture(autouse=True)
def _local_cache_and_sessions(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "training-q"},
        "db": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "training-q-db"},
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"


def count(client, path) -> tuple[int, list[str]]:
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries), [q["sql"][:200] for q in ctx.captured_queries]


def same(small, large):
    assert small[0] == large[0], "\n".join(large[1])
    return small[0]


def _modules(n, base):
    first = None
    for i in range(n):
        module = ModuleFactory(
            title=f"{base} {i}", levels=["starter"], prerequisites=[first] if first else None,
        )
        SessionFactory(module=module)
        first = first or module
    return first


def test_catalogue(client_for, member_a):
    client = client_for(member_a)
    path = reverse("training:module_list")
    _modules(3, "Module A")
    small = count(client, path)
    _modules(15, "Module B")
    assert same(small, count(client, path)) <= 10  # 8 measured


def test_my_training(client_for, member_a, make_members):
    client = client_for(member_a)
    profile = member_a.profile
    path = reverse("training:my_training")

    def add(n, base):
        for i in range(n):
            module = ModuleFactory(title=f"{base} {i}", levels=["starter"])
            session = SessionFactory(module=module, capacity=1)
            services.enrolment_create(actor=make_members(1)[0], session=session)
            services.enrolment_create(actor=member_a, session=session)  # waiting: its queue rank is shown
            CompletionFactory(member=profile, module=ModuleFactory(title=f"{base} gedaan {i}"))
            ModuleFactory(title=f"{base} aanbevolen {i}", levels=["starter"])

    add(2, "Klein")
    small = count(client, path)
    add(8, "Groot")
    assert same(small, count(client, path)) <= 15  # 13 measured


def test_manage_and_enrolment_list(client_for, training_coordinator, make_members):
    client = client_for(training_coordinator)
    session = SessionFactory(capacity=3)
    manage, enrolments = reverse("training:manage"), reverse("training:session_enrolments", args=[session.pk])

    def add(n):
        for user in make_members(n):
            services.enrolment_create(actor=user, session=session)
        for _ in range(n):
            SessionFactory(module=ModuleFactory())

    add(2)
    small_manage, small_list = count(client, manage), count(client, enrolments)
    add(12)
    same(small_manage, count(client, manage))
    same(small_list, count(client, enrolments))
    EnrolmentFactory(session=session)  # and a seat written directly still shows
    assert count(client, enrolments)[0] == small_list[0]
