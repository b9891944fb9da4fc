"""The e-invoice: UBL 2.1 following Peppol BIS Billing 3.0 (and SI-UBL 2.0).

Dutch public bodies receive invoices through Peppol; an invoice their
access point rejects is not paid. ``invoice_ubl`` writes an approved
``Invoice`` as a UBL ``Invoice`` (type 380) or ``CreditNote`` (type 381)
from the details frozen on it at approval, so rendering it again later
gives the same bytes.

Choices the rule sets force (see invoicing/validation.py for the rules):

* CustomizationID. Peppol (PEPPOL-EN16931-R004) requires it to begin with
  the Peppol BIS 3 identifier, SI-UBL 2.0 (SI-V20-INV-R000) with the NLCIUS
  identifier: no single document satisfies both tags. The default is the
  Peppol BIS 3 document, which every Dutch public body must accept on the
  Peppol network; ``customization=NLCIUS`` gives the same content tagged for
  the SI-UBL route (Digipoort). SI-UBL applies its NL rules only to an
  NLCIUS-tagged document, so the tests check both tags against all three
  rule sets: the content passes every rule but the other tag's.
* Parties. Electronic address: OIN (scheme 0190) for organisations, KvK
  (0106) when there is no OIN (a ZZP member's business). Legal entity: KvK
  (0106), as NL-R-003/NL-R-005 require KvK or OIN.
* VAT category O ("outside the scope") forbids the seller's and buyer's VAT
  numbers (BR-O-02) and a rate (BR-O-05/BR-O-12): both are left out.
* Credit notes. The stored credit note has negative quantities and amounts
  (it reverses the original); the Peppol convention for a CreditNote is
  positive quantities and amounts, so every stored figure is negated. The
  original's number goes into BillingReference (NL-R-001).
* Amounts come from ``invoicing.money`` (round per line, VAT per rate over
  the sum of lines: the EN 16931 rule BR-CO-17), and must agree with the
  totals stored on the invoice, or the document is not made.
"""

from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from lxml import etree

from invoicing.models import Invoice, InvoiceLine
from invoicing.money import totals, vat_breakdown

PEPPOL_BIS3 = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
NLCIUS = "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

CURRENCY = "EUR"
COUNTRY = "NL"
SCHEME_OIN = "0190"
SCHEME_KVK = "0106"
UNIT_HOUR = "HUR"  # UN/ECE Recommendation 20
PAYMENT_SEPA_CREDIT_TRANSFER = "58"  # UNCL4461
TYPE_INVOICE = "380"  # UNCL1001
TYPE_CREDIT_NOTE = "381"


def invoice_ubl(invoice: Invoice, *, customization: str = PEPPOL_BIS3) -> bytes:
    """The UBL document of an approved (numbered) invoice or credit note."""
    if not invoice.number:
        raise ValueError("Only a numbered invoice has an e-invoice.")
    with translation.override("nl"):
        return _Writer(invoice, customization).document()


def buyer_reference(invoice: Invoice) -> str:
    """BT-10, which Peppol (R003) and SI-UBL (BR-NL-2) require: the one the
    invoice run stored, else the month's reference of the recipient."""
    return invoice.buyer_reference or f"ZPP-{invoice.recipient.slug}-{invoice.period_start:%Y-%m}"


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _quantity(value: Decimal) -> str:
    """Hours without needless trailing zeros (``7.5``, ``12``)."""
    return f"{value.normalize():f}"


