"""Permission-matrix rows for the invoicing URLs (see tests/matrix.py).

The objects (``extend_world``):

- ``timesheet``: member_a's submitted week on the world's engagement
  (member_a of A working for A). Hours are seen by the member, the hiring
  organisation's coordinators and HR, HR of the member's home organisation
  (which invoices them), the programme manager and the admin; only
  the hiring organisation's coordinators (and the admin) decide on them.
  Organisation B's people: 404.
- ``draft_invoice`` and ``invoice`` (approved, PDF and UBL stored): issued by
  A (member_a working for B) to B — an invoice has two organisations, so B's
  side appears here too. Visible to the issuer's HR (hr_a), the recipient's
  coordinators and HR (coordinator_b, hr_b) once it is numbered (a draft is
  the issuer's business: 404 for them), the programme manager and the admin.
  Only the issuer's HR (and the admin) acts on it: approve, reject, mark
  paid, credit; the recipient and the programme read it and download its
  documents (403 on the actions). Everyone else — the member (ZPP: the home
  organisation invoices, not the member), the issuer's coordinator,
  member_b — does not see it: 404.

Pages without an object: the week grid for people with the member role; the
approval queue for coordinators; HR's queue for HR and members (a ZZP member
approves their own invoices); the invoice run and the overview for HR; the
invoice list for the whole network (each sees only their own invoices).
"""

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from tests.matrix import row

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
XML = b'<?xml version="1.0" encoding="UTF-8"?><Invoice/>'

MEMBERS = dict(member_a=200, member_b=200)
WEEK = lambda w: {"year": w["timesheet"].week_start.isocalendar()[0], "week": w["timesheet"].week_start.isocalendar()[1]}  # noqa: E731
TIMESHEET = lambda w: {"pk": w["timesheet"].pk}  # noqa: E731
READ_TIMESHEET = dict(member_a=200, coordinator_a=200, hr_a=200, programme_manager=200, admin_user=200)
DECIDE_TIMESHEET = dict(coordinator_a=200, admin_user=200, member_a=403, hr_a=403, programme_manager=403)

DRAFT = lambda w: {"pk": w["draft_invoice"].pk}  # noqa: E731
INVOICE = lambda w: {"pk": w["invoice"].pk}  # noqa: E731
READ_INVOICE = dict(hr_a=200, coordinator_b=200, hr_b=200, programme_manager=200, admin_user=200)
ISSUER_ACTS = dict(hr_a=200, admin_user=200, coordinator_b=403, hr_b=403, programme_manager=403)
# A draft is the issuer's business: the recipient does not see it yet.
READ_DRAFT = dict(hr_a=200, programme_manager=200, admin_user=200)
DECIDE_DRAFT = dict(hr_a=200, admin_user=200, programme_manager=403)
HR = dict(hr_a=200, hr_b=200, admin_user=200)

ROWS = {
    # Hours: the member's own week grid.
    "invoicing:week": row(403, **MEMBERS),
    "invoicing:week_of": row(403, kwargs=WEEK, **MEMBERS),
    # An empty POST redirects back to the week (with a message).
    "invoicing:week_submit": row(403, method="post", kwargs=WEEK, member_a=302, member_b=302),
    "invoicing:month_submit": row(403, method="post", member_a=302, member_b=302),
    "invoicing:approval_queue": row(403, coordinator_a=200, coordinator_b=200, admin_user=200),
    "invoicing:timesheet_detail": row(404, kwargs=TIMESHEET, **READ_TIMESHEET),
    "invoicing:timesheet_approve": row(
        404, method="post", kwargs=TIMESHEET, **{**DECIDE_TIMESHEET, "coordinator_a": 302, "admin_user": 302},
    ),
    "invoicing:timesheet_reject": row(404, kwargs=TIMESHEET, **DECIDE_TIMESHEET),

    # Invoices.
    "invoicing:invoice_list": row(200),
    "invoicing:invoice_queue": row(403, **HR, **MEMBERS),
    "invoicing:invoice_detail": row(404, kwargs=DRAFT, **READ_DRAFT),
    "invoicing:invoice_approve": row(
        404, method="post", kwargs=DRAFT, **{**DECIDE_DRAFT, "hr_a": 302, "admin_user": 302},
    ),
    "invoicing:invoice_reject": row(404, kwargs=DRAFT, **DECIDE_DRAFT),
    "invoicing:invoice_mark_paid": row(404, kwargs=INVOICE, **ISSUER_ACTS),
    "invoicing:credit_note_create": row(404, kwargs=INVOICE, **ISSUER_ACTS),
    "invoicing:invoice_pdf": row(404, kwargs=INVOICE, **READ_INVOICE),
    "invoicing:invoice_xml": row(404, kwargs=INVOICE, **READ_INVOICE),
    # HR's month: the run (for their own organisation) and the overview.
    "invoicing:invoice_run": row(403, **HR),
    "invoicing:hr_overview": row(403, **HR),
    "invoicing:hr_overview_csv": row(403, **HR),
}


def _invoice(engagement, org_a, org_b, **fields):
    from invoicing.models import Invoice, InvoiceLine

    month = timezone.localdate().replace(day=1)
    invoice = Invoice.objects.create(
        issuer_organisation=org_a, issuer_key=f"org:{org_a.pk}", recipient=org_b,
        period_start=month, period_end=(month + timedelta(days=32)).replace(day=1) - timedelta(days=1),
        total_excl_vat=Decimal("680.00"), total_vat=Decimal("142.80"), total_incl_vat=Decimal("822.80"),
        **fields,
    )
    InvoiceLine.objects.create(
        invoice=invoice, engagement=engagement, description="Advies – lid A", quantity=Decimal("8.00"),
        unit_price=Decimal("85.00"), vat_category="S", vat_rate=Decimal("21.00"), line_total=Decimal("680.00"),
    )
    return invoice


def extend_world(world: dict) -> dict:
    from invoicing.models import InvoiceSequence
    from tests.factories import EngagementFactory, approved_hours

    engagement = world["engagement"]
    timesheet = approved_hours(engagement, engagement.start_date, {engagement.start_date: 8}, status="submitted")
    org_a, org_b = world["org_a"], world["org_b"]
    for_b = EngagementFactory(member=world["member_a"].profile, hiring_organisation=org_b, application=None)
    today = timezone.localdate()
    # The approved invoice holds number 1 of A's series.
    InvoiceSequence.objects.create(issuer_key=f"org:{org_a.pk}", year=today.year, last_number=1)
    invoice = _invoice(
        for_b, org_a, org_b, status="approved", number=f"{today.year}-00001", issue_date=today,
        due_date=today + timedelta(days=30), seller_name=org_a.name, buyer_name=org_b.name,
    )
    invoice.pdf.save(f"{invoice.number}.pdf", ContentFile(PDF), save=False)
    invoice.xml.save(f"{invoice.number}.xml", ContentFile(XML), save=False)
    invoice.save(update_fields=["pdf", "xml"])
    return {
        "timesheet": timesheet,
        "draft_invoice": _invoice(for_b, org_a, org_b),
        "invoice": invoice,
    }
