from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from members import selectors
from members.roles import roles_of


def home(request):
    """The landing page for visitors; a page per role for people logged in."""
    if not request.user.is_authenticated:
        return render(request, "home_public.html")
    roles = roles_of(request.user)
    context = {}
    if roles.is_member:
        profile = selectors.profiles_visible_to(request.user).filter(user=request.user).first()
        context["profile"] = profile
        if profile:
            context["current_release"] = profile.current_release()
            context["pending_releases"] = selectors.releases_visible_to(request.user).filter(
                member=profile, status="requested"
            )
    if roles.is_hr or roles.admin:
        context["release_queue"] = selectors.release_queue_for(request.user)[:10]
        context["release_queue_count"] = selectors.release_queue_for(request.user).count()
    if roles.organisation_ids:
        context["my_organisations"] = selectors.organisations_in_scope_of(request.user).filter(
            pk__in=roles.organisation_ids
        )
    if roles.sees_everything:
        context["organisations"] = selectors.organisations_with_counts(request.user)
    return render(request, "home.html", context)


@never_cache
def health(request):
    """Database and Redis, for the load balancer and docker-compose."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        checks["database"] = "error"
    from zppbrabant.env import redis_reachable

    if settings.CELERY_TASK_ALWAYS_EAGER:
        checks["redis"] = "not used (tasks run eagerly)"
    else:
        checks["redis"] = "ok" if redis_reachable(settings.REDIS_URL) else "error"
    healthy = all(v != "error" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks},
                        status=200 if healthy else 503)


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    # No context processors: the database may be the thing that failed.
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render())
