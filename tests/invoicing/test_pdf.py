"""The PDF invoice: a real PDF in Dutch carrying every field a Dutch finance
department (and the tax authority) asks of an invoice."""

import shutil
import socket
import subprocess

import pytest
from django.utils import translation
from django.utils.translation import gettext
from weasyprint import HTML

from invoicing.pdf import invoice_html, invoice_pdf
from tests.invoicing.conftest import EXEMPT_REASON, OUT_OF_SCOPE_REASON, Line


def _box_text(box) -> str:
    own = getattr(box, "text", "") or ""
    return " ".join([own, *(_box_text(child) for child in getattr(box, "children", []))])


def pdf_text(invoice) -> str:
    """The text a reader sees, whitespace collapsed: from the PDF itself with
    poppler's pdftotext, or else from WeasyPrint's laid-out pages."""
    pdf = invoice_pdf(invoice)
    assert pdf.startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    else:
        document = HTML(string=invoice_html(invoice)).render()
        text = " ".join(_box_text(page._page_box) for page in document.pages)
    return " ".join(text.split())


def test_invoice_pdf_has_the_legally_required_fields(make_invoice):
    invoice = make_invoice([
        Line("12.25", "85.00", description="Omgevingsvisie Oss"),
        Line("7.5", "92.50", description="Stikstofdossier"),
    ])
    text = pdf_text(invoice)

    for expected in (
        invoice.number,
        "1 april 2026",  # invoice date, in Dutch
        "Gemeente Tilburg", "Stadhuisplein 130", "5038 TC Tilburg",
        "Gemeente Oss", "Raadhuislaan 10", "5341 GM Oss",
        invoice.seller_vat, invoice.buyer_vat, invoice.seller_kvk, invoice.buyer_kvk,
        "1 maart 2026 – 31 maart 2026",  # period of service
        "Omgevingsvisie Oss", "12,25", "€ 85,00", "Stikstofdossier", "7,50", "€ 92,50",
        "21%",
        "€ 1.735,00",  # total excl. VAT: 1041.25 + 693.75
        "€ 364,35",  # VAT 21 %
        "€ 2.099,35",  # total incl. VAT
        "1 mei 2026",  # due date
        invoice.seller_iban,
        "ZPP-oss-2026-03",  # their reference
    ):
        assert expected in text, f"{expected!r} missing from the PDF text:\n{text}"


def test_pdf_is_in_dutch(make_invoice):
    text = pdf_text(make_invoice([Line("8", "85.00")]))
    with translation.override("nl"):
        title = gettext("Invoice")
    assert text.startswith(title)
    assert "btw-nummer" in text  # "VAT number", already in the Dutch catalogue
    assert "april" in text and "April" not in text


def test_exempt_and_out_of_scope_reasons_are_printed(make_invoice):
    exempt = pdf_text(make_invoice([Line("8", "85.00", vat="E"), Line("2", "85.00")]))
    assert EXEMPT_REASON in exempt
    assert "€ 680,00" in exempt and "€ 170,00" in exempt and "€ 35,70" in exempt

    out_of_scope = pdf_text(make_invoice([Line("8", "85.00", vat="O")], zzp=True))
    assert OUT_OF_SCOPE_REASON in out_of_scope
    assert "Van Dijk Advies" in out_of_scope and "87654321" in out_of_scope


def test_credit_note_pdf_says_so_and_references_the_original(make_invoice, make_credit_note):
    original = make_invoice([Line("10", "85.00"), Line("3.25", "77.77")])
    note = make_credit_note(original, [original.lines.order_by("pk")[1]])
    text = pdf_text(note)
    with translation.override("nl"):
        title = gettext("Credit note")
    assert text.startswith(title)
    assert note.number in text and original.number in text
    assert note.rejection_reason in text
    assert "€ -252,75" in text and "€ -305,83" in text  # 3.25 × 77.77 and incl. 21 % VAT


def test_rendering_needs_no_network(make_invoice, monkeypatch):
    """Everything the PDF needs is local: no socket is opened. (WeasyPrint
    swallows a fetcher's errors, so attempts are counted, not raised.)"""
    invoice = make_invoice([Line("8", "85.00")])
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("no network while rendering an invoice")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert invoice_pdf(invoice).startswith(b"%PDF-")
    assert attempts == []


def test_a_draft_has_no_pdf(make_invoice):
    invoice = make_invoice([Line("8", "85.00")])
    invoice.number = ""
    with pytest.raises(ValueError):
        invoice_pdf(invoice)
