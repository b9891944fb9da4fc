"""Fixtures for the invoice documents: approved invoices built directly in the
database (frozen details, number, dates and totals as ``invoice_approve``
sets them), and the official e-invoice rule sets from ../shared."""

import os
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from invoicing.models import Invoice, InvoiceLine
from invoicing.money import PAYMENT_TERM_DAYS, STANDARD_VAT_RATE, line_total, totals
from invoicing.ubl import CBC, NLCIUS, PEPPOL_BIS3, invoice_ubl
from invoicing.validation import fatal_failures, rules_dir, validate_ubl
from tests.factories import EngagementFactory, MemberProfileFactory, OrganisationFactory

EXEMPT_REASON = "Vrijgesteld van btw: detachering tussen overheidslichamen (art. 11 lid 1 Wet OB)."
OUT_OF_SCOPE_REASON = "Buiten de reikwijdte van de btw: overheid handelend als overheid (art. 7 lid 3 Wet OB)."

# The two specifications tag a document with different CustomizationIDs and
# each rejects the other's tag; no document carries both (see invoicing/ubl.py).
# This is the only failure a document may have, and only in the other rule set.
# Both tags are checked because SI-UBL applies its NL rules (BR-NL-*) only to
# an NLCIUS-tagged document: against a Peppol-tagged one it checks almost nothing.
OTHER_TAG_RULE = {
    PEPPOL_BIS3: ("SI-UBL", "SI-V20-INV-R000"),
    NLCIUS: ("PEPPOL", "PEPPOL-EN16931-R004"),
}


def require_rules_dir(path: Path) -> Path:
    """The rule-set directory. Missing: skip locally, fail under CI=true,
    where an e-invoice that was never validated must not pass as tested."""
    if not path.is_dir():
        message = f"The e-invoice rule sets are not at {path} (settings.EINVOICE_RULES_DIR)."
        if os.environ.get("CI") == "true":
            pytest.fail(message + " They are required under CI.")
        pytest.skip(message + " Without them the UBL cannot be validated.")
    return path


@pytest.fixture
def einvoice_rules():
    return require_rules_dir(rules_dir())


def rejections(xml: bytes) -> list[str]:
    """Every fatal failure of ``xml`` in the three rule sets, except the
    other specification's tag rule, as 'rule set: [flag] id: text' lines."""
    tag = etree.fromstring(xml).findtext(f"{{{CBC}}}CustomizationID")
    tolerated = OTHER_TAG_RULE.get(tag)
    return [
        f"{rule_set}: {failure}"
        for rule_set, failures in fatal_failures(validate_ubl(xml)).items()
        for failure in failures
        if (rule_set, failure.rule_id) != tolerated
    ]


@pytest.fixture
def assert_valid_einvoice(einvoice_rules):
    """Check an invoice's UBL in both tags (Peppol BIS 3 and NLCIUS) against
    all three rule sets: no fatal failure but the other tag's rule."""

    def check(invoice: Invoice) -> bytes:
        documents = {tag: invoice_ubl(invoice, customization=tag) for tag in OTHER_TAG_RULE}
        problems = [f"{tag}: {line}" for tag, xml in documents.items() for line in rejections(xml)]
        assert not problems, f"Invoice {invoice.number} is rejected:\n" + "\n".join(problems)
        return documents[PEPPOL_BIS3]

    return check


@dataclass
class Line:
    """What the invoice run would put on one line."""

    hours: str
    rate: str
    vat: str = "S"
    description: str = "Advies ruimtelijke ordening"


def _vat(category: str) -> tuple[Decimal, str]:
    return {
        "S": (STANDARD_VAT_RATE, ""),
        "E": (Decimal("0.00"), EXEMPT_REASON),
        "O": (Decimal("0.00"), OUT_OF_SCOPE_REASON),
    }[category]


def _freeze_seller(invoice: Invoice) -> None:
    if invoice.issuer_member_id:
        profile = invoice.issuer_member
        invoice.seller_name = profile.business_name
        invoice.seller_street = profile.business_street
        invoice.seller_postal_code = profile.business_postal_code
        invoice.seller_city = profile.business_city
        invoice.seller_kvk = profile.business_kvk
        invoice.seller_oin = ""
        invoice.seller_vat = profile.business_vat
        invoice.seller_iban = profile.business_iban
    else:
        org = invoice.issuer_organisation
        invoice.seller_name, invoice.seller_street = org.name, org.street
        invoice.seller_postal_code, invoice.seller_city = org.postal_code, org.city
        invoice.seller_kvk, invoice.seller_oin = org.kvk_number, org.oin
        invoice.seller_vat, invoice.seller_iban = org.vat_number, org.iban


def _freeze_buyer(invoice: Invoice) -> None:
    org = invoice.recipient
    invoice.buyer_name, invoice.buyer_street = org.name, org.street
    invoice.buyer_postal_code, invoice.buyer_city = org.postal_code, org.city
    invoice.buyer_kvk, invoice.buyer_oin = org.kvk_number, org.oin
    invoice.buyer_vat, invoice.buyer_email = org.vat_number, org.invoice_email


_numbers: dict[str, int] = {}


