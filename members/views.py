from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext as _
from django.views.decorators.http import require_POST

from members import selectors, services, versions
from members.errors import DomainError
from members.notifications import notification_mark_read
from members.forms import (
    InvitationForm,
    OrganisationForm,
    ProfileForm,
    ReleaseDecisionForm,
    ReleaseRequestForm,
)
from members.roles import require, roles_of
from members.signals import INVITATION_SESSION_KEY
from members.viewhelpers import form_error, network_only, paginate

PAGE_SIZE = 25


def _page(request, queryset, size=PAGE_SIZE):
    return paginate(request, queryset, size)


# --- Organisations --------------------------------------------------------


@login_required
def organisation_list(request):
    network_only(request)
    organisations = selectors.organisations_with_counts(request.user)
    return render(request, "members/organisation_list.html", {"organisations": organisations})


@login_required
def organisation_detail(request, slug):
    organisation = get_object_or_404(selectors.organisations_visible_to(request.user), slug=slug)
    profiles = selectors.profiles_with_current_release(
        selectors.profiles_visible_to(request.user).filter(home_organisation=organisation)
    ).order_by("user__last_name", "user__first_name")
    return render(
        request,
        "members/organisation_detail.html",
        {"organisation": organisation, "profiles": _page(request, profiles)},
    )


def _organisation_in_scope(request, slug):
    """Inside the scope: the person's own organisations (404 otherwise)."""
    return get_object_or_404(selectors.organisations_in_scope_of(request.user), slug=slug)


@login_required
def organisation_edit(request, slug):
    organisation = _organisation_in_scope(request, slug)
    require(roles_of(request.user).is_hr_for(organisation.pk))
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                actor=request.user, organisation=organisation, data=form.cleaned_data
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The organisation's details were saved."))
            return redirect(organisation.get_absolute_url())
    return render(request, "members/organisation_form.html", {"organisation": organisation, "form": form})


@login_required
def organisation_people(request, slug):
    organisation = _organisation_in_scope(request, slug)
    require(roles_of(request.user).is_hr_for(organisation.pk))
    people = selectors.organisation_people(organisation)
    return render(
        request,
        "members/organisation_people.html",
        {"organisation": organisation, "memberships": _page(request, people, 50)},
    )


@login_required
@require_POST
def membership_revoke(request, pk):
    membership = get_object_or_404(selectors.memberships_visible_to(request.user), pk=pk)
    require(
        membership.organisation_id is not None
        and roles_of(request.user).is_hr_for(membership.organisation_id)
    )
    try:
        services.membership_revoke(actor=request.user, membership=membership)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The role was removed."))
    return redirect("members:organisation_people", slug=membership.organisation.slug)


@login_required
def audit_log(request, slug):
    organisation = _organisation_in_scope(request, slug)
    require(roles_of(request.user).is_hr_for(organisation.pk))
    entries = selectors.audit_entries_visible_to(request.user).filter(organisation=organisation)
    return render(
        request, "members/audit_log.html",
        {"organisation": organisation, "entries": _page(request, entries, 50)},
    )


# --- Invitations ----------------------------------------------------------


