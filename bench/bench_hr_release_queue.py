"""HR's release queue and a member profile page over the bench data set:
server time per request through Django's full stack (test client), and the
number of SQL queries per page. The queue keeps its total and rows in the
cache until a release changes (members/versions.py): ``queue_*`` is the page
built (the version bumped before each request), ``queue_cached_*`` served
from the cache."""

from bench.pages import measure_page

NAME = "hr_release_queue"
REQUESTS = 60


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
    from members import versions

    queue = measure_page(client, "/hr/vrijstellingen/", REQUESTS, before_each=lambda: versions.bump("releases"))
    cached = measure_page(client, "/hr/vrijstellingen/", REQUESTS)
    profile = MemberProfile.objects.filter(home_organisation_id=org_id).first()
    profile_page = measure_page(client, f"/leden/{profile.pk}/", REQUESTS)
    return {
        "queue_p50_ms": round(queue.p50_ms, 1),
        "queue_p95_ms": round(queue.p95_ms, 1),
        "queue_queries": queue.queries,
        "queue_cached_p50_ms": round(cached.p50_ms, 1),
        "queue_cached_queries": cached.queries,
        "waiting_in_queue": busiest["n"],
        "profile_p50_ms": round(profile_page.p50_ms, 1),
        "profile_p95_ms": round(profile_page.p95_ms, 1),
        "profile_queries": profile_page.queries,
        "members": MemberProfile.objects.count(),
    }
