"""The matching pages: a member's recommended assignments (and hiding one),
saved searches, e-mail preferences and the unsubscribe link; for
coordinators the suggested candidates of an assignment, inviting one, and
the training the assignment asks for."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from marketplace import services as market_services
from marketplace.models import Assignment, Source
from marketplace.views.assignments import managed_assignment
from matching import searches, selectors, services
from matching.forms import AssignmentTrainingForm, CandidateInviteForm, EmailPreferenceForm, SavedSearchForm
from matching.models import AssignmentTraining
from members import selectors as member_selectors
from members.errors import DomainError
from members.roles import require, roles_of
from members.viewhelpers import form_error, paginate

PAGE_SIZE = 20


def _member_profile(request):
    require(roles_of(request.user).is_member)
    return member_selectors.profiles_visible_to(request.user).get(user=request.user)


# --- Member: recommended assignments ----------------------------------------------


@login_required
def my_suggestions(request):
    """All the member's suggestions that still hold, best first, each with
    its reasons."""
    profile = _member_profile(request)
    return render(
        request,
        "matching/my_suggestions.html",
        {"page": paginate(request, selectors.open_suggestions_for(profile), PAGE_SIZE),
         "preference": selectors.preference_of(profile)},
    )


@login_required
@require_POST
def suggestion_dismiss(request, pk):
    suggestion = get_object_or_404(selectors.suggestions_visible_to(request.user), pk=pk)
    require(suggestion.member.user_id == request.user.pk)
    try:
        services.suggestion_dismiss(actor=request.user, suggestion=suggestion)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("“%(title)s” is hidden and will not be suggested again.") % {"title": suggestion.assignment.title}
        )
    # The home page's "Recommended for you" has the same button.
    return redirect("home" if request.POST.get("next") == "home" else "matching:my_suggestions")


# --- Member: saved searches ------------------------------------------------------


def _saved_search_page(request, search=None):
    profile = _member_profile(request)
    if search is None:
        initial = {"alert": True}
        # "Save this search" from the assignment list arrives with its query string.
        filter_data = request.POST if request.method == "POST" else (request.GET or None)
    else:
        initial = {"name": search.name, "alert": search.alert, "frequency": search.frequency}
        filter_data = request.POST if request.method == "POST" else searches.as_querydict(search.filters)
    form = SavedSearchForm(request.POST or None, initial=initial)
    assignment_filter = searches.assignment_filter(filter_data)
    if request.method == "POST" and form.is_valid() and assignment_filter.form.is_valid():
        try:
            search = services.saved_search_save(
                actor=request.user, search=search, name=form.cleaned_data["name"],
                filters=searches.filters_from(request.POST), frequency=form.cleaned_data["frequency"],
                alert=form.cleaned_data["alert"],
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Your search “%(name)s” is saved.") % {"name": search.name})
            return redirect("matching:saved_search_list")
    return render(
        request,
        "matching/saved_search_form.html",
        {"form": form, "filter": assignment_filter, "search": search, "profile": profile},
    )


@login_required
def saved_search_list(request):
    profile = _member_profile(request)
    saved = list(selectors.saved_searches_of(request.user))
    for search in saved:
        search.list_url = searches.list_url(search)
    return render(
        request, "matching/saved_search_list.html",
        {"searches": saved, "preference": selectors.preference_of(profile)},
    )


@login_required
def saved_search_create(request):
    return _saved_search_page(request)


@login_required
def saved_search_edit(request, pk):
    search = get_object_or_404(selectors.saved_searches_of(request.user), pk=pk)
    return _saved_search_page(request, search)


@login_required
@require_POST
def saved_search_delete(request, pk):
    search = get_object_or_404(selectors.saved_searches_of(request.user), pk=pk)
    try:
        services.saved_search_delete(actor=request.user, search=search)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your search “%(name)s” is deleted.") % {"name": search.name})
    return redirect("matching:saved_search_list")


# --- Member: e-mail preferences and unsubscribing -------------------------------------


@login_required
def email_preferences(request):
    profile = _member_profile(request)
    preference = selectors.preference_of(profile)
    form = EmailPreferenceForm(
        request.POST or None,
        initial={"digest_frequency": preference.digest_frequency,
                 "saved_search_alerts": preference.saved_search_alerts},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_update(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Your e-mail preferences are saved."))
            return redirect("matching:email_preferences")
    return render(request, "matching/email_preferences.html", {"form": form, "preference": preference})


@csrf_exempt
def unsubscribe(request, token):
    """The link in every digest; works without logging in. GET shows a page
    with a button (mail scanners and link previews fetch links, and must
    not unsubscribe anyone); POST unsubscribes. That POST also serves mail
    programs' one-click unsubscribe (RFC 8058, List-Unsubscribe-Post), which
    carries no CSRF token; the signed token is what authorises it."""
    try:
        member = services.member_for_unsubscribe_token(token)
    except DomainError as error:
        return render(request, "matching/unsubscribe.html", {"invalid": error.message}, status=404)
    done = False
    if request.method == "POST":
        services.unsubscribe(token=token)
        done = True
    elif request.method != "GET":
        return render(request, "matching/unsubscribe.html", {"member": member}, status=405)
    return render(request, "matching/unsubscribe.html", {"member": member, "done": done, "token": token})


# --- Coordinators: suggested candidates ---------------------------------------------


@login_required
def candidates(request, pk):
    """The assignment's suggested candidates, ranked, with their reasons and
    the hours a week their release leaves free in its period."""
    assignment = managed_assignment(request, pk)
    asked = list(AssignmentTraining.objects.filter(assignment=assignment).select_related("module"))
    return render(
        request,
        "matching/candidates.html",
        {"assignment": assignment, "page": paginate(request, selectors.candidates_for(assignment), PAGE_SIZE),
         "asked_training": asked, "can_invite": assignment.status == Assignment.Status.PUBLISHED},
    )


@login_required
def candidate_invite(request, pk, member_pk):
    """Invite a suggested candidate to apply: the marketplace's invitation,
    recorded as coming from a match suggestion."""
    assignment = managed_assignment(request, pk)
    profile = get_object_or_404(member_selectors.profiles_visible_to(request.user), pk=member_pk)
    suggestion = selectors.candidates_for(assignment).filter(member=profile).first()
    form = CandidateInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            market_services.assignment_invite(
                actor=request.user, assignment=assignment, member=profile,
                message=form.cleaned_data["message"], source=Source.SUGGESTION,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(
                request, _("%(name)s was invited to apply for “%(title)s”.") % {"name": profile, "title": assignment.title}
            )
            return redirect("matching:candidates", pk=assignment.pk)
    return render(
        request, "matching/candidate_invite.html",
        {"assignment": assignment, "profile": profile, "suggestion": suggestion, "form": form},
    )


@login_required
def assignment_training(request, pk):
    """The training modules this assignment asks for (part of the score)."""
    assignment = managed_assignment(request, pk)
    current = list(AssignmentTraining.objects.filter(assignment=assignment).values_list("module_id", flat=True))
    form = AssignmentTrainingForm(request.POST or None, initial={"modules": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_training_set(
                actor=request.user, assignment=assignment, modules=form.cleaned_data["modules"]
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The training asked for is saved; the candidates are matched again."))
            return redirect("matching:candidates", pk=assignment.pk)
    return render(request, "matching/assignment_training.html", {"assignment": assignment, "form": form})