@login_required
def invitation_list(request, slug):
    organisation = _organisation_in_scope(request, slug)
    require(roles_of(request.user).is_hr_for(organisation.pk))
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                actor=request.user, organisation=organisation,
                email=form.cleaned_data["email"], role=form.cleaned_data["role"],
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(
                request,
                _("An invitation was sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("members:invitation_list", slug=organisation.slug)
    invitations = selectors.invitations_visible_to(request.user).filter(organisation=organisation)
    return render(
        request,
        "members/invitation_list.html",
        {"organisation": organisation, "form": form, "invitations": _page(request, invitations)},
    )


@login_required
@require_POST
def invitation_revoke(request, pk):
    invitation = get_object_or_404(selectors.invitations_visible_to(request.user), pk=pk)
    require(roles_of(request.user).is_hr_for(invitation.organisation_id))
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The invitation was revoked."))
    return redirect("members:invitation_list", slug=invitation.organisation.slug)


def invitation_accept(request, token):
    """The link from the invitation e-mail."""
    invitation = services.invitation_by_token(token)
    if invitation is None:
        return render(request, "members/invitation_invalid.html", status=404)
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                services.invitation_accept(user=request.user, token=token)
            except DomainError as error:
                messages.error(request, error.message)
                return redirect("home")
            messages.success(
                request,
                _("Welcome! You now have the role %(role)s at %(organisation)s.")
                % {"role": invitation.get_role_display(), "organisation": invitation.organisation},
            )
            return redirect("home")
        return render(request, "members/invitation_accept.html", {"invitation": invitation})
    from members.models import User

    if User.objects.filter(email__iexact=invitation.email).exists():
        messages.info(request, _("Log in to accept the invitation."))
        return redirect(f"{reverse('account_login')}?next={request.path}")
    request.session[INVITATION_SESSION_KEY] = token
    # The link reached this address, so allauth may treat it as verified.
    request.session["account_verified_email"] = invitation.email
    return redirect("account_signup")


# --- Profiles -------------------------------------------------------------


@login_required
def profile_detail(request, pk):
    profile = get_object_or_404(selectors.profiles_visible_to(request.user), pk=pk)
    return render(
        request,
        "members/profile_detail.html",
        {
            "profile": profile,
            "current_release": profile.current_release(),
            "is_own": profile.user_id == request.user.pk,
        },
    )


def _own_profile(request):
    roles = roles_of(request.user)
    require(roles.is_member)
    return get_object_or_404(selectors.profiles_visible_to(request.user), user=request.user)


@login_required
def profile_edit(request):
    profile = _own_profile(request)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "skills"}
        try:
            services.profile_update(
                actor=request.user, profile=profile, data=data,
                skills=list(form.cleaned_data["skills"]),
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Your profile was saved."))
            return redirect(profile.get_absolute_url())
    return render(request, "members/profile_form.html", {"form": form, "profile": profile})


# --- Releases -------------------------------------------------------------


@login_required
def release_list(request):
    profile = _own_profile(request)
    releases = selectors.releases_visible_to(request.user).filter(member=profile)
    return render(
        request,
        "members/release_list.html",
        {"profile": profile, "releases": releases, "current_release": profile.current_release()},
    )


@login_required
def release_request(request):
    profile = _own_profile(request)
    form = ReleaseRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.release_request(actor=request.user, member=profile, **form.cleaned_data)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Your request was sent to HR of your organisation."))
            return redirect("members:release_list")
    return render(request, "members/release_form.html", {"form": form, "profile": profile})


def _missing_zzp(release):
    """What HR is shown as still missing before a ZZP release can be approved."""
    if release.variant != release.Variant.ZZP:
        return []
    return services.missing_zzp_requirements(release.member)


@login_required
def release_detail(request, pk):
    release = get_object_or_404(selectors.releases_visible_to(request.user), pk=pk)
    require(selectors.can_read_release(request.user, release))
    roles = roles_of(request.user)
    can_decide = (
        roles.is_hr_for(release.member.home_organisation_id)
        and release.member.user_id != request.user.pk
        and release.status == release.Status.REQUESTED
    )
    form = ReleaseDecisionForm() if can_decide else None
    return render(
        request,
        "members/release_detail.html",
        {
            "release": release,
            "form": form,
            "missing_zzp": _missing_zzp(release),
        },
    )


@login_required
@require_POST
def release_withdraw(request, pk):
    release = get_object_or_404(selectors.releases_visible_to(request.user), pk=pk)
    require(release.member.user_id == request.user.pk)
    try:
        services.release_withdraw(actor=request.user, release=release)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your request was withdrawn."))
    return redirect("members:release_list")


RELEASE_QUEUE_COLUMNS = (
    "id", "member_id", "days_per_week", "variant", "start_date", "end_date", "status", "requested_at",
    "member__id", "member__user_id", "member__home_organisation_id",
    "member__user__id", "member__user__first_name", "member__user__last_name", "member__user__email",
    "member__home_organisation__id", "member__home_organisation__name",
)


@login_required
def release_queue(request):
    roles = roles_of(request.user)
    require(roles.is_hr or roles.admin)
    queue = (
        selectors.release_queue_for(request.user)
        .select_related(None).select_related("member__user", "member__home_organisation")
        .only(*RELEASE_QUEUE_COLUMNS)
    )
    # The total and the rendered rows come from the cache, under the versions
    # every release write and every change of a name bumps (members/versions.py);
    # the rows are read only when their block is rendered.
    scope = "all" if roles.admin else ",".join(map(str, sorted(roles.hr_of)))
    stamp = f"{versions.current('releases')}:{request.user.pk}:{scope}"
    releases = paginate(request, queue, PAGE_SIZE, count_key=f"release_queue:count:{stamp}")
    return render(
        request,
        "members/release_queue.html",
        {
            "releases": releases,
            "cache_seconds": versions.CACHE_SECONDS,
            "rows_key": "|".join([
                stamp, str(versions.current("people")), str(releases.number), get_language() or "",
            ]),
        },
    )


@login_required
@require_POST
def release_decide(request, pk):
    release = get_object_or_404(selectors.releases_visible_to(request.user), pk=pk)
    require(
        roles_of(request.user).is_hr_for(release.member.home_organisation_id)
        and release.member.user_id != request.user.pk
    )
    form = ReleaseDecisionForm(request.POST)
    if form.is_valid():
        service = (
            services.release_approve
            if form.cleaned_data["decision"] == "approve"
            else services.release_reject
        )
        try:
            service(actor=request.user, release=release, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Your decision was saved and the member was informed."))
            return redirect("members:release_queue")
    return render(
        request,
        "members/release_detail.html",
        {
            "release": release,
            "form": form,
            "missing_zzp": _missing_zzp(release),
        },
    )


# --- Notifications --------------------------------------------------------


@login_required
def notification_list(request):
    """The person's own notifications, unread ones first."""
    notifications = selectors.notifications_of(request.user)
    return render(
        request, "members/notification_list.html",
        {"notifications": _page(request, notifications, 50)},
    )


def _safe_next(request, default):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@require_POST
def notification_read(request):
    """Mark one notification (``id``) or all of them read, then go back (or
    on to the notification's link, given as ``next``)."""
    raw_id = request.POST.get("id", "")
    if raw_id:
        try:
            ids = [int(raw_id)]
        except ValueError:
            ids = []
        notification_mark_read(user=request.user, notification_ids=ids)
    else:
        count = notification_mark_read(user=request.user)
        if count:
            messages.success(request, _("All notifications are marked as read."))
    return redirect(_safe_next(request, reverse("members:notification_list")))


# --- My data (AVG/GDPR) -------------------------------------------------------


def _privacy_page(request, form):
    from members.models import ErasureRequest

    return render(request, "members/privacy.html", {
        "erasure_requests": ErasureRequest.objects.filter(user=request.user),
        "form": form,
    })


@login_required
def privacy(request):
    from members.forms import ErasureRequestForm

    return _privacy_page(request, ErasureRequestForm())


@login_required
def privacy_export(request):
    """Everything held about the person, as a JSON download."""
    import json

    from django.core.serializers.json import DjangoJSONEncoder
    from django.http import HttpResponse

    from members.privacy import personal_data_export

    body = json.dumps(personal_data_export(request.user), cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mijn-gegevens-zppbrabant.json"'
    return response


@login_required
@require_POST
def erasure_request(request):
    from members.forms import ErasureRequestForm
    from members.privacy import erasure_request as request_erasure

    form = ErasureRequestForm(request.POST)
    if not form.is_valid():
        return _privacy_page(request, form)
    try:
        request_erasure(actor=request.user, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your request is recorded. An administrator will handle it and tell you by e-mail."))
    return redirect("members:privacy")
