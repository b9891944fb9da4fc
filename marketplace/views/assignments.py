"""Assignments: the province-wide list, the page to decide on, and the
coordinator's side (post, change, publish, close, reopen, cancel)."""

import hashlib
from urllib.parse import urlencode

from django.contrib import messages
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.contrib.auth.decorators import login_required
from django.contrib.postgres.expressions import ArraySubquery
from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, OuterRef, Window
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from marketplace import selectors, services
from marketplace.filters import AssignmentFilter
from marketplace.forms import AssignmentCancelForm, AssignmentForm
from marketplace.models import Application, Assignment
from members import versions
from members.errors import DomainError
from members.models import MemberProfile, Organisation
from members.roles import require, roles_of
from members.viewhelpers import form_error, network_only, paginate  # noqa: F401 (re-exported)

PAGE_SIZE = 20


# --- Helpers (also used by views/applications.py) ---------------------------------


class _CountedPaginator(Paginator):
    def __init__(self, count: int, per_page: int):
        super().__init__((), per_page)
        self.__dict__["count"] = count  # ``count`` is a cached_property


def _page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page") or 1))
    except (TypeError, ValueError):
        return 1


# Without a search, counting every visible assignment means reading most of
# the table; the list says "more than 1,000" instead and pages up to there.
COUNT_CAP = 1000


def _capped_count(queryset) -> RawSQL:
    """``(SELECT COUNT(*) FROM (<queryset> LIMIT COUNT_CAP + 1))``: not
    correlated, so PostgreSQL computes it once per query (an InitPlan), and
    it stops reading after COUNT_CAP + 1 rows."""
    sql, params = queryset.values("pk").order_by()[:COUNT_CAP + 1].query.sql_with_params()
    return RawSQL(f"SELECT COUNT(*) FROM ({sql}) AS capped", params, output_field=IntegerField())