def _next_number(issuer_key: str, year: int) -> str:
    _numbers[issuer_key] = _numbers.get(issuer_key, 0) + 1
    return f"{year}-{_numbers[issuer_key]:05d}"


@pytest.fixture
def buyer_org(db):
    return OrganisationFactory(
        name="Gemeente Oss", slug="oss", street="Raadhuislaan 10", postal_code="5341 GM", city="Oss"
    )


@pytest.fixture
def seller_org(db):
    return OrganisationFactory(
        name="Gemeente Tilburg", slug="tilburg", street="Stadhuisplein 130", postal_code="5038 TC", city="Tilburg"
    )


@pytest.fixture
def make_invoice(buyer_org, seller_org):
    """``make_invoice([Line("12.25", "85.00"), ...], zzp=False)``: an approved
    invoice of one month from a home organisation (or a ZZP member's
    business) to a hiring organisation, one engagement per line."""

    def make(lines, *, zzp=False, seller=None, buyer=None, period_start=date(2026, 3, 1),
             issue_date=date(2026, 4, 1), buyer_reference="") -> Invoice:
        buyer = buyer or buyer_org
        if zzp:
            member = MemberProfileFactory(
                zzp=True, business_name="Van Dijk Advies", business_street="Kerkstraat 5",
                business_postal_code="5261 BA", business_city="Vught",
            )
            issuer = {"issuer_member": member, "issuer_key": f"member:{member.pk}"}
        else:
            seller = seller or seller_org
            member = MemberProfileFactory(home_organisation=seller)
            issuer = {"issuer_organisation": seller, "issuer_key": f"org:{seller.pk}"}
        period_end = (period_start.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        invoice = Invoice(
            kind=Invoice.Kind.INVOICE, status=Invoice.Status.APPROVED, recipient=buyer,
            period_start=period_start, period_end=period_end, issue_date=issue_date,
            due_date=issue_date + timedelta(days=PAYMENT_TERM_DAYS), **issuer,
        )
        invoice.number = _next_number(invoice.issuer_key, issue_date.year)
        _freeze_seller(invoice)
        _freeze_buyer(invoice)
        rows = []
        for spec in lines:
            rate, reason = _vat(spec.vat)
            engagement = EngagementFactory(
                member=member, hiring_organisation=buyer, variant="zzp" if zzp else "zpp",
                agreed_rate=Decimal(spec.rate), start_date=period_start, end_date=period_end,
                vat_treatment={"S": "standard", "E": "exempt", "O": "out_of_scope"}[spec.vat],
                vat_exemption_reason=reason,
            )
            rows.append(InvoiceLine(
                engagement=engagement, description=spec.description, quantity=Decimal(spec.hours),
                unit_price=Decimal(spec.rate), vat_category=spec.vat, vat_rate=rate,
                vat_exemption_reason=reason, line_total=line_total(Decimal(spec.hours), Decimal(spec.rate)),
            ))
        invoice.buyer_reference = buyer_reference or (
            f"ZPP-{rows[0].engagement.pk}" if len(rows) == 1 else f"ZPP-{buyer.slug}-{period_start:%Y-%m}"
        )
        _set_totals(invoice, rows)
        invoice.save()
        for row in rows:
            row.invoice = invoice
        InvoiceLine.objects.bulk_create(rows)
        return invoice

    return make


def _set_totals(invoice: Invoice, rows) -> None:
    result = totals(rows)
    invoice.total_excl_vat, invoice.total_vat, invoice.total_incl_vat = result.excl_vat, result.vat, result.incl_vat


@pytest.fixture
def make_credit_note(db):
    """``make_credit_note(invoice, lines=None)``: a numbered credit note that
    reverses all lines of ``invoice`` or the given ones (negative quantities),
    as ``credit_note_create`` makes it (no due date; the reason kept in
    ``rejection_reason``)."""

    def make(original: Invoice, lines=None, *, issue_date=date(2026, 4, 15),
             reason="Uren in rekening gebracht bij de verkeerde opdracht.") -> Invoice:
        credited = list(lines if lines is not None else original.lines.all())
        note = Invoice(
            kind=Invoice.Kind.CREDIT_NOTE, status=Invoice.Status.APPROVED, credited_invoice=original,
            issuer_organisation=original.issuer_organisation, issuer_member=original.issuer_member,
            issuer_key=original.issuer_key, recipient=original.recipient,
            period_start=original.period_start, period_end=original.period_end,
            issue_date=issue_date, due_date=None, rejection_reason=reason,
            number=_next_number(original.issuer_key, issue_date.year),
            buyer_reference=original.buyer_reference,
            **{f.name: getattr(original, f.name) for f in Invoice._meta.fields
               if f.name.startswith(("seller_", "buyer_")) and f.name != "buyer_reference"},
        )
        rows = [
            InvoiceLine(
                engagement=line.engagement, credited_line=line, description=line.description,
                quantity=-line.quantity, unit_price=line.unit_price, vat_category=line.vat_category,
                vat_rate=line.vat_rate, vat_exemption_reason=line.vat_exemption_reason,
                line_total=line_total(-line.quantity, line.unit_price),
            )
            for line in credited
        ]
        _set_totals(note, rows)
        note.save()
        for row in rows:
            row.invoice = note
        InvoiceLine.objects.bulk_create(rows)
        return note

    return make
