"""Applying (members) and selecting (coordinators)."""

import hashlib
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext as _
from django.views.decorators.http import require_POST

from marketplace import selectors, services, uploads
from marketplace.filters import InboxFilter
from marketplace.forms import ApplicationAcceptForm, ApplicationForm, ApplicationRejectForm
from marketplace.models import Application, Assignment
from marketplace.views.assignments import (
    form_error,
    managed_assignment,
    member_profile,
    network_only,
    paginate,
)
from members import versions
from members.errors import DomainError
from members.models import Release
from members.roles import require, roles_of
from members.viewhelpers import select_options
from training.selectors import completion_prefetch

INBOX_ASSIGNMENT_CHOICES = 200


# --- Helpers ---------------------------------------------------------------------


def _visible_application(request, pk) -> Application:
    return get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)


def _decidable_application(request, pk) -> Application:
    """An application the person may decide on: coordinators of the hiring
    organisation. Someone else's (outside the scope): 404; the applicant or a
    read-only role: 403."""
    application = _visible_application(request, pk)
    require(roles_of(request.user).is_coordinator_for(application.assignment.organisation_id))
    return application


def _can_download_cv(user, application) -> bool:
    """Only the applicant and the coordinators of the hiring organisation."""
    return bool(application.cv) and (
        application.member.user_id == user.pk
        or application.assignment.organisation_id in roles_of(user).coordinator_of
    )


