from django.shortcuts import render

from members import selectors
from members.roles import roles_of


HOME_LIST_SIZE = 6
RECOMMENDED_SIZE = 5


def home(request):
    """The landing page for visitors; a page per role for people logged in.
    Every section is a fixed number of queries, whatever the data."""
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
            context.update(_member_marketplace(request.user, profile))
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


def _member_marketplace(user, profile) -> dict:
    """"Recommended for you" (the matching suggestions), the newest
    assignments, and what is still open: their applications and invitations
    (4 queries)."""
    from marketplace import selectors as market
    from marketplace.models import Application, Assignment, AssignmentInvitation
    from matching.selectors import recommended_for

    published = market.assignments_visible_to(user).filter(status=Assignment.Status.PUBLISHED)
    return {
        "recommended": recommended_for(profile, limit=RECOMMENDED_SIZE),
        "recent_assignments": published.order_by("-published_at", "-pk")[:HOME_LIST_SIZE],
        "open_applications": market.applications_visible_to(user)
        .filter(member=profile, status__in=Application.OPEN_STATUSES)
        .order_by("-created_at")[:10],
        "open_invitations": market.assignment_invitations_visible_to(user)
        .filter(member=profile, status=AssignmentInvitation.Status.OPEN)
        .order_by("-created_at")[:10],
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
