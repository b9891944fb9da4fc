"""Golden cases for the rounding rule of invoicing/money.py: each line
half-up to cents, then VAT per (category, rate) over the sum of the lines."""

from decimal import Decimal as D

import pytest

from invoicing import money


def line(quantity, rate, category="S", vat_rate="21.00", reason=""):
    return {
        "vat_category": category,
        "vat_rate": D(vat_rate),
        "vat_exemption_reason": reason,
        "line_total": money.line_total(D(quantity), D(rate)),
    }


def test_seven_and_a_quarter_hours_at_63_37():
    # 7.25 × 63.37 = 459.4325 → 459.43; VAT 21 % of 459.43 = 96.4803 → 96.48
    assert money.line_total(D("7.25"), D("63.37")) == D("459.43")
    result = money.totals([line("7.25", "63.37")])
    assert result == money.Totals(excl_vat=D("459.43"), vat=D("96.48"), incl_vat=D("555.91"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31.685", "31.69"),  # half-even would give 31.68
        ("21.245", "21.25"),  # half-even would give 21.24
        ("0.005", "0.01"),
        ("-0.005", "-0.01"),  # away from zero: a credit note mirrors its invoice
        ("15.8425", "15.84"),
    ],
)
def test_cents_rounds_half_up(value, expected):
    assert money.cents(D(value)) == D(expected)


def test_vat_over_the_sum_not_summed_per_line():
    # 0.25 h, 0.5 h and 1.25 h at 63.37: lines 15.84, 31.69, 79.21 = 126.74.
    # Per line the VAT would be 3.33 + 6.65 + 16.63 = 26.61; over the sum it
    # is 126.74 × 21 % = 26.6154 → 26.62. The rule takes the latter.
    lines = [line("0.25", "63.37"), line("0.5", "63.37"), line("1.25", "63.37")]
    assert [entry["line_total"] for entry in lines] == [D("15.84"), D("31.69"), D("79.21")]
    per_line = sum(money.cents(entry["line_total"] * D("0.21")) for entry in lines)
    assert per_line == D("26.61")
    [group] = money.vat_breakdown(lines)
    assert group == money.VatGroup(
        category="S", rate=D("21.00"), taxable_amount=D("126.74"), vat_amount=D("26.62"), exemption_reason=""
    )
    assert money.totals(lines) == money.Totals(D("126.74"), D("26.62"), D("153.36"))


def test_exempt_lines_form_their_own_group_without_vat():
    reason = "Vrijgesteld van btw: detachering tussen overheidsinstellingen (art. 11 Wet OB)"
    lines = [
        line("8", "85.00"),
        line("4.5", "92.50", category="E", vat_rate="0.00", reason=reason),
        line("2", "92.50", category="E", vat_rate="0.00", reason=reason),
    ]
    groups = money.vat_breakdown(lines)
    assert [(g.category, g.rate, g.taxable_amount, g.vat_amount, g.exemption_reason) for g in groups] == [
        ("S", D("21.00"), D("680.00"), D("142.80"), ""),
        ("E", D("0.00"), D("601.25"), D("0.00"), reason),
    ]
    # 680.00 + 416.25 + 185.00; VAT only on the standard-rated 680.00
    assert money.totals(lines) == money.Totals(D("1281.25"), D("142.80"), D("1424.05"))


def test_credit_note_is_the_exact_negative_of_the_invoice():
    invoice = [line("0.25", "63.37"), line("0.5", "63.37"), line("7.25", "63.37")]
    credit = [line("-0.25", "63.37"), line("-0.5", "63.37"), line("-7.25", "63.37")]
    assert [c["line_total"] for c in credit] == [D("-15.84"), D("-31.69"), D("-459.43")]
    original, reversed_ = money.totals(invoice), money.totals(credit)
    assert reversed_ == money.Totals(-original.excl_vat, -original.vat, -original.incl_vat)
    # 506.96 + 21 % (106.4616 → 106.46)
    assert reversed_ == money.Totals(D("-506.96"), D("-106.46"), D("-613.42"))


def test_vat_for_treatment_maps_engagement_vat_to_categories():
    assert money.vat_for_treatment("standard", "ignored") == ("S", D("21.00"), "")
    assert money.vat_for_treatment("exempt", "art. 11") == ("E", D("0.00"), "art. 11")
    assert money.vat_for_treatment("out_of_scope", "geen onderneming") == ("O", D("0.00"), "geen onderneming")


def test_totals_of_model_like_objects():
    class Line:
        vat_category, vat_rate, vat_exemption_reason = "S", D("21.00"), ""

        def __init__(self, total):
            self.line_total = D(total)

    assert money.totals([Line("100.00"), Line("0.10")]) == money.Totals(D("100.10"), D("21.02"), D("121.12"))
