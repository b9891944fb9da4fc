"""Members marketing themselves: an offer ("aanbod") published to the network,
a searchable directory of offers, and coordinators answering an offer with
an invitation to apply."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace import selectors, services
from marketplace.forms_network import InviteForm, OfferForm, OfferSearchForm
from marketplace.models import Assignment, Offer
from members.errors import DomainError
from members.roles import require, roles_of
from members.viewhelpers import form_error, network_only

PAGE_SIZE = 20


def invite_scope(user, member):
    """Published assignments (deadline not passed) of the organisations this
    person coordinates that ``member`` may see. The administrator may invite
    for any organisation."""
    roles = roles_of(user)
    qs = selectors.assignments_visible_to(user).filter(
        status=Assignment.Status.PUBLISHED,
        application_deadline__gte=timezone.localdate(),
    )
    if not roles.admin:
        qs = qs.filter(organisation_id__in=roles.coordinator_of)
    # Still in its internal-first window: not yet for other organisations' members.
    qs = qs.exclude(
        Q(province_wide_at__gt=timezone.now()) & ~Q(organisation_id=member.home_organisation_id)
    )
    return qs.order_by("application_deadline", "title")


def invite_form(request, member):
    """The choice offers only assignments the member was neither invited to
    nor applied to; choosing one of those anyway (an old page, a second tab)
    reaches the service, which says why at the field."""
    scope = invite_scope(request.user, member)
    return InviteForm(
        request.POST or None,
        assignments=scope.exclude(invitations__member=member).exclude(applications__member=member),
        valid_assignments=scope,
    )


def can_invite(user) -> bool:
    roles = roles_of(user)
    return roles.is_coordinator or roles.admin


# --- The directory -----------------------------------------------------------


@login_required
def offer_list(request):
    """Published offers, for everyone in the network: full-text search in
    Dutch (ranked), filter by skill and hours; the state is in the URL."""
    network_only(request)
    form = OfferSearchForm(request.GET or None)
    offers = selectors.offers_visible_to(request.user).filter(
        status=Offer.Status.PUBLISHED, available_until__gte=timezone.localdate()
    )
    searching = False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        q = (data.get("q") or "").strip()
        if q:
            searching = True
            query = SearchQuery(q, config="dutch", search_type="websearch")
            offers = offers.filter(search_vector=query).annotate(
                rank=SearchRank(F("search_vector"), query)
            )
        if data.get("skill"):
            offers = offers.filter(skills=data["skill"])
        if data.get("hours_min") is not None:
            offers = offers.filter(hours_per_week__gte=data["hours_min"])
        if data.get("hours_max") is not None:
            offers = offers.filter(hours_per_week__lte=data["hours_max"])
    if searching:
        offers = offers.order_by("-rank", "-created_at", "-pk")
    else:
        offers = offers.order_by("-created_at", "-pk")
    page = Paginator(offers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "marketplace/offers/offer_list.html",
        {"form": form, "offers": page, "searching": searching},
    )


@login_required
def offer_detail(request, pk):
    """A published offer is visible to the network, a withdrawn one only to
    its author. Coordinators answer it with an invitation to apply."""
    offer = get_object_or_404(
        selectors.offers_visible_to(request.user).filter(
            Q(status=Offer.Status.PUBLISHED) | Q(member__user=request.user)
        ),
        pk=pk,
    )
    is_own = offer.member.user_id == request.user.pk
    form = None
    if can_invite(request.user) and not is_own and offer.status == Offer.Status.PUBLISHED:
        form = invite_form(request, offer.member)
        if request.method == "POST" and form.is_valid():
            try:
                services.assignment_invite(
                    actor=request.user,
                    assignment=form.cleaned_data["assignment"],
                    member=offer.member,
                    message=form.cleaned_data["message"],
                    offer=offer,
                )
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s was invited to apply for “%(title)s”.")
                    % {"name": offer.member, "title": form.cleaned_data["assignment"].title},
                )
                return redirect(offer.get_absolute_url())
    elif request.method == "POST":
        require(False)
    invitations = (
        selectors.assignment_invitations_visible_to(request.user).filter(offer=offer)
        if (form is not None or is_own)
        else None
    )
    return render(
        request,
        "marketplace/offers/offer_detail.html",
        {"offer": offer, "is_own": is_own, "form": form, "invitations": invitations},
    )


# --- The member's own offers ---------------------------------------------------


def _own_offer(request, pk):
    offer = get_object_or_404(selectors.offers_visible_to(request.user), pk=pk)
    require(offer.member.user_id == request.user.pk)
    return offer


@login_required
def my_offers(request):
    require(roles_of(request.user).is_member)
    offers = (
        selectors.offers_visible_to(request.user)
        .filter(member__user=request.user)
        .order_by("status", "-created_at")
    )
    return render(request, "marketplace/offers/my_offers.html", {"offers": offers})


@login_required
def offer_create(request):
    require(roles_of(request.user).is_member)
    today = timezone.localdate()
    form = OfferForm(request.POST or None, initial={"available_from": today})
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.offer_save(
                actor=request.user, data=form.service_data(), skills=list(form.cleaned_data["skills"])
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Your offer is published to the whole network."))
            return redirect(offer.get_absolute_url())
    return render(request, "marketplace/offers/offer_form.html", {"form": form, "offer": None})


@login_required
def offer_edit(request, pk):
    offer = _own_offer(request, pk)
    form = OfferForm(request.POST or None, instance=offer)
    if request.method == "POST" and form.is_valid():
        was_withdrawn = offer.status == Offer.Status.WITHDRAWN
        try:
            offer = services.offer_save(
                actor=request.user, offer=offer, data=form.service_data(),
                skills=list(form.cleaned_data["skills"]),
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                _("Your offer is published again.") if was_withdrawn else _("Your offer was saved."),
            )
            return redirect(offer.get_absolute_url())
    return render(request, "marketplace/offers/offer_form.html", {"form": form, "offer": offer})


@login_required
@require_POST
def offer_withdraw(request, pk):
    offer = _own_offer(request, pk)
    try:
        services.offer_withdraw(actor=request.user, offer=offer)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your offer was withdrawn; only you can still see it."))
    return redirect("marketplace:my_offers")
