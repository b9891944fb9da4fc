"""Engagements: the contracts hours are logged against. A member sees their
own; coordinators and HR see those of their organisation (hiring or home);
the programme manager and the administrator see all."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from marketplace import selectors
from members.roles import roles_of

PAGE_SIZE = 25

PERIODS = ("current", "upcoming", "ended")


@login_required
def engagement_list(request):
    if not roles_of(request.user).in_network:
        raise Http404
    engagements = selectors.engagements_visible_to(request.user)
    period = request.GET.get("period", "")
    today = timezone.localdate()
    if period == "current":
        engagements = engagements.filter(start_date__lte=today, end_date__gte=today)
    elif period == "upcoming":
        engagements = engagements.filter(start_date__gt=today)
    elif period == "ended":
        engagements = engagements.filter(end_date__lt=today)
    else:
        period = ""
    engagements = engagements.order_by("-start_date", "-pk")
    page = Paginator(engagements, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "marketplace/engagements/engagement_list.html",
        {"engagements": page, "period": period, "today": today},
    )


@login_required
def engagement_detail(request, pk):
    engagement = get_object_or_404(
        selectors.engagements_visible_to(request.user).select_related("created_by"), pk=pk
    )
    roles = roles_of(request.user)
    is_member = engagement.member.user_id == request.user.pk
    hiring_coordinator = roles.is_coordinator_for(engagement.hiring_organisation_id)
    # Link to the assignment only where its page would not be a 404.
    show_assignment = (
        engagement.assignment_id is not None
        and selectors.assignments_visible_to(request.user).filter(pk=engagement.assignment_id).exists()
    )
    show_application = engagement.application_id is not None and (
        is_member or hiring_coordinator or roles.sees_everything
    )
    return render(
        request,
        "marketplace/engagements/engagement_detail.html",
        {
            "engagement": engagement,
            "member": engagement.member,
            "is_member": is_member,
            "show_assignment": show_assignment,
            "show_application": show_application,
            "today": timezone.localdate(),
        },
    )
