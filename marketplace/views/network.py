"""The network: a directory of members available now (for coordinators, HR
and the programme), invitations to apply, and the member's side of them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace import selectors, services
from marketplace.forms_network import DirectorySearchForm
from marketplace.models import AssignmentInvitation
from marketplace.views.offers import can_invite, invite_form
from members.viewhelpers import form_error
from members import selectors as member_selectors
from members.errors import DomainError
from members.roles import require, roles_of

DIRECTORY_PAGE_SIZE = 25
PAGE_SIZE = 25


def _may_browse_directory(user) -> bool:
    roles = roles_of(user)
    return roles.is_coordinator or roles.is_hr or roles.sees_everything


@login_required
def member_directory(request):
    """Members with an approved release in force today, with the hours a
    week they have left (one annotated query, not one per row)."""
    require(_may_browse_directory(request.user))
    form = DirectorySearchForm(request.GET or None)
    profiles = selectors.with_hours_left_now(selectors.members_directory(request.user))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        name = (data.get("name") or "").strip()
        if name:
            profiles = profiles.filter(
                Q(user__last_name__icontains=name) | Q(user__first_name__icontains=name)
            )
        if data.get("skill"):
            profiles = profiles.filter(skills=data["skill"])
        if data.get("organisation"):
            profiles = profiles.filter(home_organisation=data["organisation"])
        if data.get("hours_min") is not None:
            profiles = profiles.filter(hours_left_now__gte=data["hours_min"])
    page = Paginator(profiles, DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "marketplace/network/member_directory.html",
        {"form": form, "profiles": page, "can_invite": can_invite(request.user)},
    )


@login_required
def member_invite(request, pk):
    """A coordinator invites a member to apply to one of their organisation's
    published assignments."""
    profile = get_object_or_404(member_selectors.profiles_visible_to(request.user), pk=pk)
    require(can_invite(request.user))
    form = invite_form(request, profile)
    if request.method == "POST" and form.is_valid():
        assignment = form.cleaned_data["assignment"]
        try:
            services.assignment_invite(
                actor=request.user, assignment=assignment, member=profile,
                message=form.cleaned_data["message"],
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s was invited to apply for “%(title)s”.")
                % {"name": profile, "title": assignment.title},
            )
            return redirect("marketplace:member_directory")
    return render(
        request,
        "marketplace/network/member_invite.html",
        {
            "profile": profile,
            "form": form,
            "hours_left": selectors.hours_left_now(profile),
        },
    )


@login_required
def my_invitations(request):
    """The member's invitations to apply: open ones first."""
    require(roles_of(request.user).is_member)
    invitations = (
        selectors.assignment_invitations_visible_to(request.user)
        .filter(member__user=request.user)
        .annotate(
            open_first=Case(
                When(status=AssignmentInvitation.Status.OPEN, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("open_first", "-created_at", "-pk")
    )
    page = Paginator(invitations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "marketplace/network/my_invitations.html", {"invitations": page})


@login_required
@require_POST
def invitation_decline(request, pk):
    invitation = get_object_or_404(selectors.assignment_invitations_visible_to(request.user), pk=pk)
    require(invitation.member.user_id == request.user.pk)
    try:
        services.assignment_invitation_decline(actor=request.user, invitation=invitation)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("You declined the invitation for “%(title)s”.") % {"title": invitation.assignment.title},
        )
    return redirect("marketplace:my_invitations")
