"""HR's side of the month: starting the invoice run for a chosen month, and
the overview (hours approved but not invoiced, invoices waiting, totals per
counterpart organisation per month) with its CSV export."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from invoicing import selectors, services
from invoicing.forms import InvoiceRunForm, OverviewForm
from members.errors import DomainError
from members.models import Organisation
from members.roles import require, roles_of
from members.viewhelpers import form_error

RECENT_RUNS = 10


def _hr_organisations(request):
    """The organisations this person acts for as HR (the admin: all)."""
    roles = roles_of(request.user)
    require(roles.is_hr or roles.admin)
    organisations = Organisation.objects.order_by("name")
    return organisations if roles.admin else organisations.filter(pk__in=roles.hr_of)


@login_required
def invoice_run(request):
    organisations = _hr_organisations(request)
    admin = roles_of(request.user).admin
    form = InvoiceRunForm(request.POST or None, organisations=organisations, allow_all=admin)
    if request.method == "POST" and form.is_valid():
        month = form.cleaned_data["month"]
        organisation = form.cleaned_data["organisation"]
        try:
            services.invoice_run_start(actor=request.user, period_start=month, organisation=organisation)
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(
                request, _("The invoice run for %(month)s was started. The draft invoices appear in the queue when it is done.")
                % {"month": formats.date_format(month, "YEAR_MONTH_FORMAT")}
            )
            return redirect("invoicing:invoice_run")
    runs = selectors.invoice_runs_visible_to(request.user)
    return render(
        request,
        "invoicing/reports/invoice_run.html",
        {"form": form, "runs": runs.order_by("-started_at", "-pk")[:RECENT_RUNS]},
    )


def _overview(request):
    """The overview form (organisation, year) and the selector's figures."""
    organisations = _hr_organisations(request)
    data = request.GET.copy()
    data.setdefault("organisation", str(organisations.values_list("pk", flat=True).first() or ""))
    data.setdefault("year", str(timezone.localdate().year))
    form = OverviewForm(data, organisations=organisations)
    if not form.is_valid():
        return form, None
    overview = selectors.hr_overview(request.user, form.cleaned_data["organisation"], form.cleaned_data["year"])
    return form, overview


@login_required
def hr_overview(request):
    form, overview = _overview(request)
    return render(
        request, "invoicing/reports/hr_overview.html",
        {"form": form, "overview": overview, "query": request.GET.urlencode()},
    )


CSV_HEADER = [
    "section", "direction", "counterpart", "month", "hours", "invoices", "amount_excl_vat", "vat", "amount_incl_vat",
]


def overview_csv_rows(overview) -> list[list]:
    """The overview's figures, one CSV row each, exactly as the page shows
    them: hours approved but not invoiced, the open invoices, and the totals
    per counterpart organisation and month."""
    rows = [
        ["uninvoiced_hours", "", r.counterpart, f"{r.month:%Y-%m}", r.hours, "", r.amount, "", ""]
        for r in overview.uninvoiced
    ]
    rows.append(["drafts_waiting", "", "", "", "", overview.waiting_count, "", "", overview.waiting_total])
    rows.append(["unpaid", "", "", "", "", overview.unpaid_count, "", "", overview.unpaid_total])
    rows.append(["overdue", "", "", "", "", overview.overdue_count, "", "", ""])
    rows += [
        ["invoiced", t.direction, t.counterpart, f"{t.month:%Y-%m}", "", t.invoices, t.excl_vat, t.vat, t.incl_vat]
        for t in overview.totals
    ]
    return rows


@login_required
def hr_overview_csv(request):
    form, overview = _overview(request)
    if overview is None:
        return redirect("invoicing:hr_overview")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"overzicht-{overview.organisation.slug}-{overview.year}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    writer.writerows(overview_csv_rows(overview))
    return response
