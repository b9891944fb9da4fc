"""Invoices: the list (issued and received), HR's queue of drafts, one
invoice with its lines and hours, and what the issuer does with it (approve,
reject, mark paid, credit) — plus the stored PDF and UBL downloads, served
only through the visibility selector."""

import os
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from invoicing import money, selectors, services
from invoicing.forms import CreditNoteForm, InvoiceFilterForm, MarkPaidForm, ReasonForm
from invoicing.models import Invoice, InvoiceLineEntry
from members.errors import DomainError
from members.roles import require, roles_of
from members.viewhelpers import form_error, network_only, paginate, select_options

PAGE_SIZE = 25
DECIDED = (Invoice.Status.APPROVED, Invoice.Status.SENT, Invoice.Status.PAID)


# --- Helpers ---------------------------------------------------------------------


def _visible_invoice(request, pk, queryset=None) -> Invoice:
    """Another organisation's invoice does not exist for this person (404)."""
    queryset = queryset if queryset is not None else selectors.invoices_visible_to(request.user)
    return get_object_or_404(queryset, pk=pk)


def _issuer_invoice(request, pk) -> Invoice:
    """An invoice the person acts on for the issuer (HR of the issuing
    organisation, the ZZP member for their own, the administrator): others
    who may see it (the recipient, the programme) get 403."""
    invoice = _visible_invoice(request, pk)
    require(selectors.is_invoice_approver(request.user, invoice))
    return invoice


def _line_entries() -> Prefetch:
    return Prefetch(
        "lines__entry_links",
        queryset=InvoiceLineEntry.objects.select_related("time_entry").order_by("time_entry__date"),
    )


def _direction_filter(user) -> tuple[Q, Q]:
    """(issued, received) from this person's point of view."""
    roles = roles_of(user)
    issued = Q(issuer_organisation_id__in=roles.hr_of)
    if roles.profile_id:
        issued |= Q(issuer_member_id=roles.profile_id)
    received = Q(recipient_id__in=roles.hr_of | roles.coordinator_of)
    return issued, received


def _overdue(queryset):
    return queryset.filter(
        status__in=(Invoice.Status.APPROVED, Invoice.Status.SENT), due_date__lt=timezone.localdate()
    )


def _download(invoice: Invoice, file_field, content_type: str) -> FileResponse:
    """A stored document as an attachment; not yet rendered (or lost): 404."""
    if not file_field:
        raise Http404
    try:
        handle = file_field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle, as_attachment=True, filename=os.path.basename(file_field.name), content_type=content_type
    )


# --- Lists -------------------------------------------------------------------------


@login_required
def invoice_list(request):
    """Everyone in the network may open the list; it holds only what the
    selector lets them see (issued by their organisation or by themselves
    as ZZP, received by their organisation; everything for the programme)."""
    network_only(request)
    roles = roles_of(request.user)
    invoices = selectors.invoices_visible_to(request.user)
    form = InvoiceFilterForm(request.GET or None)
    if form.is_valid():
        issued, received = _direction_filter(request.user)
        data = form.cleaned_data
        if data["direction"] == "issued":
            invoices = invoices.filter(issued)
        elif data["direction"] == "received":
            invoices = invoices.filter(received)
        if data["status"] == InvoiceFilterForm.OVERDUE:
            invoices = _overdue(invoices)
        elif data["status"]:
            invoices = invoices.filter(status=data["status"])
        if data["month"]:
            month = data["month"]
            month_end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            invoices = invoices.filter(period_start__lte=month_end, period_end__gte=month)
    page = paginate(request, invoices.order_by("-created_at", "-pk"), PAGE_SIZE)
    for invoice in page.object_list:
        invoice.outgoing = invoice.issuer_organisation_id in roles.hr_of or (
            invoice.issuer_member_id is not None and invoice.issuer_member_id == roles.profile_id
        )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "invoicing/invoices/invoice_list.html",
        {
            "page": page,
            "form": form,
            "query": query.urlencode(),
            "show_direction": not roles.sees_everything,
            "can_run": roles.is_hr or roles.admin,
            "direction_options": select_options(form["direction"]),
            "status_options": select_options(form["status"]),
        },
    )


