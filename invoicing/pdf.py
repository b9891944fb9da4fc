"""The human-readable invoice: a PDF in Dutch with every field Dutch law
(Wet OB art. 35a, Handelsregisterwet) asks of an invoice.

Rendered by WeasyPrint from ``templates/invoicing/pdf/invoice.html``, whose
print CSS is included inline: the PDF needs no network and no static files,
and the fetcher refuses anything but local and data URLs. It reads only the
details frozen on the invoice at approval, so a re-render says the same.
"""

import dataclasses

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from invoicing.models import Invoice, InvoiceLine
from invoicing.money import vat_breakdown
from invoicing.ubl import buyer_reference

PDF_LANGUAGE = "nl"


def invoice_pdf(invoice: Invoice) -> bytes:
    """The PDF of a numbered invoice or credit note."""
    return HTML(string=invoice_html(invoice), url_fetcher=URLFetcher(allowed_protocols={"file", "data"})).write_pdf()


def invoice_html(invoice: Invoice) -> str:
    """The print HTML the PDF is made from, in Dutch."""
    if not invoice.number:
        raise ValueError("Only a numbered invoice has a PDF.")
    with translation.override(PDF_LANGUAGE):
        return render_to_string("invoicing/pdf/invoice.html", _context(invoice))


def _context(invoice: Invoice) -> dict:
    lines = list(invoice.lines.order_by("pk"))
    is_credit_note = invoice.kind == Invoice.Kind.CREDIT_NOTE
    vat_groups = [
        {**dataclasses.asdict(group), "label": InvoiceLine.VatCategory(group.category).label}
        for group in vat_breakdown(lines)
    ]
    return {
        "invoice": invoice,
        "lines": lines,
        "vat_groups": vat_groups,
        "is_credit_note": is_credit_note,
        "title": _("Credit note") if is_credit_note else _("Invoice"),
        "buyer_reference": buyer_reference(invoice),
        "payment_term_days": (invoice.due_date - invoice.issue_date).days if invoice.due_date else None,
    }
