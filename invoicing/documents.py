"""An approved invoice's documents: render, store, and send them.

``invoicing.tasks.render_and_send`` calls ``render_and_store`` then
``send``. Both are safe to repeat (a task retried, or started twice): the
documents are made from what was frozen on the invoice at approval and,
once stored, are kept as the documents of record; the status moves
approved → sent at most once, so the recipient gets one e-mail.
"""

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from invoicing.models import Invoice
from invoicing.pdf import invoice_pdf
from invoicing.ubl import buyer_reference, invoice_ubl
from members.audit import audit_record

MAIL_LANGUAGE = "nl"


def file_stem(invoice: Invoice) -> str:
    """``factuur-org-7-2026-00042``: the number is unique per issuer only,
    so the issuer's key is part of the name."""
    kind = "creditnota" if invoice.kind == Invoice.Kind.CREDIT_NOTE else "factuur"
    return f"{kind}-{invoice.issuer_key.replace(':', '-')}-{invoice.number}"


def render_and_store(invoice: Invoice) -> None:
    """Render the PDF and the UBL XML and store them on the invoice. A
    document already stored is the document of record (it may have been
    sent) and is kept as it is: calling this again stores nothing new."""
    invoice.refresh_from_db(fields=["pdf", "xml"])  # a stale instance must not overwrite them
    stem = file_stem(invoice)
    stored = {}
    for field_name, extension, render in (("pdf", "pdf", invoice_pdf), ("xml", "xml", invoice_ubl)):
        field_file = getattr(invoice, field_name)
        if field_file.name and field_file.storage.exists(field_file.name):
            continue
        stored[field_name] = _save(invoice, field_file, f"{stem}.{extension}", render(invoice))
    if stored:
        Invoice.objects.filter(pk=invoice.pk).update(**stored)


def _save(invoice: Invoice, field_file, filename: str, content: bytes) -> str:
    """Store under exactly ``filename`` (not Django's ``name_<random>`` when
    a file of that name was left behind, e.g. by a rolled-back attempt)."""
    target = field_file.field.generate_filename(invoice, filename)
    if field_file.storage.exists(target):
        field_file.storage.delete(target)
    field_file.save(filename, ContentFile(content), save=False)
    return field_file.name


def send(invoice: Invoice) -> bool:
    """E-mail the invoice to the recipient's invoice address with the PDF
    and the XML attached and mark it sent. Only an approved invoice is
    sent: the conditional update holds the row until the mail is out, so a
    concurrent second call finds it sent and sends nothing; a failing mail
    server rolls the status back. True when this call sent it."""
    if not Invoice.objects.filter(pk=invoice.pk, status=Invoice.Status.APPROVED).exists():
        return False
    if not invoice.buyer_email:
        raise ValueError(f"Invoice {invoice.number} has no invoice e-mail address.")
    render_and_store(invoice)
    with transaction.atomic():
        now = timezone.now()
        claimed = Invoice.objects.filter(pk=invoice.pk, status=Invoice.Status.APPROVED).update(
            status=Invoice.Status.SENT, sent_at=now
        )
        if not claimed:
            return False
        _message(invoice).send()
        audit_record(
            actor=None, action="invoice.sent", target=invoice,
            organisation=invoice.issuer_organisation or invoice.recipient,
            data={"to": invoice.buyer_email, "number": invoice.number},
        )
    invoice.status, invoice.sent_at = Invoice.Status.SENT, now
    return True


def _message(invoice: Invoice) -> EmailMessage:
    context = {
        "invoice": invoice,
        "is_credit_note": invoice.kind == Invoice.Kind.CREDIT_NOTE,
        "buyer_reference": buyer_reference(invoice),
    }
    with translation.override(MAIL_LANGUAGE):
        subject = render_to_string("invoicing/email/invoice_subject.txt", context)
        body = render_to_string("invoicing/email/invoice.txt", context)
    message = EmailMessage(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invoice.buyer_email],
    )
    stem = file_stem(invoice)
    for field_file, extension, mimetype in (
        (invoice.pdf, "pdf", "application/pdf"),
        (invoice.xml, "xml", "application/xml"),
    ):
        with field_file.open("rb") as handle:
            message.attach(f"{stem}.{extension}", handle.read(), mimetype)
    return message