@login_required
def invoice_queue(request):
    """Draft invoices the person may approve: HR of the issuer, or the ZZP
    member for their own invoices."""
    roles = roles_of(request.user)
    require(roles.is_hr or roles.is_member or roles.admin)
    invoices = selectors.invoice_queue_for(request.user).prefetch_related("lines", _line_entries())
    return render(
        request, "invoicing/invoices/invoice_queue.html", {"page": paginate(request, invoices, 10)}
    )


# --- One invoice -------------------------------------------------------------------------


@login_required
def invoice_detail(request, pk):
    invoice = _visible_invoice(
        request, pk,
        selectors.invoices_visible_to(request.user).prefetch_related("lines", _line_entries(), "credit_notes"),
    )
    lines = list(invoice.lines.all())
    issuer_side = selectors.is_invoice_approver(request.user, invoice)
    return render(
        request,
        "invoicing/invoices/invoice_detail.html",
        {
            "invoice": invoice,
            "lines": lines,
            "vat_groups": money.vat_breakdown(lines),
            "hours": sum((line.quantity for line in lines), 0),
            "can_approve": selectors.can_approve_invoice(request.user, invoice),
            "can_mark_paid": issuer_side and invoice.status in (Invoice.Status.APPROVED, Invoice.Status.SENT),
            "can_credit": issuer_side and invoice.kind == Invoice.Kind.INVOICE and invoice.status in DECIDED,
            "credit_notes": list(invoice.credit_notes.all()),
        },
    )


@login_required
@require_POST
def invoice_approve(request, pk):
    invoice = _issuer_invoice(request, pk)
    try:
        invoice = services.invoice_approve(actor=request.user, invoice=invoice)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Invoice %(number)s was approved; it is being rendered and sent to %(recipient)s.")
            % {"number": invoice.number, "recipient": invoice.recipient.name}
        )
    return redirect("invoicing:invoice_detail", pk=invoice.pk)


@login_required
def invoice_reject(request, pk):
    invoice = _issuer_invoice(request, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invoice_reject(actor=request.user, invoice=invoice, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(
                request, _("The draft invoice was rejected; its hours are free for the next invoice run.")
            )
            return redirect("invoicing:invoice_queue")
    return render(request, "invoicing/invoices/invoice_reject.html", {"invoice": invoice, "form": form})


@login_required
def invoice_mark_paid(request, pk):
    invoice = _issuer_invoice(request, pk)
    form = MarkPaidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invoice_mark_paid(actor=request.user, invoice=invoice, paid_on=form.cleaned_data["paid_on"])
        except DomainError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Invoice %(number)s is marked as paid.") % {"number": invoice.number})
            return redirect("invoicing:invoice_detail", pk=invoice.pk)
    return render(request, "invoicing/invoices/invoice_mark_paid.html", {"invoice": invoice, "form": form})


@login_required
def credit_note_create(request, pk):
    invoice = _issuer_invoice(request, pk)
    form = CreditNoteForm(request.POST or None, invoice_lines=invoice.lines.all())
    if request.method == "POST" and form.is_valid():
        try:
            credit_note = services.credit_note_create(
                actor=request.user, invoice=invoice, line_ids=form.line_ids(),
                reason=form.cleaned_data["reason"], free_hours=form.cleaned_data["free_hours"],
            )
        except DomainError as error:
            # The service names the chosen lines "line_ids"; the form calls them "lines".
            form_error(form, DomainError(error.message, field="lines") if error.field == "line_ids" else error)
        else:
            messages.success(
                request, _("Credit note %(number)s was made for invoice %(original)s.")
                % {"number": credit_note.number, "original": invoice.number}
            )
            return redirect("invoicing:invoice_detail", pk=credit_note.pk)
    return render(request, "invoicing/invoices/credit_note_form.html", {"invoice": invoice, "form": form})


# --- Documents ------------------------------------------------------------------------


@login_required
def invoice_pdf(request, pk):
    invoice = _visible_invoice(request, pk)
    return _download(invoice, invoice.pdf, "application/pdf")


@login_required
def invoice_xml(request, pk):
    invoice = _visible_invoice(request, pk)
    return _download(invoice, invoice.xml, "application/xml")
