from django.shortcuts import render

from members import selectors, versions
from members.roles import roles_of


HOME_LIST_SIZE = 6
RECOMMENDED_SIZE = 5
# The member's open applications and invitations: title, organisation, status.
HOME_ROW_COLUMNS = (
    "id", "status", "created_at", "member_id", "assignment_id",
    "assignment__id", "assignment__title", "assignment__organisation_id",
    "assignment__organisation__id", "assignment__organisation__name",
)


def home(request):
    """The landing page for visitors; a page per role for people logged in.
    Every section is a fixed number of queries, whatever the data."""
    if not request.user.is_authenticated:
        return render(request, "home_public.html")
    roles = roles_of(request.user)
    context = {}
    if roles.is_member:
        context.update(_member_home(request.user))
    if roles.is_coordinator:
        context.update(_coordinator_marketplace(request.user))
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


def _member_home(user) -> dict:
    """The member's profile, release and marketplace (6 queries; the newest
    assignments come from the cache — see home.html)."""
    from django.db.models import Exists, OuterRef, Q
    from django.utils import timezone

    from members.models import MemberProfile, Release

    has_skills = MemberProfile.skills.through.objects.filter(memberprofile_id=OuterRef("pk"))
    profile = (
        selectors.profiles_visible_to(user).filter(user=user).select_related(None).prefetch_related(None)
        .only("id", "user_id", "home_organisation_id", "bio").annotate(has_skills=Exists(has_skills)).first()
    )
    if profile is None:
        return {"profile": None}
    today = timezone.localdate()
    # The release in force and the requested ones in one query (newest first).
    releases = list(
        selectors.releases_visible_to(user).select_related(None).filter(member=profile).filter(
            Q(status=Release.Status.APPROVED, start_date__lte=today, end_date__gte=today)
            | Q(status=Release.Status.REQUESTED)
        )
    )
    return {
        "profile": profile,
        "current_release": next((r for r in releases if r.status == Release.Status.APPROVED), None),
        "pending_releases": [r for r in releases if r.status == Release.Status.REQUESTED],
        **_member_marketplace(user, profile),
    }


def _member_marketplace(user, profile) -> dict:
    """"Recommended for you" (the matching suggestions), the newest
    assignments (a lazy query: home.html keeps the rendered block in the
    cache under ``recent_key``), and what is still open: their applications
    and invitations (3 queries)."""
    from django.utils import timezone
    from django.utils.translation import get_language

    from marketplace import selectors as market
    from marketplace.models import Application, Assignment, AssignmentInvitation
    from matching.selectors import recommended_for

    published = market.assignments_visible_to(user).filter(status=Assignment.Status.PUBLISHED)
    return {
        "recommended": recommended_for(profile, limit=RECOMMENDED_SIZE),
        "recent_assignments": published.order_by("-published_at", "-pk")[:HOME_LIST_SIZE],
        "cache_seconds": versions.CACHE_SECONDS,
        "recent_key": "|".join([
            str(market.assignment_list_version()), market.published_scope_key(user),
            get_language() or "", str(timezone.localdate()),
        ]),
        # Only what the lists show: the title, organisation and status.
        "open_applications": market.applications_visible_to(user)
        .filter(member=profile, status__in=Application.OPEN_STATUSES)
        .select_related(None).select_related("assignment__organisation")
        .only(*HOME_ROW_COLUMNS).order_by("-created_at")[:10],
        "open_invitations": market.assignment_invitations_visible_to(user)
        .filter(member=profile, status=AssignmentInvitation.Status.OPEN)
        .select_related(None).select_related("assignment__organisation")
        .only(*HOME_ROW_COLUMNS).order_by("-created_at")[:10],
    }


def _coordinator_marketplace(user) -> dict:
    """The organisation's assignments still in play, with application counts,
    and how many applications wait for a decision (2 queries)."""
    from marketplace import selectors as market
    from marketplace.models import Application, Assignment

    return {
        "coordinator_assignments": market.assignments_of_organisations(user)
        .filter(status__in=[Assignment.Status.DRAFT, Assignment.Status.PUBLISHED, Assignment.Status.CLOSED])
        [:10],
        "waiting_count": market.inbox_for(user).filter(status__in=Application.OPEN_STATUSES).count(),
    }


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    # No context processors: the database may be the thing that failed.
    import sys

    from django.db import InterfaceError, OperationalError
    from django.http import HttpResponse, HttpResponseServerError
    from django.template import loader

    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        # The database is restarting or unreachable: nothing is broken, a
        # retry in a moment works (connections are health-checked).
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "10"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
