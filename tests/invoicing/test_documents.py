"""Storing an approved invoice's PDF and UBL, and e-mailing them once."""

from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMessage

from invoicing.documents import render_and_store, send
from invoicing.models import Invoice
from members.models import AuditEntry
from tests.invoicing.conftest import Line


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(root):
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def test_render_and_store_saves_both_documents_named_after_the_number(make_invoice, media_root):
    invoice = make_invoice([Line("12.25", "85.00"), Line("7.5", "92.50")])
    render_and_store(invoice)

    invoice = Invoice.objects.get(pk=invoice.pk)
    stem = f"factuur-org-{invoice.issuer_organisation_id}-{invoice.number}"
    assert invoice.pdf.name == f"invoices/pdf/{stem}.pdf"
    assert invoice.xml.name == f"invoices/ubl/{stem}.xml"
    assert invoice.pdf.read().startswith(b"%PDF-")
    xml = invoice.xml.read()
    assert xml.startswith(b"<?xml") and f"<cbc:ID>{invoice.number}</cbc:ID>".encode() in xml
    assert stored_files(media_root) == [f"invoices/pdf/{stem}.pdf", f"invoices/ubl/{stem}.xml"]


def test_rendering_again_keeps_the_stored_documents(make_invoice, media_root):
    """Idempotent: the same files with the same content, no "_x7Yz" copies,
    even from a stale instance that does not know they were stored."""
    invoice = make_invoice([Line("8", "85.00")])
    stale = Invoice.objects.get(pk=invoice.pk)
    render_and_store(invoice)
    first = {path: (media_root / path).read_bytes() for path in stored_files(media_root)}

    render_and_store(stale)
    render_and_store(Invoice.objects.get(pk=invoice.pk))

    assert {path: (media_root / path).read_bytes() for path in stored_files(media_root)} == first
    assert Invoice.objects.get(pk=invoice.pk).pdf.name == invoice.pdf.name


def test_a_missing_file_is_rendered_again_under_the_same_name(make_invoice, media_root):
    invoice = make_invoice([Line("8", "85.00")])
    render_and_store(invoice)
    (media_root / invoice.xml.name).unlink()
    render_and_store(invoice)
    assert (media_root / invoice.xml.name).read_bytes().startswith(b"<?xml")
    assert len(stored_files(media_root)) == 2


def test_send_mails_the_recipient_both_files_once(make_invoice):
    invoice = make_invoice([Line("12.25", "85.00"), Line("7.5", "92.50")])
    render_and_store(invoice)

    assert send(invoice) is True
    assert send(Invoice.objects.get(pk=invoice.pk)) is False

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [invoice.buyer_email]
    assert invoice.number in message.subject and "Gemeente Tilburg" in message.subject
    stem = f"factuur-org-{invoice.issuer_organisation_id}-{invoice.number}"
    names = [(name, mimetype) for name, _, mimetype in message.attachments]
    assert names == [(f"{stem}.pdf", "application/pdf"), (f"{stem}.xml", "application/xml")]
    assert message.attachments[0][1].startswith(b"%PDF-")
    assert message.attachments[1][1] == Invoice.objects.get(pk=invoice.pk).xml.read()
    for expected in ("€ 2.099,35", "1 mei 2026", invoice.seller_iban, "ZPP-oss-2026-03"):
        assert expected in message.body

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.SENT and invoice.sent_at is not None
    assert AuditEntry.objects.filter(action="invoice.sent", target_id=str(invoice.pk)).count() == 1


def test_send_renders_first_when_the_documents_are_missing(make_invoice):
    invoice = make_invoice([Line("8", "85.00")])
    assert send(invoice) is True
    assert len(mail.outbox[0].attachments) == 2
    assert Invoice.objects.get(pk=invoice.pk).xml.name.endswith(f"{invoice.number}.xml")


@pytest.mark.parametrize("status", [Invoice.Status.SENT, Invoice.Status.PAID])
def test_only_an_approved_invoice_is_sent(make_invoice, status):
    invoice = make_invoice([Line("8", "85.00")])
    Invoice.objects.filter(pk=invoice.pk).update(status=status)
    assert send(invoice) is False
    assert mail.outbox == []


def test_a_failing_mail_server_leaves_the_invoice_approved(make_invoice):
    invoice = make_invoice([Line("8", "85.00")])
    with mock.patch.object(EmailMessage, "send", side_effect=ConnectionRefusedError("smtp down")):
        with pytest.raises(ConnectionRefusedError):
            send(invoice)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.APPROVED and invoice.sent_at is None

    assert send(invoice) is True  # the retry goes out
    assert len(mail.outbox) == 1


def test_credit_note_mail_names_the_original(make_invoice, make_credit_note):
    original = make_invoice([Line("8", "85.00")], zzp=True)
    note = make_credit_note(original)
    assert send(note) is True
    message = mail.outbox[0]
    assert note.number in message.subject and "Van Dijk Advies" in message.subject
    assert original.number in message.body
    assert message.attachments[0][0] == f"creditnota-member-{original.issuer_member_id}-{note.number}.pdf"
    assert Invoice.objects.get(pk=note.pk).status == Invoice.Status.SENT
