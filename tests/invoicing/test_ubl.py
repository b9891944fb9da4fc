"""The UBL e-invoice: valid against the official rule sets (EN 16931,
Peppol BIS Billing 3.0, SI-UBL 2.0) and saying what the invoice says."""

from decimal import Decimal

import pytest
from lxml import etree

from invoicing.models import Invoice
from invoicing.ubl import CAC, CBC, NLCIUS, PEPPOL_BIS3, invoice_ubl
from invoicing.validation import fatal_failures, validate_ubl
from tests.invoicing.conftest import EXEMPT_REASON, OUT_OF_SCOPE_REASON, Line, require_rules_dir

NS = {"cac": CAC, "cbc": CBC}


def text(tree, path):
    return tree.xpath(f"string({path})", namespaces=NS)


def texts(tree, path):
    return [element.text for element in tree.xpath(path, namespaces=NS)]


def fatal_ids(xml: bytes) -> dict[str, set[str]]:
    return {name: {f.rule_id for f in failures} for name, failures in fatal_failures(validate_ubl(xml)).items()}


# --- The validator itself ------------------------------------------------------


def test_missing_rule_sets_skip_locally_and_fail_under_ci(tmp_path, monkeypatch):
    missing = tmp_path / "einvoice-rules"
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require_rules_dir(missing)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required under CI"):
        require_rules_dir(missing)
    missing.mkdir()
    assert require_rules_dir(missing) == missing


def test_the_official_peppol_example_passes_the_validator(einvoice_rules):
    """Sanity check of the validator on OpenPeppol's own valid example: EN 16931
    and Peppol accept it; SI-UBL rejects only its Peppol tag (it is not NLCIUS)."""
    xml = (einvoice_rules / "peppol-bis3-base-example.xml").read_bytes()
    assert fatal_ids(xml) == {"SI-UBL": {"SI-V20-INV-R000"}}


@pytest.mark.parametrize("tag,rule_set,rule_id", [
    (PEPPOL_BIS3, "PEPPOL", "PEPPOL-EN16931-R003"),
    (NLCIUS, "SI-UBL", "BR-NL-2"),  # SI-UBL's NL rules apply to NLCIUS-tagged documents only
])
def test_a_document_without_buyer_reference_is_rejected_with_the_rule_id(
    make_invoice, einvoice_rules, tag, rule_set, rule_id
):
    """The validator can fail: Peppol and SI-UBL both demand BT-10."""
    tree = etree.fromstring(invoice_ubl(make_invoice([Line("8", "85.00")]), customization=tag))
    reference = tree.find(f"{{{CBC}}}BuyerReference")
    reference.getparent().remove(reference)
    assert rule_id in fatal_ids(etree.tostring(tree))[rule_set]


def test_a_document_with_a_wrong_vat_total_is_rejected(make_invoice, einvoice_rules):
    tree = etree.fromstring(invoice_ubl(make_invoice([Line("8", "85.00")])))
    tree.find(f"{{{CAC}}}TaxTotal/{{{CBC}}}TaxAmount").text = "142.81"
    failures = fatal_ids(etree.tostring(tree))
    assert "BR-CO-14" in failures["EN16931"]


def test_peppol_and_nlcius_tags_exclude_each_other_and_nothing_else_fails(make_invoice, einvoice_rules):
    """Peppol (R004) and SI-UBL (SI-V20-INV-R000) each demand their own
    CustomizationID; apart from that one tag rule the same content passes
    all three rule sets in both tags."""
    invoice = make_invoice([Line("8", "85.00")])
    assert fatal_ids(invoice_ubl(invoice)) == {"SI-UBL": {"SI-V20-INV-R000"}}
    assert fatal_ids(invoice_ubl(invoice, customization=NLCIUS)) == {"PEPPOL": {"PEPPOL-EN16931-R004"}}


# --- Invoices -------------------------------------------------------------------


