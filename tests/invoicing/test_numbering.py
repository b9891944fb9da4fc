"""Approval numbers invoices: gapless and consecutive per issuer per year,
once per invoice, under a lock (the concurrent case is in
test_concurrency.py); the parties' details are frozen at that moment."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.utils import translation

from invoicing import selectors, services
from invoicing.models import Invoice, InvoiceSequence
from members.errors import DomainError
from tests.factories import (
    EngagementFactory,
    MemberProfileFactory,
    OrganisationFactory,
    approved_hours,
    run_invoice_month,
)

OCTOBER = date(2026, 10, 1)


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in their English source text."""
    with translation.override("en"):
        yield


def drafts_of(member_profile, recipients, **engagement_kwargs):
    """One October draft per recipient, issued for ``member_profile``."""
    for recipient in recipients:
        work = EngagementFactory(member=member_profile, hiring_organisation=recipient, start_date=date(2026, 10, 1),
                                 end_date=date(2026, 12, 31), **engagement_kwargs)
        approved_hours(work, date(2026, 10, 5), ["8"])
    return run_invoice_month(OCTOBER)


@pytest.fixture
def recipients(db):
    return [OrganisationFactory() for _ in range(3)]


def test_numbers_are_consecutive_per_issuer(member_a, member_b, hr_a, hr_b, recipients):
    drafts = drafts_of(member_a.profile, recipients)
    numbers = [services.invoice_approve(actor=hr_a, invoice=d).number for d in drafts]
    assert numbers == ["2026-00001", "2026-00002", "2026-00003"]
    # Another issuer has a series of its own.
    [other] = drafts_of(member_b.profile, recipients[:1])
    assert services.invoice_approve(actor=hr_b, invoice=other).number == "2026-00001"
    assert dict(InvoiceSequence.objects.values_list("issuer_key", "last_number")) == {
        f"org:{member_a.profile.home_organisation_id}": 3, f"org:{member_b.profile.home_organisation_id}": 1,
    }


def test_approving_twice_gives_one_number(member_a, hr_a, recipients):
    [draft] = drafts_of(member_a.profile, recipients[:1])
    approved = services.invoice_approve(actor=hr_a, invoice=draft)
    with pytest.raises(DomainError) as info:
        services.invoice_approve(actor=hr_a, invoice=draft)  # the stale object still says "draft"
    assert "not a draft" in str(info.value.message)
    draft.refresh_from_db()
    assert draft.number == approved.number == "2026-00001"
    assert InvoiceSequence.objects.get().last_number == 1
    assert not selectors.can_approve_invoice(hr_a, draft)


def test_a_new_year_starts_a_new_series(member_a, hr_a, recipients, monkeypatch):
    first, second = drafts_of(member_a.profile, recipients[:2])
    services.invoice_approve(actor=hr_a, invoice=first)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: date(2027, 1, 4))
    approved = services.invoice_approve(actor=hr_a, invoice=second)
    assert (approved.number, approved.issue_date, approved.due_date) == (
        "2027-00001", date(2027, 1, 4), date(2027, 2, 3)
    )


def test_a_failed_approval_gives_its_number_back(member_a, hr_a, recipients, monkeypatch):
    first, second = drafts_of(member_a.profile, recipients[:2])

    def audit_fails(**kwargs):
        raise RuntimeError("audit table locked")

    monkeypatch.setattr(services, "audit_record", audit_fails)
    with pytest.raises(RuntimeError):
        services.invoice_approve(actor=hr_a, invoice=first)
    monkeypatch.undo()
    first.refresh_from_db()
    assert (first.status, first.number) == ("draft", "")
    assert services.invoice_approve(actor=hr_a, invoice=second).number == "2026-00001"  # no gap
    assert services.invoice_approve(actor=hr_a, invoice=first).number == "2026-00002"