def _next_or(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _skill_match(required: list, member_skills) -> dict:
    have = {s.pk for s in member_skills}
    matched = [s for s in required if s.pk in have]
    missing = [s for s in required if s.pk not in have]
    return {"matched": matched, "missing": missing, "required_count": len(required)}


def _terms(application: Application) -> dict:
    """What accepting would agree on: variant, rate, hours and period."""
    assignment, member = application.assignment, application.member
    release = selectors.release_for_period(member, assignment.start_date, assignment.end_date)
    if release is None:
        return {"release": None}
    if release.variant == Release.Variant.ZZP:
        rate = application.proposed_rate or member.own_hourly_rate
    else:
        rate = member.home_organisation.zpp_hourly_rate
    return {
        "release": release,
        "variant": release.get_variant_display(),
        "is_zzp": release.variant == Release.Variant.ZZP,
        "rate": rate,
        "hours_per_week": assignment.hours_per_week,
        "hours_left": selectors.hours_left(member, assignment.start_date, assignment.end_date),
        "start_date": max(assignment.start_date, release.start_date),
        "end_date": min(assignment.end_date, release.end_date),
    }


# --- Applying (members) --------------------------------------------------------------


@login_required
def application_create(request, pk):
    # Drafts and cancelled ones do not exist for an applicant (404); closed
    # and filled ones are explained.
    assignment = get_object_or_404(
        selectors.assignments_visible_to(request.user)
        .filter(status__in=selectors.PUBLIC_STATUSES)
        .prefetch_related("required_skills"),
        pk=pk,
    )
    require(roles_of(request.user).is_member)
    profile = member_profile(request.user)
    if profile is None:
        raise Http404
    context = {"assignment": assignment}
    existing = selectors.applications_visible_to(request.user).filter(assignment=assignment, member=profile).first()
    if existing is not None:
        context["existing"] = existing
        return render(request, "marketplace/applications/form.html", context)
    if not assignment.open_for_applications:
        context["closed"] = True
        return render(request, "marketplace/applications/form.html", context)

    release = selectors.release_for_period(profile, assignment.start_date, assignment.end_date)
    zzp = bool(release and release.variant == Release.Variant.ZZP)
    form = ApplicationForm(
        request.POST or None, request.FILES or None, zzp=zzp, rate_ceiling=assignment.rate_ceiling,
        initial={"proposed_rate": profile.own_hourly_rate} if zzp else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.application_submit(
                actor=request.user,
                assignment=assignment,
                motivation=data["motivation"],
                availability=data["availability"],
                proposed_rate=data.get("proposed_rate") if zzp else None,
                rate_note=data.get("rate_note", "") if zzp else "",
                cv=data.get("cv") or None,
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(
                request, _("Your application was sent. The coordinator of %(organisation)s has been informed.")
                % {"organisation": assignment.organisation}
            )
            return redirect(application)
    context.update(
        form=form,
        release=release,
        zzp=zzp,
        release_warning=services.application_release_warning(member_id=profile.pk, assignment=assignment),
    )
    return render(request, "marketplace/applications/form.html", context)


@login_required
def my_applications(request):
    require(roles_of(request.user).is_member)
    applications = (
        selectors.applications_visible_to(request.user)
        .filter(member__user=request.user)
        .order_by("-created_at", "-pk")
    )
    return render(
        request, "marketplace/applications/mine.html", {"page": paginate(request, applications)}
    )


@login_required
def application_detail(request, pk):
    application = _visible_application(request, pk)
    roles = roles_of(request.user)
    is_own = application.member.user_id == request.user.pk
    can_decide = roles.is_coordinator_for(application.assignment.organisation_id)
    context = {
        "application": application,
        "assignment": application.assignment,
        "is_own": is_own,
        "can_decide": can_decide,
        "can_download_cv": _can_download_cv(request.user, application),
    }
    if can_decide:
        required = list(application.assignment.required_skills.all())
        context["skills"] = _skill_match(required, application.member.skills.all())
        context["terms"] = _terms(application)
    if application.status == Application.Status.ACCEPTED:
        context["engagement"] = getattr(application, "engagement", None)
    return render(request, "marketplace/applications/detail.html", context)


@login_required
@require_POST
def application_withdraw(request, pk):
    application = _visible_application(request, pk)
    require(application.member.user_id == request.user.pk)
    try:
        services.application_withdraw(actor=request.user, application=application)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your application was withdrawn."))
    return redirect(application)


@login_required
def application_cv(request, pk):
    application = _visible_application(request, pk)
    if not _can_download_cv(request.user, application):
        raise Http404
    return uploads.cv_response(application)


# --- Selecting (coordinators) ------------------------------------------------------------


INBOX_COLUMNS = (
    "id", "assignment_id", "member_id", "status", "source", "proposed_rate", "created_at",
    "assignment__id", "assignment__title", "assignment__organisation_id",
    "assignment__organisation__id", "assignment__organisation__name",
    "member__id", "member__user_id", "member__home_organisation_id",
    "member__user__id", "member__user__first_name", "member__user__last_name", "member__user__email",
    "member__home_organisation__id", "member__home_organisation__name",
)


def _inbox_scope(roles) -> str:
    """The organisations whose applications the inbox shows, for cache keys."""
    return "all" if roles.admin else ",".join(map(str, sorted(roles.coordinator_of)))


def _inbox_assignments(roles):
    """The assignments whose applications the inbox shows (drafts have none)."""
    own = Assignment.objects.exclude(status=Assignment.Status.DRAFT)
    return own if roles.admin else own.filter(organisation_id__in=roles.coordinator_of)


def _inbox_assignment_choices(roles) -> list[tuple[int, str]]:
    """(pk, title) of the newest assignments of the person's organisations
    for the inbox filter, kept in the cache under the assignment version
    (any assignment write makes a new key)."""
    key = f"inbox:assignments:{selectors.assignment_list_version()}:{_inbox_scope(roles)}"
    choices = cache.get(key)
    if choices is None:
        newest = _inbox_assignments(roles).order_by("-created_at", "-pk")
        choices = list(newest.values_list("pk", "title")[:INBOX_ASSIGNMENT_CHOICES])
        cache.set(key, choices, versions.CACHE_SECONDS)
    return choices


def _inbox_count_key(request, roles) -> str:
    """The inbox total depends on the organisations, the filter and every
    application write (the version the signals and services bump)."""
    scope = _inbox_scope(roles)
    params = urlencode(sorted((k, v) for k, v in request.GET.lists() if k in ("assignment", "status")), doseq=True)
    raw = f"{selectors.applications_version()}|{scope}|{params}"
    return "inbox:count:" + hashlib.sha256(raw.encode()).hexdigest()


@login_required
def inbox(request):
    network_only(request)
    roles = roles_of(request.user)
    require(roles.is_coordinator or roles.admin)
    choices = _inbox_assignment_choices(roles)
    wanted = request.GET.get("assignment", "")
    if wanted.isdigit() and int(wanted) not in {pk for pk, _title in choices}:
        choices = choices + list(_inbox_assignments(roles).filter(pk=int(wanted)).values_list("pk", "title"))
    inbox_filter = InboxFilter(request.GET, queryset=selectors.inbox_for(request.user), assignments=choices)
    # The inbox shows no skills (no prefetch) and only these columns: the
    # narrow rows sort in memory (all columns sorted on disk: 100 ms at the
    # bench data size, 6 ms now). The total comes from the cache (8 ms of
    # counting at 11,000 applications per organisation).
    applications = inbox_filter.qs.prefetch_related(None).only(*INBOX_COLUMNS)
    form = inbox_filter.form
    count_key = _inbox_count_key(request, roles) if form.is_valid() else None
    page = paginate(request, applications, count_key=count_key)
    return render(
        request,
        "marketplace/applications/inbox.html",
        {
            "filter": inbox_filter, "form": form, "page": page,
            # The rendered rows too (read only when rendered): they also show
            # assignment titles and people's names, which have versions of their own.
            "cache_seconds": versions.CACHE_SECONDS,
            "rows_key": count_key and "|".join([
                count_key, str(selectors.assignment_list_version()), str(versions.current("people")),
                str(page.number), get_language() or "",
            ]),
            "assignment_options": select_options(form["assignment"]),
            "status_options": select_options(form["status"]),
        },
    )


@login_required
def applicants_compare(request, pk):
    assignment = managed_assignment(
        request, pk, selectors.assignments_visible_to(request.user).prefetch_related("required_skills")
    )
    required = list(assignment.required_skills.all())
    applicants = list(selectors.assignment_applicants(assignment).prefetch_related(completion_prefetch()))
    hours_left = selectors.hours_left_for_members(
        {a.member_id for a in applicants}, assignment.start_date, assignment.end_date
    )
    rows = [
        {
            "application": application,
            "skills": _skill_match(required, application.member.skills.all()),
            "hours_left": hours_left.get(application.member_id),
            "covers": (hours_left.get(application.member_id) or 0) >= assignment.hours_per_week,
        }
        for application in applicants
    ]
    return render(
        request,
        "marketplace/applications/compare.html",
        {"assignment": assignment, "rows": rows, "required_skills": required},
    )


@login_required
@require_POST
def application_shortlist(request, pk):
    application = _decidable_application(request, pk)
    try:
        services.application_shortlist(actor=request.user, application=application)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(name)s is on the shortlist and has been informed.") % {"name": application.member}
        )
    return redirect(_next_or(request, application.get_absolute_url()))


@login_required
def application_reject(request, pk):
    application = _decidable_application(request, pk)
    form = ApplicationRejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_reject(
                actor=request.user, application=application, message=form.cleaned_data["message"]
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The application was declined and the applicant informed."))
            return redirect(_next_or(request, application.get_absolute_url()))
    return render(
        request, "marketplace/applications/reject.html",
        {"application": application, "assignment": application.assignment, "form": form,
         "next": _next_or(request, "")},
    )


@login_required
def application_accept(request, pk):
    application = _decidable_application(request, pk)
    form = ApplicationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            engagement = services.application_accept(
                actor=request.user,
                application=application,
                vat_treatment=form.cleaned_data["vat_treatment"],
                vat_exemption_reason=form.cleaned_data["vat_exemption_reason"],
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(
                request, _("%(name)s was accepted; the engagement has been created.") % {"name": application.member}
            )
            return redirect(engagement)
    return render(
        request, "marketplace/applications/accept.html",
        {"application": application, "assignment": application.assignment, "form": form,
         "terms": _terms(application)},
    )