class _Writer:
    """Builds one document; ``sign`` is -1 for a credit note, whose stored
    figures are negative while the CreditNote shows them positive."""

    def __init__(self, invoice: Invoice, customization: str):
        self.invoice = invoice
        self.customization = customization
        self.is_credit_note = invoice.kind == Invoice.Kind.CREDIT_NOTE
        self.sign = Decimal(-1) if self.is_credit_note else Decimal(1)
        self.lines = list(invoice.lines.order_by("pk"))
        self.groups = vat_breakdown(self.lines)
        self.out_of_scope = any(g.category == InvoiceLine.VatCategory.OUT_OF_SCOPE for g in self.groups)
        self._check_totals()

    def _check_totals(self):
        """The document must say what the database says."""
        computed = totals(self.lines)
        stored = (self.invoice.total_excl_vat, self.invoice.total_vat, self.invoice.total_incl_vat)
        if (computed.excl_vat, computed.vat, computed.incl_vat) != stored:
            raise ValueError(
                f"Invoice {self.invoice.number}: stored totals {stored} differ from its lines {computed}."
            )

    # --- element helpers --------------------------------------------------

    @staticmethod
    def _cbc(parent, name, text, **attrs):
        element = etree.SubElement(parent, f"{{{CBC}}}{name}", attrs)
        element.text = str(text)
        return element

    @staticmethod
    def _cac(parent, name):
        return etree.SubElement(parent, f"{{{CAC}}}{name}")

    def _money(self, parent, name, value: Decimal):
        return self._cbc(parent, name, _amount(value * self.sign), currencyID=CURRENCY)

    # --- the document -----------------------------------------------------

    def document(self) -> bytes:
        invoice = self.invoice
        root_ns = CREDIT_NOTE_NS if self.is_credit_note else INVOICE_NS
        root = etree.Element(
            f"{{{root_ns}}}{'CreditNote' if self.is_credit_note else 'Invoice'}",
            nsmap={None: root_ns, "cac": CAC, "cbc": CBC},
        )
        self._cbc(root, "CustomizationID", self.customization)
        self._cbc(root, "ProfileID", PROFILE_ID)
        self._cbc(root, "ID", invoice.number)
        self._cbc(root, "IssueDate", invoice.issue_date.isoformat())
        if self.is_credit_note:
            self._cbc(root, "CreditNoteTypeCode", TYPE_CREDIT_NOTE)
            if invoice.rejection_reason:  # credit_note_create keeps its reason there
                self._cbc(root, "Note", invoice.rejection_reason)
        else:
            if invoice.due_date:
                self._cbc(root, "DueDate", invoice.due_date.isoformat())
            self._cbc(root, "InvoiceTypeCode", TYPE_INVOICE)
        self._cbc(root, "DocumentCurrencyCode", CURRENCY)
        self._cbc(root, "BuyerReference", buyer_reference(invoice))
        period = self._cac(root, "InvoicePeriod")
        self._cbc(period, "StartDate", invoice.period_start.isoformat())
        self._cbc(period, "EndDate", invoice.period_end.isoformat())
        if self.is_credit_note:
            billing = self._cac(root, "BillingReference")
            self._cbc(self._cac(billing, "InvoiceDocumentReference"), "ID", invoice.credited_invoice.number)
        self._supplier(root)
        self._customer(root)
        if not self.is_credit_note:
            self._payment_means(root)
        self._payment_terms(root)
        self._tax_total(root)
        self._monetary_total(root)
        for number, line in enumerate(self.lines, start=1):
            self._line(root, number, line)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    def _party(self, parent, *, name, street, postal_code, city, kvk, oin, vat, email=""):
        party = self._cac(parent, "Party")
        scheme, identifier = (SCHEME_OIN, oin) if oin else (SCHEME_KVK, kvk)
        self._cbc(party, "EndpointID", identifier, schemeID=scheme)
        self._cbc(self._cac(party, "PartyIdentification"), "ID", identifier, schemeID=scheme)
        self._cbc(self._cac(party, "PartyName"), "Name", name)
        address = self._cac(party, "PostalAddress")
        self._cbc(address, "StreetName", street)
        self._cbc(address, "CityName", city)
        self._cbc(address, "PostalZone", postal_code)
        self._cbc(self._cac(address, "Country"), "IdentificationCode", COUNTRY)
        if vat and not self.out_of_scope:
            tax_scheme = self._cac(party, "PartyTaxScheme")
            self._cbc(tax_scheme, "CompanyID", vat)
            self._cbc(self._cac(tax_scheme, "TaxScheme"), "ID", "VAT")
        legal = self._cac(party, "PartyLegalEntity")
        self._cbc(legal, "RegistrationName", name)
        legal_scheme, legal_id = (SCHEME_KVK, kvk) if kvk else (SCHEME_OIN, oin)
        self._cbc(legal, "CompanyID", legal_id, schemeID=legal_scheme)
        if email:
            self._cbc(self._cac(party, "Contact"), "ElectronicMail", email)

    def _supplier(self, root):
        i = self.invoice
        self._party(
            self._cac(root, "AccountingSupplierParty"),
            name=i.seller_name, street=i.seller_street, postal_code=i.seller_postal_code, city=i.seller_city,
            kvk=i.seller_kvk, oin=i.seller_oin, vat=i.seller_vat,
        )

    def _customer(self, root):
        i = self.invoice
        self._party(
            self._cac(root, "AccountingCustomerParty"),
            name=i.buyer_name, street=i.buyer_street, postal_code=i.buyer_postal_code, city=i.buyer_city,
            kvk=i.buyer_kvk, oin=i.buyer_oin, vat=i.buyer_vat, email=i.buyer_email,
        )

    def _payment_means(self, root):
        """SEPA credit transfer to the seller's IBAN, quoting the number."""
        means = self._cac(root, "PaymentMeans")
        self._cbc(means, "PaymentMeansCode", PAYMENT_SEPA_CREDIT_TRANSFER)
        self._cbc(means, "PaymentID", self.invoice.number)
        self._cbc(self._cac(means, "PayeeFinancialAccount"), "ID", self.invoice.seller_iban.replace(" ", ""))

    def _payment_terms(self, root):
        invoice = self.invoice
        if self.is_credit_note:
            note = _("Credit note for invoice %(number)s; the amount will be settled with or refunded on it.") % {
                "number": invoice.credited_invoice.number
            }
        else:
            note = _(
                "Payment within %(days)s days of the invoice date, by %(due)s, to %(iban)s, quoting %(number)s."
            ) % {
                "days": (invoice.due_date - invoice.issue_date).days,
                "due": invoice.due_date.strftime("%d-%m-%Y"),
                "iban": invoice.seller_iban,
                "number": invoice.number,
            }
        self._cbc(self._cac(root, "PaymentTerms"), "Note", note)

    def _tax_category(self, parent, name, category, rate, reason=""):
        tax_category = self._cac(parent, name)
        self._cbc(tax_category, "ID", category)
        if category != InvoiceLine.VatCategory.OUT_OF_SCOPE:
            self._cbc(tax_category, "Percent", _amount(rate))
        if reason:
            self._cbc(tax_category, "TaxExemptionReason", reason)
        self._cbc(self._cac(tax_category, "TaxScheme"), "ID", "VAT")

    def _tax_total(self, root):
        tax_total = self._cac(root, "TaxTotal")
        self._money(tax_total, "TaxAmount", sum((g.vat_amount for g in self.groups), Decimal("0.00")))
        for group in self.groups:
            subtotal = self._cac(tax_total, "TaxSubtotal")
            self._money(subtotal, "TaxableAmount", group.taxable_amount)
            self._money(subtotal, "TaxAmount", group.vat_amount)
            exempt = group.category != InvoiceLine.VatCategory.STANDARD
            self._tax_category(
                subtotal, "TaxCategory", group.category, group.rate, group.exemption_reason if exempt else ""
            )

    def _monetary_total(self, root):
        invoice = self.invoice
        total = self._cac(root, "LegalMonetaryTotal")
        self._money(total, "LineExtensionAmount", invoice.total_excl_vat)
        self._money(total, "TaxExclusiveAmount", invoice.total_excl_vat)
        self._money(total, "TaxInclusiveAmount", invoice.total_incl_vat)
        self._money(total, "PayableAmount", invoice.total_incl_vat)

    def _line(self, root, number: int, line: InvoiceLine):
        element = self._cac(root, "CreditNoteLine" if self.is_credit_note else "InvoiceLine")
        self._cbc(element, "ID", number)
        quantity_name = "CreditedQuantity" if self.is_credit_note else "InvoicedQuantity"
        self._cbc(element, quantity_name, _quantity(line.quantity * self.sign), unitCode=UNIT_HOUR)
        self._money(element, "LineExtensionAmount", line.line_total)
        item = self._cac(element, "Item")
        self._cbc(item, "Name", line.description)
        self._tax_category(item, "ClassifiedTaxCategory", line.vat_category, line.vat_rate)
        self._cbc(self._cac(element, "Price"), "PriceAmount", _amount(line.unit_price), currencyID=CURRENCY)