def test_another_organisations_invoice_is_invisible_and_refused(member_a, hr_a, hr_b, coordinator_b, recipients):
    [draft] = drafts_of(member_a.profile, recipients[:1])
    assert not selectors.invoices_visible_to(hr_b).filter(pk=draft.pk).exists()
    assert not selectors.can_approve_invoice(hr_b, draft)
    for person in (hr_b, coordinator_b, member_a):
        with pytest.raises(DomainError):
            services.invoice_approve(actor=person, invoice=draft)
        with pytest.raises(DomainError):
            services.invoice_reject(actor=person, invoice=draft, reason="Nee")
    draft.refresh_from_db()
    assert (draft.status, draft.number) == ("draft", "")
    assert not InvoiceSequence.objects.exists()


def test_parties_are_frozen_at_approval(member_a, hr_a, recipients):
    [draft] = drafts_of(member_a.profile, recipients[:1])
    issuer, buyer = member_a.profile.home_organisation, recipients[0]
    seller_then = (issuer.name, issuer.street, issuer.postal_code, issuer.city, issuer.kvk_number, issuer.oin,
                   issuer.vat_number, issuer.iban)
    buyer_then = (buyer.name, buyer.street, buyer.postal_code, buyer.city, buyer.kvk_number, buyer.oin,
                  buyer.vat_number, buyer.invoice_email)
    invoice = services.invoice_approve(actor=hr_a, invoice=draft)
    issuer.street, buyer.name = "Nieuwe Markt 99", "Gemeente Hernoemd"
    issuer.save()
    buyer.save()
    invoice.refresh_from_db()
    assert (invoice.seller_name, invoice.seller_street, invoice.seller_postal_code, invoice.seller_city,
            invoice.seller_kvk, invoice.seller_oin, invoice.seller_vat, invoice.seller_iban) == seller_then
    assert (invoice.buyer_name, invoice.buyer_street, invoice.buyer_postal_code, invoice.buyer_city,
            invoice.buyer_kvk, invoice.buyer_oin, invoice.buyer_vat, invoice.buyer_email) == buyer_then


def test_a_zzp_member_approves_their_own_invoice(org_a, hr_a, recipients):
    zzp = MemberProfileFactory(home_organisation=org_a, zzp=True)  # business address still missing
    [draft] = drafts_of(zzp, recipients[:1], variant="zzp", agreed_rate=D("95.00"))
    assert draft.issuer_member == zzp
    assert not selectors.can_approve_invoice(hr_a, draft)  # HR of the home organisation does not issue it
    with pytest.raises(DomainError):
        services.invoice_approve(actor=hr_a, invoice=draft)
    assert list(selectors.invoice_queue_for(zzp.user)) == [draft]
    with pytest.raises(DomainError) as info:
        services.invoice_approve(actor=zzp.user, invoice=draft)
    assert "incomplete" in str(info.value.message) and "city of your business" in str(info.value.message)
    draft.refresh_from_db()
    assert draft.status == "draft"

    zzp.business_street, zzp.business_postal_code, zzp.business_city = "Zandstraat 1", "5611 AA", "Eindhoven"
    zzp.save()
    invoice = services.invoice_approve(actor=zzp.user, invoice=draft)
    assert invoice.number == "2026-00001"
    assert (invoice.seller_name, invoice.seller_kvk, invoice.seller_vat, invoice.seller_iban, invoice.seller_oin) == (
        "Adviesbureau Test", zzp.business_kvk, zzp.business_vat, zzp.business_iban, ""
    )
    assert (invoice.seller_street, invoice.seller_city) == ("Zandstraat 1", "Eindhoven")
    assert InvoiceSequence.objects.get().issuer_key == f"member:{zzp.pk}"


def test_only_a_draft_can_be_approved_or_rejected(member_a, hr_a, recipients):
    first, second = drafts_of(member_a.profile, recipients[:2])
    services.invoice_reject(actor=hr_a, invoice=first, reason="Dubbel")
    with pytest.raises(DomainError):
        services.invoice_approve(actor=hr_a, invoice=first)
    services.invoice_approve(actor=hr_a, invoice=second)
    with pytest.raises(DomainError):
        services.invoice_reject(actor=hr_a, invoice=second, reason="Te laat")
    assert Invoice.objects.get(pk=second.pk).status == "approved"
