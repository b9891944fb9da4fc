"""Money on invoices: ``Decimal`` only, half-up to cents, one rounding rule.

The rule (EN 16931 BR-CO-17 compatible, and what the UBL document and the PDF
both show):

1. Each line is rounded on its own: ``line_total = cents(quantity × unit_price)``.
2. Lines are grouped per VAT category and rate; per group the VAT is
   ``cents(sum of the group's line totals × rate / 100)`` — computed once over
   the sum, never summed from per-line VAT amounts (which can differ by a cent
   or more).
3. ``excl_vat`` is the sum of the line totals, ``vat`` the sum of the groups'
   VAT, ``incl_vat`` their sum.

Half-up rounds away from zero, so a credit note (negative quantities) is the
exact mirror image of the invoice it reverses.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

STANDARD_VAT_RATE = Decimal("21.00")
ZERO_RATE = Decimal("0.00")
PAYMENT_TERM_DAYS = 30
CENT = Decimal("0.01")

# UNCL5305 codes, as InvoiceLine.VatCategory stores them; the order in which
# the VAT breakdown lists the groups.
CATEGORY_ORDER = {"S": 0, "E": 1, "O": 2}


def cents(x) -> Decimal:
    """Round to cents, half up (away from zero)."""
    return Decimal(x).quantize(CENT, rounding=ROUND_HALF_UP)


def line_total(quantity, unit_price) -> Decimal:
    """Step 1 of the rule: one line, rounded on its own."""
    return cents(Decimal(quantity) * Decimal(unit_price))


def vat_for_treatment(treatment: str, exemption_reason: str = "") -> tuple[str, Decimal, str]:
    """(VAT category, rate, exemption reason) of an engagement's VAT treatment
    (``Engagement.VatTreatment``): standard → S 21 %, exempt → E 0 %,
    out of scope → O 0 %; the reason is kept only where it is printed."""
    if treatment == "exempt":
        return "E", ZERO_RATE, exemption_reason
    if treatment == "out_of_scope":
        return "O", ZERO_RATE, exemption_reason
    return "S", STANDARD_VAT_RATE, ""


@dataclass(frozen=True)
class VatGroup:
    category: str
    rate: Decimal
    taxable_amount: Decimal
    vat_amount: Decimal
    exemption_reason: str = ""


@dataclass(frozen=True)
class Totals:
    excl_vat: Decimal
    vat: Decimal
    incl_vat: Decimal


def _get(line, name):
    """Lines may be model instances or plain dicts (forms, tests)."""
    return line[name] if isinstance(line, dict) else getattr(line, name)


def vat_breakdown(lines: Iterable) -> list[VatGroup]:
    """Step 2 of the rule: VAT per (category, rate) over the sum of the
    group's line totals. A group's exemption reason is the first non-empty
    reason among its lines (an invoice states one reason per category)."""
    sums: dict[tuple[str, Decimal], Decimal] = {}
    reasons: dict[tuple[str, Decimal], str] = {}
    for line in lines:
        key = (_get(line, "vat_category"), Decimal(_get(line, "vat_rate")))
        sums[key] = sums.get(key, Decimal("0")) + Decimal(_get(line, "line_total"))
        if not reasons.get(key):
            reasons[key] = _get(line, "vat_exemption_reason") or ""
    groups = [
        VatGroup(
            category=category,
            rate=cents(rate),
            taxable_amount=cents(taxable),
            vat_amount=cents(taxable * rate / Decimal(100)),
            exemption_reason=reasons[(category, rate)],
        )
        for (category, rate), taxable in sums.items()
    ]
    groups.sort(key=lambda g: (CATEGORY_ORDER.get(g.category, 9), -g.rate))
    return groups


def totals(lines: Iterable) -> Totals:
    """Step 3 of the rule: the invoice's totals from its lines."""
    lines = list(lines)
    excl = cents(sum((Decimal(_get(line, "line_total")) for line in lines), Decimal("0")))
    vat = cents(sum((g.vat_amount for g in vat_breakdown(lines)), Decimal("0")))
    return Totals(excl_vat=excl, vat=vat, incl_vat=excl + vat)
