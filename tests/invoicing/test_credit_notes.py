"""Credit notes: an approved invoice is never edited; a credit note with its
own number in the series reverses it, fully or for chosen lines, and frees
the hours for a new invoice when asked."""

from datetime import date
from decimal import Decimal as D

import pytest

from invoicing import services, tasks
from invoicing.models import Invoice, InvoiceLineEntry
from members.errors import DomainError
from members.models import AuditEntry
from tests.factories import EngagementFactory, MemberProfileFactory, approved_hours, run_invoice_month

OCTOBER = date(2026, 10, 1)


@pytest.fixture
def invoice(org_a, org_b, member_a, hr_a):
    """An approved invoice of A to B with two lines: 7.25 h × 63.37 and 12 h × 85."""
    colleague = MemberProfileFactory(home_organisation=org_a)
    for member, rate, hours in ((member_a.profile, "63.37", ["7.25"]), (colleague, "85.00", ["4", "4", "4"])):
        work = EngagementFactory(member=member, hiring_organisation=org_b, agreed_rate=D(rate),
                                 start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))
        approved_hours(work, date(2026, 10, 5), hours)
    [draft] = run_invoice_month(OCTOBER)
    return services.invoice_approve(actor=hr_a, invoice=draft)


def test_full_credit_note_reverses_the_invoice(invoice, hr_a, run_on_commit, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.render_and_send, "apply_async", lambda args, kwargs: sent.append(*args))
    assert (invoice.number, invoice.total_incl_vat) == ("2026-00001", D("1790.11"))  # 1479.43 + 21 % (310.6803 → 310.68)
    with run_on_commit():
        note = services.credit_note_create(actor=hr_a, invoice=invoice, line_ids=None,
                                           reason="Verkeerde maand gefactureerd", free_hours=False)
    assert sent == [note.pk]  # rendered and sent like an invoice
    assert (note.kind, note.status, note.number, note.credited_invoice) == (
        "credit_note", "approved", "2026-00002", invoice
    )
    assert (note.total_excl_vat, note.total_vat, note.total_incl_vat) == (
        -invoice.total_excl_vat, -invoice.total_vat, -invoice.total_incl_vat
    )
    assert list(note.lines.order_by("pk").values_list("quantity", "unit_price", "line_total", "credited_line")) == [
        (-line.quantity, line.unit_price, -line.line_total, line.pk) for line in invoice.lines.order_by("pk")
    ]
    assert (note.seller_name, note.buyer_name, note.buyer_reference) == (
        invoice.seller_name, invoice.buyer_name, invoice.buyer_reference
    )
    assert (note.issue_date, note.rejection_reason) == (invoice.issue_date, "Verkeerde maand gefactureerd")
    assert AuditEntry.objects.filter(action="invoice.credit", actor=hr_a, data__credits="2026-00001").exists()
    invoice.refresh_from_db()
    assert invoice.status == "approved"  # the original stays as it was
    # The hours stay invoiced: nothing for a new run.
    assert InvoiceLineEntry.objects.filter(line__invoice=invoice, active=True).count() == 4
    assert run_invoice_month(OCTOBER) == []


def test_credit_chosen_lines_and_free_their_hours(invoice, hr_a):
    first, second = invoice.lines.order_by("pk")
    note = services.credit_note_create(actor=hr_a, invoice=invoice, line_ids=[second.pk],
                                       reason="Uren dubbel geschreven", free_hours=True)
    assert list(note.lines.values_list("quantity", "line_total")) == [(D("-12.00"), D("-1020.00"))]
    assert (note.total_excl_vat, note.total_vat, note.total_incl_vat) == (D("-1020.00"), D("-214.20"), D("-1234.20"))
    assert not InvoiceLineEntry.objects.filter(line=second, active=True).exists()
    assert InvoiceLineEntry.objects.filter(line=first, active=True).count() == 1
    # A line is credited once; the other one still can be.
    with pytest.raises(DomainError) as info:
        services.credit_note_create(actor=hr_a, invoice=invoice, line_ids=[second.pk], reason="Nog eens",
                                    free_hours=False)
    assert info.value.field == "line_ids"
    services.credit_note_create(actor=hr_a, invoice=invoice, line_ids=[first.pk], reason="Ook deze",
                                free_hours=False)
    # The freed hours go on a new draft.
    [again] = run_invoice_month(OCTOBER)
    assert list(again.lines.values_list("engagement_id", "quantity")) == [(second.engagement_id, D("12.00"))]
    numbers = list(Invoice.objects.exclude(number="").order_by("number").values_list("number", flat=True))
    assert numbers == ["2026-00001", "2026-00002", "2026-00003"]


def test_bad_credit_requests_are_refused(invoice, hr_a, hr_b):
    unknown = invoice.lines.order_by("-pk").first().pk + 1000
    cases = [
        (hr_b, {"line_ids": None, "reason": "Mag niet"}, None),
        (hr_a, {"line_ids": None, "reason": " "}, "reason"),
        (hr_a, {"line_ids": [], "reason": "Leeg"}, "line_ids"),
        (hr_a, {"line_ids": [unknown], "reason": "Onbekend"}, "line_ids"),
    ]
    for actor, kwargs, field in cases:
        with pytest.raises(DomainError) as info:
            services.credit_note_create(actor=actor, invoice=invoice, free_hours=True, **kwargs)
        assert info.value.field == field
    assert not Invoice.objects.filter(kind="credit_note").exists()
    assert InvoiceLineEntry.objects.filter(active=False).count() == 0


def test_drafts_and_credit_notes_cannot_be_credited(invoice, hr_a):
    note = services.credit_note_create(actor=hr_a, invoice=invoice, line_ids=None, reason="Fout", free_hours=True)
    with pytest.raises(DomainError):
        services.credit_note_create(actor=hr_a, invoice=note, line_ids=None, reason="Dubbel", free_hours=True)
    [draft] = run_invoice_month(OCTOBER)  # the freed hours
    with pytest.raises(DomainError):
        services.credit_note_create(actor=hr_a, invoice=draft, line_ids=None, reason="Concept", free_hours=True)
    with pytest.raises(DomainError):
        services.invoice_approve(actor=hr_a, invoice=note)


def test_a_paid_invoice_can_be_credited(invoice, hr_a):
    services.invoice_mark_paid(actor=hr_a, invoice=invoice, paid_on=invoice.issue_date)
    note = services.credit_note_create(actor=hr_a, invoice=invoice, line_ids=None, reason="Terugbetaald",
                                       free_hours=False)
    assert note.total_incl_vat == D("-1790.11")

