"""GET /health/ for the load balancer (database, Redis) and for monitoring
(Celery workers)."""

import pytest
from django.core.cache import caches

from zppbrabant import health as health_module
from zppbrabant.celery import app

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_broker(settings):
    """As in production: tasks go to Redis (the test run is eager otherwise)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    caches["db"].delete(health_module.CELERY_PING_CACHE_KEY)


def test_healthy_in_process_mode(client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["celery"].startswith("not used")


def test_a_worker_answering_is_ok(client, with_broker, monkeypatch):
    monkeypatch.setattr(app.control, "ping", lambda timeout: [{"celery@web1": {"ok": "pong"}}])
    body = client.get("/health/").json()
    assert body == {"status": "ok", "checks": {"database": "ok", "redis": "ok", "celery": "ok (1 worker)"}}


def test_no_worker_is_degraded_but_serving_and_strict_fails(client, with_broker, monkeypatch):
    monkeypatch.setattr(app.control, "ping", lambda timeout: [])
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["celery"] == "no worker answered"
    assert client.get("/health/?strict=1").status_code == 503


def test_the_worker_ping_is_cached(client, with_broker, monkeypatch):
    calls = []
    monkeypatch.setattr(app.control, "ping", lambda timeout: calls.append(1) or [{"w": {}}])
    client.get("/health/")
    client.get("/health/")
    assert len(calls) == 1


def test_redis_down_is_unhealthy(client, settings, with_broker):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "error"


def test_database_down_is_unhealthy(client, monkeypatch):
    class BrokenConnection:
        def cursor(self):
            raise OSError("connection refused")

    monkeypatch.setattr(health_module, "connection", BrokenConnection())
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["status"] == "error"
