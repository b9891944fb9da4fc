"""Training pages: the catalogue and sessions (the network), "My training"
(members), the calendar files, certificates, and the pages where training
coordinators run the programme."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.errors import DomainError
from members.models import MemberProfile
from members.roles import require, roles_of
from members.viewhelpers import csv_cell, form_error, network_only, paginate
from training import ics, selectors, services
from training.forms import AttendanceForm, CatalogueFilterForm, ModuleForm, SessionCancelForm, SessionForm
from training.models import CalendarFeed, Completion, Enrolment, Module, Session
from training.pdf import certificate_pdf

FEED_HISTORY_DAYS = 365


# --- Helpers ---------------------------------------------------------------------


def _profile(user) -> MemberProfile | None:
    if not roles_of(user).is_member:
        return None
    return MemberProfile.objects.select_related("home_organisation").filter(user=user).first()


def _own_profile(request) -> MemberProfile:
    """Members only (403 for everyone else)."""
    profile = _profile(request.user)
    require(profile is not None)
    return profile


def _next_or(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _require_manager(request) -> None:
    require(roles_of(request.user).manages_training)


def _visible_module(request, pk) -> Module:
    return get_object_or_404(selectors.modules_visible_to(request.user), pk=pk)


def _visible_session(request, pk, queryset=None) -> Session:
    queryset = queryset if queryset is not None else selectors.sessions_visible_to(request.user)
    return get_object_or_404(queryset, pk=pk)


def _run_session(request, pk) -> Session:
    """A session whose enrolments this person may see: its trainer and the
    training coordinators (others in the network: 403)."""
    session = _visible_session(request, pk)
    require(selectors.can_run_session(request.user, session))
    return session


# --- The catalogue and sessions ------------------------------------------------------------


@login_required
def module_list(request):
    network_only(request)
    form = CatalogueFilterForm(request.GET or None)
    modules = form.filter(selectors.catalogue(selectors.modules_visible_to(request.user)))
    profile = _profile(request.user)
    return render(
        request,
        "training/module_list.html",
        {
            "form": form,
            "page": paginate(request, modules, 24),
            "done": selectors.completed_module_ids(profile) if profile else set(),
            "manages": roles_of(request.user).manages_training,
        },
    )


@login_required
def module_detail(request, pk):
    module = get_object_or_404(selectors.catalogue(selectors.modules_visible_to(request.user)), pk=pk)
    roles = roles_of(request.user)
    sessions = selectors.with_counts(selectors.sessions_visible_to(request.user).filter(module=module))
    upcoming = list(selectors.upcoming(sessions))
    past = list(sessions.filter(ends_at__lt=timezone.now()).order_by("-starts_at")[:20]) if roles.manages_training else []
    profile = _profile(request.user)
    mine = selectors.my_enrolment_by_session(profile, [s.pk for s in upcoming])
    context = {
        "module": module,
        "rows": [{"session": s, "mine": mine.get(s.pk)} for s in upcoming],
        "past": past,
        "manages": roles.manages_training,
        "is_member": profile is not None,
    }
    if profile is not None:
        context["completion"] = Completion.objects.filter(member=profile, module=module).first()
        context["missing_prerequisites"] = selectors.missing_prerequisites(profile, module)
    return render(request, "training/module_detail.html", context)


@login_required
def session_detail(request, pk):
    session = _visible_session(request, pk, selectors.with_counts(selectors.sessions_visible_to(request.user)))
    profile = _profile(request.user)
    context = {
        "session": session,
        "module": session.module,
        "mine": selectors.my_enrolment_by_session(profile, [session.pk]).get(session.pk),
        "is_member": profile is not None,
        "manages": roles_of(request.user).manages_training,
        "can_run": selectors.can_run_session(request.user, session),
    }
    if profile is not None:
        context["missing_prerequisites"] = selectors.missing_prerequisites(profile, session.module)
    return render(request, "training/session_detail.html", context)


@login_required
def session_ics(request, pk):
    session = _visible_session(request, pk)
    with_link = selectors.can_run_session(request.user, session) or selectors.has_seat(request.user, session)
    response = HttpResponse(ics.session_calendar(session, with_link=with_link), content_type=ics.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="training-{session.pk}.ics"'
    return response


# --- Enrolling (members) -------------------------------------------------------------------


@login_required
@require_POST
def session_enrol(request, pk):
    session = _visible_session(request, pk)
    _own_profile(request)
    try:
        enrolment = services.enrolment_create(actor=request.user, session=session)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if enrolment.status == Enrolment.Status.ENROLLED:
            messages.success(request, _("You are enrolled. You will get a reminder two days before."))
        else:
            messages.warning(
                request,
                _("The session is full: you are number %(rank)s on the waiting list. If a seat becomes free, "
                  "you move up automatically and we e-mail you.") % {"rank": services.waiting_rank(enrolment)},
            )
    return redirect(_next_or(request, session.get_absolute_url()))


@login_required
@require_POST
def enrolment_cancel(request, pk):
    enrolment = get_object_or_404(selectors.enrolments_visible_to(request.user), pk=pk)
    require(enrolment.member.user_id == request.user.pk)
    was_waiting = enrolment.status == Enrolment.Status.WAITING
    try:
        services.enrolment_cancel(actor=request.user, enrolment=enrolment)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("You left the waiting list.") if was_waiting else _("Your enrolment was cancelled; your seat went to the next person."),
        )
    return redirect(_next_or(request, reverse("training:my_training")))


@login_required
def my_training(request):
    profile = _own_profile(request)
    now = timezone.now()
    enrolments = list(selectors.my_enrolments(profile))
    feed = selectors.feed_of(profile)
    return render(
        request,
        "training/my_training.html",
        {
            "profile": profile,
            "upcoming": [e for e in enrolments if e.session.ends_at >= now],
            "past": [e for e in enrolments if e.session.ends_at < now][::-1],
            "completions": selectors.completions_of(profile),
            "recommendations": selectors.recommendations_for(profile),
            "missing_for_zzp": selectors.missing_required_modules(profile),
            "feed_url": request.build_absolute_uri(feed.get_absolute_url()) if feed else "",
        },
    )


# --- Calendar feed -------------------------------------------------------------------------


def calendar_feed(request, token):
    """Public by its secret token (calendar apps cannot log in); a wrong or
    replaced token is 404."""
    feed = CalendarFeed.objects.select_related("member__user").filter(token=token).first()
    if feed is None:
        raise Http404
    since = timezone.now() - timezone.timedelta(days=FEED_HISTORY_DAYS)
    enrolments = (
        Enrolment.objects.filter(member=feed.member, session__starts_at__gte=since)
        .filter(
            Q(status__in=Enrolment.ACTIVE_STATUSES)
            # the organiser called the session off: shown as cancelled
            | Q(status=Enrolment.Status.CANCELLED, cancelled_at=F("session__cancelled_at"))
        )
        .select_related("session__module__provider_organisation", "session__trainer")
        .order_by("session__starts_at")
    )
    with translation.override(feed.member.user.language or "nl"):
        body = ics.feed_calendar(enrolments)
    response = HttpResponse(body, content_type=ics.CONTENT_TYPE)
    response["Content-Disposition"] = 'inline; filename="zpp-brabant-training.ics"'
    patch_cache_control(response, private=True, no_cache=True)
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_POST
def calendar_feed_regenerate(request):
    _own_profile(request)
    services.calendar_feed_regenerate(actor=request.user)
    messages.success(request, _("Your calendar link is ready. An earlier link no longer works."))
    return redirect(reverse("training:my_training") + "#calendar")


@login_required
@require_POST
def calendar_feed_revoke(request):
    _own_profile(request)
    if services.calendar_feed_revoke(actor=request.user):
        messages.success(request, _("Your calendar link was switched off."))
    return redirect(reverse("training:my_training") + "#calendar")


# --- Certificates ----------------------------------------------------------------------------


@login_required
def certificate(request, pk):
    completion = get_object_or_404(selectors.certificates_visible_to(request.user), pk=pk)
    response = HttpResponse(certificate_pdf(completion), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificaat-{completion.verification_code}.pdf"'
    return response


@login_required
def certificate_verify(request):
    """Anyone in the network who was shown a certificate can check its code."""
    network_only(request)
    code = request.GET.get("code", "").strip().upper()[:20]
    completion = None
    if code:
        completion = (
            Completion.objects.select_related("member__user", "module__provider_organisation")
            .filter(verification_code=code)
            .first()
        )
    return render(request, "training/certificate_verify.html", {"code": code, "completion": completion})


# --- Running the programme (training coordinators) ------------------------------------------


@login_required
def manage(request):
    _require_manager(request)
    sessions = selectors.with_counts(selectors.sessions_visible_to(request.user))
    show_past = request.GET.get("show") == "past"
    now = timezone.now()
    sessions = (
        sessions.filter(ends_at__lt=now).order_by("-starts_at")
        if show_past
        else sessions.filter(ends_at__gte=now).order_by("starts_at")
    )
    modules = selectors.modules_visible_to(request.user).annotate(
        upcoming_sessions=Count(
            "sessions", filter=Q(sessions__ends_at__gte=now, sessions__cancelled_at__isnull=True), distinct=True,
        ),
        completion_count=Count("completions", distinct=True),
    )
    return render(
        request,
        "training/manage.html",
        {"sessions": paginate(request, sessions, 25), "modules": modules, "show_past": show_past},
    )


@login_required
def module_create(request):
    _require_manager(request)
    form = ModuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "prerequisites"}
        try:
            module = services.module_create(
                actor=request.user, data=data, prerequisites=list(form.cleaned_data["prerequisites"])
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The module was added to the catalogue."))
            return redirect(module)
    return render(request, "training/module_form.html", {"form": form})


@login_required
def module_edit(request, pk):
    module = _visible_module(request, pk)
    _require_manager(request)
    form = ModuleForm(request.POST or None, instance=module)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "prerequisites"}
        try:
            module = services.module_update(
                actor=request.user, module=module, data=data,
                prerequisites=list(form.cleaned_data["prerequisites"]),
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The module was saved."))
            return redirect(module)
    return render(request, "training/module_form.html", {"form": form, "module": module})


@login_required
def session_create(request, pk):
    module = _visible_module(request, pk)
    _require_manager(request)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(actor=request.user, module=module, data=form.service_data())
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The session was planned; members can enrol now."))
            return redirect(session)
    return render(request, "training/session_form.html", {"form": form, "module": module})


@login_required
def session_edit(request, pk):
    session = _visible_session(request, pk)
    _require_manager(request)
    if session.is_cancelled:
        messages.error(request, _("A cancelled session cannot be changed."))
        return redirect(session)
    form = SessionForm(request.POST or None, instance=session)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_update(actor=request.user, session=session, data=form.service_data())
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The session was saved."))
            return redirect(session)
    return render(
        request, "training/session_form.html", {"form": form, "module": session.module, "session": session}
    )


@login_required
def session_cancel(request, pk):
    session = _visible_session(request, pk)
    _require_manager(request)
    form = SessionCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_cancel(actor=request.user, session=session, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The session was cancelled and everyone enrolled was informed."))
            return redirect(session)
    return render(request, "training/session_cancel.html", {"form": form, "session": session})


@login_required
def session_enrolments(request, pk):
    session = _run_session(request, pk)
    enrolments = list(selectors.enrolments_of_session(session))
    return render(
        request,
        "training/session_enrolments.html",
        {
            "session": session,
            "enrolments": enrolments,
            "attendance": AttendanceForm(enrolments=enrolments) if session.has_started and not session.is_cancelled else None,
            "seated": sum(1 for e in enrolments if e.status in Enrolment.SEATED_STATUSES),
            "waiting": sum(1 for e in enrolments if e.status == Enrolment.Status.WAITING),
        },
    )


@login_required
def session_enrolments_csv(request, pk):
    session = _run_session(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    local = timezone.localtime(session.starts_at)
    response["Content-Disposition"] = f'attachment; filename="deelnemers-{session.pk}-{local:%Y%m%d}.csv"'
    response.write("\ufeff")  # so spreadsheet programs read UTF-8
    writer = csv.writer(response, delimiter=";")
    writer.writerow([
        _("Name"), _("E-mail address"), _("Home organisation"), _("Status"), _("Place on the waiting list"),
        _("Enrolled at"), _("Cancelled at"),
    ])
    for enrolment in selectors.enrolments_of_session(session):
        writer.writerow([csv_cell(v) for v in (
            enrolment.member,
            enrolment.member.user.email,
            enrolment.member.home_organisation.name,
            enrolment.get_status_display(),
            enrolment.queue_rank or "",
            f"{timezone.localtime(enrolment.created_at):%Y-%m-%d %H:%M}",
            f"{timezone.localtime(enrolment.cancelled_at):%Y-%m-%d %H:%M}" if enrolment.cancelled_at else "",
        )])
    return response


@login_required
@require_POST
def attendance_mark(request, pk):
    session = _run_session(request, pk)
    enrolments = list(selectors.enrolments_of_session(session))
    form = AttendanceForm(request.POST, enrolments=enrolments)
    if form.is_valid():
        try:
            changed = services.attendance_mark(actor=request.user, session=session, marks=form.marks())
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Attendance saved (%(n)s changed). Completions count as verified.") % {"n": changed}
            )
    else:
        messages.error(request, _("Choose “attended” or “did not attend” for each participant."))
    return redirect("training:session_enrolments", pk=session.pk)