def assignment_page(request, queryset, *, searching: bool, size: int = PAGE_SIZE) -> tuple[Page, bool]:
    """One page of the assignment list, the total, and whether the total was
    capped, in one query.

    Searching: ``COUNT(*) OVER ()``, since ranking looks at every match
    anyway. Otherwise a count that stops after ``COUNT_CAP`` rows, so the
    page itself can come from an index in order."""
    number = _page_number(request)
    total_count = Window(Count("*")) if searching else _capped_count(queryset)
    rows = list(queryset.annotate(total_count=total_count)[(number - 1) * size:number * size])
    if rows:
        total = rows[0].total_count
    elif number == 1:
        total = 0
    else:  # past the end: count, then show the last page (as Paginator.get_page does)
        total = queryset.count() if searching else queryset.values("pk").order_by()[:COUNT_CAP + 1].count()
    capped = not searching and total > COUNT_CAP
    total = min(total, COUNT_CAP) if capped else total
    last = max(1, -(-total // size))
    if number > last:
        number = last
        rows = list(queryset[(number - 1) * size:number * size])
    return Page(rows, number, _CountedPaginator(total, size)), capped


def member_profile(user) -> MemberProfile | None:
    return MemberProfile.objects.select_related("home_organisation").filter(user=user).first()


def managed_assignment(request, pk, queryset=None) -> Assignment:
    """An assignment the person manages as coordinator. Another
    organisation's: 404; one of their own organisation without the
    coordinator role (or a read-only role): 403."""
    queryset = queryset if queryset is not None else selectors.assignments_visible_to(request.user)
    assignment = get_object_or_404(queryset, pk=pk)
    roles = roles_of(request.user)
    if not (roles.sees_everything or assignment.organisation_id in roles.organisation_ids):
        raise Http404
    require(selectors.can_manage_assignment(request.user, assignment))
    return assignment


# --- Finding work -------------------------------------------------------------------


def _skill_names():
    through = Assignment.required_skills.through
    return ArraySubquery(
        through.objects.filter(assignment_id=OuterRef("pk")).order_by("skill__name").values("skill__name")
    )


def _list_cache_key(request) -> str | None:
    """The rendered list depends on the query string, what the person may
    see (their organisations, for internal-first windows), the language and
    the date (the deadline filter), and on every assignment write (the
    version that the services bump, and the end of internal-first windows). "Fits my release" depends on the
    person's own hours: that one is not cached."""
    if request.GET.get("fits"):
        return None
    roles = roles_of(request.user)
    params = urlencode(sorted(request.GET.lists()), doseq=True)
    raw = "|".join([
        str(selectors.assignment_list_version()), get_language() or "", str(timezone.localdate()),
        selectors.published_scope_key(request.user), "m" if roles.is_member else "", params,
    ])
    return "assignment_list:" + hashlib.sha256(raw.encode()).hexdigest()


@login_required
def assignment_list(request):
    """Find work. The rendered page body is cached per query, scope and
    language under the assignment version (any assignment write, any
    internal-first window ending makes a new key): popular searches then
    cost no SQL beyond the login."""
    network_only(request)
    key = _list_cache_key(request)
    cached = cache.get(key) if key else None
    if cached is None:
        base = selectors.assignments_visible_to(request.user).filter(status=Assignment.Status.PUBLISHED)
        assignment_filter = AssignmentFilter(request.GET, queryset=base, request=request)
        # The rows need neither the long description nor the search vector; the
        # required skills come along as an array, so one query serves the page.
        queryset = assignment_filter.qs.defer("description", "search_vector").annotate(
            required_skill_names=_skill_names()
        )
        page, capped = assignment_page(request, queryset, searching=bool(assignment_filter.search_terms))
        body = render_to_string(
            "marketplace/assignments/list_body.html",
            {"filter": assignment_filter, "form": assignment_filter.form, "page": page, "capped": capped,
             "search_terms": assignment_filter.search_terms},
            request=request,
        )
        cached = (assignment_filter.search_terms, body)
        if key:
            cache.set(key, cached, versions.CACHE_SECONDS)
    search_terms, body = cached
    return render(
        request, "marketplace/assignments/list.html", {"search_terms": search_terms, "body": body}
    )


APPLICATION_SUMMARY_COLUMNS = ("id", "assignment_id", "member_id", "status", "created_at")


@login_required
def assignment_detail(request, pk):
    """The facts, description and skills are the same for everyone who may
    see the assignment: detail.html keeps them in the cache under
    ``shared_key`` (the assignment version, the language and the date), so
    the description and skills are read only when that block is rendered."""
    assignment = get_object_or_404(
        selectors.assignments_visible_to(request.user).defer("description", "search_vector"), pk=pk
    )
    roles = roles_of(request.user)
    context = {
        "assignment": assignment,
        "can_manage": selectors.can_manage_assignment(request.user, assignment),
        "cache_seconds": versions.CACHE_SECONDS,
        "shared_key": "|".join([
            str(selectors.assignment_list_version()), str(assignment.pk), get_language() or "",
            str(timezone.localdate()),
        ]),
    }
    if roles.is_member and roles.profile_id:
        application = (
            selectors.applications_visible_to(request.user).select_related(None)
            .filter(assignment=assignment, member_id=roles.profile_id).only(*APPLICATION_SUMMARY_COLUMNS).first()
        )
        context["application"] = application
        if application is None and assignment.open_for_applications:
            context["release_warning"] = services.application_release_warning(
                member_id=roles.profile_id, assignment=assignment
            )
    if context["can_manage"]:
        counts = dict(
            assignment.applications.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
        )
        context["applicant_counts"] = {
            "total": sum(counts.values()),
            "open": sum(counts.get(s, 0) for s in Application.OPEN_STATUSES),
            "accepted": counts.get(Application.Status.ACCEPTED, 0),
        }
    return render(request, "marketplace/assignments/detail.html", context)


# --- Posting work (coordinators) -------------------------------------------------------


def _organisations_to_post_for(request) -> list[Organisation]:
    roles = roles_of(request.user)
    if roles.is_coordinator:
        return list(Organisation.objects.filter(pk__in=roles.coordinator_of).order_by("name"))
    if roles.admin:
        return list(Organisation.objects.order_by("name"))
    return []


@login_required
def assignment_create(request):
    network_only(request)
    organisations = _organisations_to_post_for(request)
    require(bool(organisations))
    form = AssignmentForm(
        request.POST or None,
        organisations=organisations,
        initial={"contact_name": request.user.get_full_name(), "contact_email": request.user.email,
                 "positions": 1, "internal_first_days": 0},
    )
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data.get("organisation") or organisations[0]
        try:
            assignment = services.assignment_create(
                actor=request.user, organisation=organisation, data=form.service_data(),
                required_skills=form.cleaned_data["required_skills"],
                nice_skills=form.cleaned_data["nice_skills"],
            )
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The assignment was saved as a draft. Publish it when it is ready."))
            return redirect(assignment)
    return render(request, "marketplace/assignments/form.html", {"form": form, "assignment": None})


@login_required
def assignment_edit(request, pk):
    assignment = managed_assignment(request, pk)
    if assignment.status not in services.EDITABLE_STATUSES:
        messages.error(request, _("Only a draft, published or closed assignment can be changed."))
        return redirect(assignment)
    form = AssignmentForm(request.POST or None, instance=assignment)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.assignment_update(
                actor=request.user, assignment=assignment, data=form.service_data(),
                required_skills=list(form.cleaned_data["required_skills"]),
                nice_skills=list(form.cleaned_data["nice_skills"]),
            )
        except DomainError as error:
            form_error(form, error)
        else:
            if assignment.status != Assignment.Status.DRAFT:
                messages.success(request, _("The assignment was saved; open applicants were informed of the change."))
            else:
                messages.success(request, _("The assignment was saved."))
            return redirect(assignment)
    return render(request, "marketplace/assignments/form.html", {"form": form, "assignment": assignment})


def _change_status(request, pk, service, success):
    assignment = managed_assignment(request, pk)
    try:
        service(actor=request.user, assignment=assignment)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(assignment)


@login_required
@require_POST
def assignment_publish(request, pk):
    return _change_status(
        request, pk, services.assignment_publish, _("The assignment is published.")
    )


@login_required
@require_POST
def assignment_close(request, pk):
    return _change_status(
        request, pk, services.assignment_close, _("The assignment is closed for new applications.")
    )


@login_required
@require_POST
def assignment_reopen(request, pk):
    return _change_status(
        request, pk, services.assignment_reopen, _("The assignment is open for applications again.")
    )


@login_required
def assignment_cancel(request, pk):
    assignment = managed_assignment(request, pk)
    cancellable = (Assignment.Status.DRAFT, Assignment.Status.PUBLISHED, Assignment.Status.CLOSED)
    if assignment.status not in cancellable:
        messages.error(request, _("This assignment can no longer be cancelled."))
        return redirect(assignment)
    form = AssignmentCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_cancel(actor=request.user, assignment=assignment, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The assignment was cancelled; open applicants were informed."))
            return redirect(assignment)
    return render(request, "marketplace/assignments/cancel.html", {"form": form, "assignment": assignment})


@login_required
def my_assignments(request):
    roles = roles_of(request.user)
    network_only(request)
    require(roles.is_coordinator)
    assignments = selectors.assignments_of_organisations(request.user)
    status = request.GET.get("status")
    if status in Assignment.Status.values:
        assignments = assignments.filter(status=status)
    else:
        status = ""
    return render(
        request,
        "marketplace/assignments/mine.html",
        {"page": paginate(request, assignments),
         "status": status, "statuses": Assignment.Status.choices},
    )
