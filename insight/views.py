"""The dashboard: the province (programme manager, admins) or one
organisation (its HR and coordinators), for a chosen period; every figure
with its definition, chart, table and a CSV export of exactly that table."""

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from insight import selectors, services
from insight.charts import render_chart
from insight.figures import figure_function, figure_functions
from insight.figures.base import Scope
from insight.forms import ExternalRateForm, PeriodForm
from members.errors import DomainError
from members.roles import require, roles_of
from members.selectors import organisations_in_scope_of
from members.viewhelpers import csv_cell, form_error, network_only

PERIOD_PARAMS = ("period", "year", "quarter", "month", "start", "end")


def _period_query(request) -> str:
    return urlencode([(k, request.GET[k]) for k in PERIOD_PARAMS if request.GET.get(k)])


def _organisation_for(request, slug):
    """The organisation whose figures are asked for: outside the person's
    scope 404, inside it without HR/coordinator role 403."""
    network_only(request)
    if roles_of(request.user).sees_everything:
        return get_object_or_404(selectors.insight_organisations_for(request.user), slug=slug)
    organisation = get_object_or_404(organisations_in_scope_of(request.user), slug=slug)
    require(selectors.insight_organisations_for(request.user).filter(pk=organisation.pk).exists())
    return organisation


def _render_dashboard(request, organisation):
    form = PeriodForm(request.GET)
    context = {
        "form": form,
        "organisation": organisation,
        "organisations": selectors.insight_organisations_for(request.user),
        "province": organisation is None,
        "period_query": _period_query(request),
    }
    if form.is_valid():
        period = form.get_period()
        scope = Scope(period=period, organisation_id=organisation.pk if organisation else None)
        sections = []
        for title, functions in figure_functions():
            figures = []
            for function in functions:
                figure = function(scope)
                figures.append({"figure": figure, "chart": render_chart(figure), "rows": figure.display_rows()})
            sections.append({"title": title, "id": slugify(str(title)), "figures": figures})
        previous, following = form.neighbours(period)
        context.update(
            period=period,
            sections=sections,
            previous_query=urlencode(previous) if previous else "",
            next_query=urlencode(following) if following else "",
        )
    return render(request, "insight/dashboard.html", context)


@login_required
def dashboard(request):
    """The province for those who see everything; otherwise straight to the
    person's own organisation (or a choice when they act for several)."""
    network_only(request)
    roles = roles_of(request.user)
    organisations = selectors.insight_organisations_for(request.user)
    wanted = request.GET.get("organisation")
    if wanted:
        organisation = get_object_or_404(organisations, slug=wanted)
        query = _period_query(request)
        url = reverse("insight:organisation_dashboard", kwargs={"slug": organisation.slug})
        return redirect(f"{url}?{query}" if query else url)
    if roles.sees_everything:
        return _render_dashboard(request, None)
    require(roles.is_hr or roles.is_coordinator)
    own = list(organisations[:2])
    if len(own) == 1:
        query = _period_query(request)
        url = reverse("insight:organisation_dashboard", kwargs={"slug": own[0].slug})
        return redirect(f"{url}?{query}" if query else url)
    return render(request, "insight/choose.html", {"organisations": organisations})


@login_required
def organisation_dashboard(request, slug):
    return _render_dashboard(request, _organisation_for(request, slug))


def _csv_response(request, organisation, key):
    function = figure_function(key)
    if function is None:
        raise Http404
    form = PeriodForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Choose a valid period first."))
        url = (reverse("insight:organisation_dashboard", kwargs={"slug": organisation.slug})
               if organisation else reverse("insight:dashboard"))
        return redirect(f"{url}?{request.GET.urlencode()}")
    period = form.get_period()
    figure = function(Scope(period=period, organisation_id=organisation.pk if organisation else None))
    who = organisation.slug if organisation else "provincie"
    filename = f"{figure.key}-{who}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so spreadsheet programs read UTF-8
    writer = csv.writer(response, delimiter=";")
    writer.writerow(figure.header())
    writer.writerows([csv_cell(cell) for cell in row] for row in figure.display_rows())
    return response


@login_required
def figure_csv(request, key):
    network_only(request)
    require(roles_of(request.user).sees_everything)
    return _csv_response(request, None, key)


@login_required
def organisation_figure_csv(request, slug, key):
    return _csv_response(request, _organisation_for(request, slug), key)


@login_required
def external_rates(request):
    network_only(request)
    roles = roles_of(request.user)
    require(roles.sees_everything or roles.is_hr or roles.is_coordinator)
    can_edit = roles.sees_everything
    form = ExternalRateForm(request.POST or None) if can_edit else None
    if request.method == "POST":
        require(can_edit)
        if form.is_valid():
            try:
                services.external_rate_set(
                    actor=request.user, skill_area=form.cleaned_data["skill_area"],
                    hourly_rate=form.cleaned_data["hourly_rate"],
                )
            except DomainError as error:
                form_error(form, error)
            else:
                messages.success(request, _("The external rate was saved."))
                return redirect("insight:external_rates")
    return render(request, "insight/external_rates.html", {
        "rates": selectors.external_rates_visible_to(request.user),
        "form": form,
        "can_edit": can_edit,
    })


@login_required
@require_POST
def external_rate_delete(request, pk):
    network_only(request)
    rate = get_object_or_404(selectors.external_rates_visible_to(request.user), pk=pk)
    require(roles_of(request.user).sees_everything)
    try:
        services.external_rate_delete(actor=request.user, rate=rate)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The external rate was removed."))
    return redirect("insight:external_rates")
