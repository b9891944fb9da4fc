"""HR's release queue and a member profile page over the bench data set:
server time per request through Django's full stack (test client), and the
number of SQL queries per page."""

import statistics
import time

NAME = "hr_release_queue"
REQUESTS = 60


def _measure(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm up
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], len(queries)


def run() -> dict:
    from django.conf import settings
    from django.db.models import Count
    from django.test import Client

    from members.models import Membership, MemberProfile, Release

    settings.ALLOWED_HOSTS = ["*"]
    busiest = (
        Release.objects.filter(status="requested")
        .values("member__home_organisation")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    org_id = busiest["member__home_organisation"]
    hr = Membership.objects.filter(role="hr", organisation_id=org_id).select_related("user").first().user
    client = Client()
    client.force_login(hr)
    queue_p50, queue_p95, queue_queries = _measure(client, "/hr/vrijstellingen/")
    profile = MemberProfile.objects.filter(home_organisation_id=org_id).first()
    profile_p50, profile_p95, profile_queries = _measure(client, f"/leden/{profile.pk}/")
    return {
        "queue_p50_ms": round(queue_p50, 1),
        "queue_p95_ms": round(queue_p95, 1),
        "queue_queries": queue_queries,
        "waiting_in_queue": busiest["n"],
        "profile_p50_ms": round(profile_p50, 1),
        "profile_p95_ms": round(profile_p95, 1),
        "profile_queries": profile_queries,
        "members": MemberProfile.objects.count(),
    }