def test_standard_rate_invoice_with_several_lines(make_invoice, assert_valid_einvoice):
    invoice = make_invoice([
        Line("12.25", "85.00", description="Omgevingsvisie Oss, maart 2026"),
        Line("7.5", "92.50", description="Stikstofdossier"),
        Line("16", "78.40", description="Participatietraject"),
    ])
    tree = etree.fromstring(assert_valid_einvoice(invoice))

    assert etree.QName(tree).localname == "Invoice"
    assert text(tree, "cbc:CustomizationID") == PEPPOL_BIS3
    assert text(tree, "cbc:InvoiceTypeCode") == "380"
    assert text(tree, "cbc:ID") == invoice.number
    assert text(tree, "cbc:IssueDate") == "2026-04-01"
    assert text(tree, "cbc:DueDate") == "2026-05-01"
    assert text(tree, "cbc:BuyerReference") == "ZPP-oss-2026-03"
    assert (text(tree, "cac:InvoicePeriod/cbc:StartDate"), text(tree, "cac:InvoicePeriod/cbc:EndDate")) == (
        "2026-03-01", "2026-03-31")
    seller = tree.find("cac:AccountingSupplierParty/cac:Party", NS)
    assert seller.find("cbc:EndpointID", NS).get("schemeID") == "0190"
    assert text(seller, "cbc:EndpointID") == invoice.seller_oin
    assert seller.find("cac:PartyLegalEntity/cbc:CompanyID", NS).get("schemeID") == "0106"
    assert text(seller, "cac:PartyLegalEntity/cbc:CompanyID") == invoice.seller_kvk
    assert text(seller, "cac:PartyTaxScheme/cbc:CompanyID") == invoice.seller_vat
    assert text(seller, "cac:PostalAddress/cac:Country/cbc:IdentificationCode") == "NL"
    buyer = tree.find("cac:AccountingCustomerParty/cac:Party", NS)
    assert text(buyer, "cbc:EndpointID") == invoice.buyer_oin
    assert text(buyer, "cac:Contact/cbc:ElectronicMail") == invoice.buyer_email
    assert text(tree, "cac:PaymentMeans/cbc:PaymentMeansCode") == "58"
    assert text(tree, "cac:PaymentMeans/cbc:PaymentID") == invoice.number
    assert text(tree, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") == invoice.seller_iban
    # 12.25 × 85 = 1041.25; 7.5 × 92.50 = 693.75; 16 × 78.40 = 1254.40 → 2989.40; 21 % = 627.774 → 627.77
    assert texts(tree, "cac:InvoiceLine/cbc:LineExtensionAmount") == ["1041.25", "693.75", "1254.40"]
    assert texts(tree, "cac:InvoiceLine/cbc:InvoicedQuantity") == ["12.25", "7.5", "16"]
    assert {e.get("unitCode") for e in tree.xpath("cac:InvoiceLine/cbc:InvoicedQuantity", namespaces=NS)} == {"HUR"}
    assert text(tree, "cac:InvoiceLine[1]/cac:Item/cbc:Name") == "Omgevingsvisie Oss, maart 2026"
    assert text(tree, "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount") == "2989.40"
    assert text(tree, "cac:TaxTotal/cbc:TaxAmount") == "627.77"
    assert text(tree, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent") == "21.00"
    assert text(tree, "cac:LegalMonetaryTotal/cbc:PayableAmount") == "3617.17"


def test_exempt_invoice_states_the_reason(make_invoice, assert_valid_einvoice):
    invoice = make_invoice([Line("24", "85.00", vat="E"), Line("3.75", "85.00", vat="E")])
    tree = etree.fromstring(assert_valid_einvoice(invoice))
    category = tree.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
    assert text(category, "cbc:ID") == "E"
    assert text(category, "cbc:Percent") == "0.00"
    assert text(category, "cbc:TaxExemptionReason") == EXEMPT_REASON
    assert text(tree, "cac:TaxTotal/cbc:TaxAmount") == "0.00"
    assert text(tree, "cac:LegalMonetaryTotal/cbc:PayableAmount") == "2358.75"


def test_out_of_scope_invoice_has_no_vat_numbers_and_no_rate(make_invoice, assert_valid_einvoice):
    """BR-O-02: no VAT identifiers with category O; BR-O-05: no rate."""
    invoice = make_invoice([Line("10", "85.00", vat="O")])
    tree = etree.fromstring(assert_valid_einvoice(invoice))
    assert tree.xpath("//cac:PartyTaxScheme", namespaces=NS) == []
    assert tree.xpath("//cbc:Percent", namespaces=NS) == []
    assert text(tree, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReason") == OUT_OF_SCOPE_REASON
    assert text(tree, "cac:LegalMonetaryTotal/cbc:PayableAmount") == "850.00"


def test_standard_and_exempt_lines_on_one_invoice(make_invoice, assert_valid_einvoice):
    invoice = make_invoice([Line("10", "85.00"), Line("6.5", "85.00", vat="E")])
    tree = etree.fromstring(assert_valid_einvoice(invoice))
    assert texts(tree, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID") == ["S", "E"]
    assert texts(tree, "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount") == ["178.50", "0.00"]


def test_zzp_invoice_from_the_members_business_uses_the_kvk_endpoint(make_invoice, assert_valid_einvoice):
    invoice = make_invoice([Line("8", "95.00")], zzp=True)
    tree = etree.fromstring(assert_valid_einvoice(invoice))
    seller = tree.find("cac:AccountingSupplierParty/cac:Party", NS)
    assert seller.find("cbc:EndpointID", NS).get("schemeID") == "0106"
    assert text(seller, "cbc:EndpointID") == "87654321"
    assert text(seller, "cac:PartyName/cbc:Name") == "Van Dijk Advies"
    assert text(tree, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") == invoice.seller_iban


def test_awkward_rounding_per_line_then_vat_over_the_sum(make_invoice, assert_valid_einvoice):
    """Per line half-up (0.25 × 33.33 = 8.3325 → 8.33; 1.25 × 99.99 =
    124.9875 → 124.99; 3.25 × 77.77 = 252.7525 → 252.75), VAT once over the
    sum: 386.07 × 21 % = 81.0747 → 81.07, where VAT rounded per line would
    add up to 81.08."""
    invoice = make_invoice([Line("0.25", "33.33"), Line("1.25", "99.99"), Line("3.25", "77.77")])
    tree = etree.fromstring(assert_valid_einvoice(invoice))
    assert texts(tree, "cac:InvoiceLine/cbc:LineExtensionAmount") == ["8.33", "124.99", "252.75"]
    assert text(tree, "cac:TaxTotal/cbc:TaxAmount") == "81.07"
    assert text(tree, "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount") == "467.14"


@pytest.mark.parametrize("hours,rate", [("0.25", "0.01"), ("0.75", "12.35"), ("23.75", "149.99"), ("160", "85.05")])
def test_rounding_edges_stay_valid(make_invoice, assert_valid_einvoice, hours, rate):
    assert_valid_einvoice(make_invoice([Line(hours, rate), Line("1.25", "66.67", vat="E")]))


# --- Credit notes ------------------------------------------------------------------


def test_full_credit_note_references_the_original_with_positive_amounts(
    make_invoice, make_credit_note, assert_valid_einvoice
):
    original = make_invoice([Line("12.25", "85.00"), Line("7.5", "92.50")])
    note = make_credit_note(original)
    assert note.total_incl_vat == -original.total_incl_vat
    tree = etree.fromstring(assert_valid_einvoice(note))

    assert etree.QName(tree).localname == "CreditNote"
    assert text(tree, "cbc:CreditNoteTypeCode") == "381"
    assert text(tree, "cbc:ID") == note.number != original.number
    assert text(tree, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == original.number
    assert text(tree, "cbc:Note") == note.rejection_reason
    assert texts(tree, "cac:CreditNoteLine/cbc:CreditedQuantity") == ["12.25", "7.5"]
    assert texts(tree, "cac:CreditNoteLine/cbc:LineExtensionAmount") == ["1041.25", "693.75"]
    assert text(tree, "cac:LegalMonetaryTotal/cbc:PayableAmount") == f"{original.total_incl_vat:.2f}"
    assert text(tree, "cac:TaxTotal/cbc:TaxAmount") == f"{original.total_vat:.2f}"


def test_partial_credit_note_of_a_mixed_invoice(make_invoice, make_credit_note, assert_valid_einvoice):
    original = make_invoice([Line("10", "85.00"), Line("6.5", "85.00", vat="E"), Line("3.25", "77.77")])
    third = original.lines.order_by("pk")[2]
    note = make_credit_note(original, [third])
    tree = etree.fromstring(assert_valid_einvoice(note))
    # 3.25 × 77.77 = 252.7525 → 252.75; 21 % = 53.0775 → 53.08
    assert texts(tree, "cac:CreditNoteLine/cbc:LineExtensionAmount") == ["252.75"]
    assert text(tree, "cac:TaxTotal/cbc:TaxAmount") == "53.08"
    assert text(tree, "cac:LegalMonetaryTotal/cbc:PayableAmount") == "305.83"
    assert note.total_incl_vat == Decimal("-305.83")


def test_credit_note_of_a_zzp_out_of_scope_invoice(make_invoice, make_credit_note, assert_valid_einvoice):
    original = make_invoice([Line("4", "95.00", vat="O")], zzp=True)
    assert_valid_einvoice(make_credit_note(original))


# --- Properties of the writer -------------------------------------------------------


def test_rendering_again_gives_the_same_bytes(make_invoice):
    invoice = make_invoice([Line("8", "85.00")])
    assert invoice_ubl(invoice) == invoice_ubl(Invoice.objects.get(pk=invoice.pk))


def test_a_draft_has_no_e_invoice(make_invoice):
    invoice = make_invoice([Line("8", "85.00")])
    invoice.number = ""
    with pytest.raises(ValueError):
        invoice_ubl(invoice)


def test_totals_that_disagree_with_the_lines_are_refused(make_invoice):
    """The document must say what the database says; a mismatch is a bug."""
    invoice = make_invoice([Line("8", "85.00")])
    invoice.total_vat += Decimal("0.01")
    with pytest.raises(ValueError, match="differ"):
        invoice_ubl(invoice)

