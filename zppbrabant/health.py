"""GET /health/: is this instance fit to serve, and is the background work
being done?

- database and Redis failing → 503: the load balancer takes this instance out;
- no Celery worker answering a ping → "degraded" with 200 (the site works,
  background jobs wait in the queue), or 503 with ``?strict=1`` for monitoring
  that should page someone. The worker ping is cached for 30 seconds so a
  busy health check does not flood the broker.
"""

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from zppbrabant.env import redis_reachable

CELERY_PING_CACHE_KEY = "health:celery"
CELERY_PING_SECONDS = 30


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        return "error"


def _celery() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "not used (tasks run in-process)"
    cache = caches["db"]
    try:
        cached = cache.get(CELERY_PING_CACHE_KEY)
    except Exception:  # noqa: BLE001 - the database check reports this
        cached = None
    if cached:
        return cached
    from zppbrabant.celery import app

    try:
        replies = app.control.ping(timeout=1.0)
    except Exception:  # noqa: BLE001 - broker down: the Redis check says so
        replies = []
    state = f"ok ({len(replies)} worker{'s' if len(replies) != 1 else ''})" if replies else "no worker answered"
    try:
        cache.set(CELERY_PING_CACHE_KEY, state, CELERY_PING_SECONDS)
    except Exception:  # noqa: BLE001
        pass
    return state


@never_cache
def health(request):
    checks = {"database": _database()}
    if settings.CELERY_TASK_ALWAYS_EAGER:
        checks["redis"] = "not used (tasks run in-process)"
    else:
        checks["redis"] = "ok" if redis_reachable(settings.REDIS_URL) else "error"
    checks["celery"] = _celery() if checks["redis"] != "error" else "error"

    failed = checks["database"] == "error" or checks["redis"] == "error"
    degraded = not checks["celery"].startswith(("ok", "not used"))
    status = "error" if failed else "degraded" if degraded else "ok"
    strict = request.GET.get("strict") == "1"
    http_status = 503 if failed or (strict and degraded) else 200
    return JsonResponse({"status": status, "checks": checks}, status=http_status)
