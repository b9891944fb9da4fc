"""AVG/GDPR in invoicing: the download holds the person's weeks of hours and
the invoices they issued (and nobody else's); erasure keeps every issued
invoice and the hours behind it exactly as they were (7 years, art. 52 AWR)
and removes what nobody can claim anything on."""

import json
from datetime import date
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.db.models import Sum
from django.urls import reverse

from invoicing import services
from invoicing.models import Invoice, InvoiceLine, TimeEntry, Timesheet
from members.privacy import erase_person, erasure_request
from tests.factories import (
    EngagementFactory,
    MemberProfileFactory,
    OrganisationFactory,
    approved_hours,
    run_invoice_month,
)

pytestmark = pytest.mark.django_db

OCTOBER = date(2026, 10, 1)


def engagement(member, hiring, **kwargs):
    return EngagementFactory(
        member=member, hiring_organisation=hiring, start_date=date(2026, 9, 1), end_date=date(2026, 12, 31), **kwargs
    )


@pytest.fixture
def books(org_a, org_b, member_a, member_b, hr_a):
    """October, invoiced: member A (ZPP) lent by A to B, approved by HR of A;
    a ZZP member of A invoices B (approved) and C (left a draft). After the
    run: the ZZP member has an approved week not yet invoiced, a submitted,
    a draft and a rejected week; member B has a draft week of their own."""
    org_c = OrganisationFactory(name="Waterschap Ceedorp", slug="ceedorp")
    zzp = MemberProfileFactory(
        home_organisation=org_a, zzp=True, business_name="Van Dijk Advies", business_street="Kerkstraat 5",
        business_postal_code="5261 BA", business_city="Vught", user__first_name="Femke", user__last_name="van Dijk",
    )
    w = SimpleNamespace(zzp=zzp, org_c=org_c)
    w.zpp = engagement(member_a.profile, org_b, agreed_rate=D("63.37"))
    w.zzp_to_b = engagement(zzp, org_b, variant="zzp", agreed_rate=D("95.00"), home_organisation=org_a)
    w.zzp_to_c = engagement(zzp, org_c, variant="zzp", agreed_rate=D("95.00"), home_organisation=org_a)
    approved_hours(w.zpp, date(2026, 10, 5), ["7.25", "8"])
    approved_hours(w.zzp_to_b, date(2026, 10, 5), ["6", "2.5"])
    approved_hours(w.zzp_to_c, date(2026, 10, 12), ["4"])
    drafts = {(d.issuer_member_id, d.recipient_id): d for d in run_invoice_month(OCTOBER)}
    w.zpp_invoice = services.invoice_approve(actor=hr_a, invoice=drafts[(None, org_b.pk)])
    w.zzp_invoice = services.invoice_approve(actor=zzp.user, invoice=drafts[(zzp.pk, org_b.pk)])
    w.zzp_draft = drafts[(zzp.pk, org_c.pk)]
    # After the run.
    w.not_yet_invoiced = approved_hours(w.zpp, date(2026, 11, 2), ["8"])
    w.waiting = approved_hours(w.zzp_to_b, date(2026, 11, 2), ["3"], status="submitted")
    w.draft = approved_hours(w.zzp_to_b, date(2026, 11, 9), ["5"], status="draft")
    w.rejected = approved_hours(w.zzp_to_b, date(2026, 11, 16), ["1"], status="rejected")
    Timesheet.objects.filter(pk=w.rejected.pk).update(rejection_reason="Femke, dit was een vrije dag")
    w.other = approved_hours(engagement(member_b.profile, org_a), date(2026, 11, 9), ["2"], status="draft")
    return w


def issued():
    """Every numbered invoice as its documents show it, with its lines and
    the hours linked to each line."""
    return {
        invoice.number + invoice.issuer_key: (
            invoice.total_excl_vat, invoice.total_vat, invoice.total_incl_vat, invoice.seller_name,
            invoice.seller_iban, invoice.seller_kvk, invoice.buyer_name,
            [
                (line.description, line.quantity, line.line_total,
                 line.entry_links.aggregate(h=Sum("time_entry__hours"))["h"])
                for line in invoice.lines.order_by("pk")
            ],
        )
        for invoice in Invoice.objects.exclude(number="")
    }


def test_download_holds_my_hours_and_the_invoices_i_issued(client_for, books):
    data = json.loads(client_for(books.zzp.user).get(reverse("members:privacy_export")).content)
    weeks = {(t["week_start"], t["status"]) for t in data["timesheets"]}
    assert weeks == {
        ("2026-10-05", "approved"), ("2026-10-12", "approved"), ("2026-11-02", "submitted"),
        ("2026-11-09", "draft"), ("2026-11-16", "rejected"),
    }
    october = next(t for t in data["timesheets"] if t["week_start"] == "2026-10-05")
    assert october["hiring_organisation"] == "Gemeente Beedorp"
    assert october["time_entries"] == [
        {"date": "2026-10-05", "hours": "6.00", "description": "Werkzaamheden"},
        {"date": "2026-10-06", "hours": "2.50", "description": "Werkzaamheden"},
    ]
    invoices = {(i["number"], i["recipient__name"], i["total_incl_vat"]) for i in data["invoices_issued"]}
    assert invoices == {
        (books.zzp_invoice.number, "Gemeente Beedorp", "977.08"),  # 8.5 h × 95.00 = 807.50 + 169.58 VAT
        ("", "Waterschap Ceedorp", str(books.zzp_draft.total_incl_vat)),
    }


def test_download_holds_nobody_elses_hours_or_invoices(client_for, member_a, books):
    data = json.loads(client_for(member_a).get(reverse("members:privacy_export")).content)
    assert {t["week_start"] for t in data["timesheets"]} == {"2026-10-05", "2026-11-02"}
    assert all(t["hiring_organisation"] == "Gemeente Beedorp" for t in data["timesheets"])
    assert sum(D(e["hours"]) for t in data["timesheets"] for e in t["time_entries"]) == D("23.25")
    assert data["invoices_issued"] == []  # A issues them, not the member
    [line] = data["invoice_lines_about_me"]
    assert (line["invoice__number"], line["invoice__seller_name"], line["quantity"]) == (
        books.zpp_invoice.number, "Gemeente Aadorp", "15.25"
    )
    assert "Van Dijk" not in json.dumps(data)


def test_erasure_keeps_issued_invoices_and_their_hours_exactly(books, admin_user):
    before = issued()
    zzp_hours = TimeEntry.objects.filter(timesheet__status="approved", member=books.zzp).aggregate(h=Sum("hours"))

    erase_person(actor=admin_user, erasure=erasure_request(actor=books.zzp.user))

    assert issued() == before
    kept = Invoice.objects.get(pk=books.zzp_invoice.pk)
    assert (kept.seller_name, kept.total_incl_vat) == ("Van Dijk Advies", D("977.08"))
    assert TimeEntry.objects.filter(
        timesheet__status="approved", member=books.zzp
    ).aggregate(h=Sum("hours")) == zzp_hours == {"h": D("12.50")}
    # The hours on an invoice keep their description: the invoice shows them.
    assert set(
        TimeEntry.objects.filter(invoice_links__line__invoice=kept).values_list("hours", "description")
    ) == {(D("6.00"), "Werkzaamheden"), (D("2.50"), "Werkzaamheden")}


def test_erasure_removes_what_nobody_can_claim(books, admin_user, member_b):
    request = erasure_request(actor=books.zzp.user)
    erase_person(actor=admin_user, erasure=request)

    # Never issued, and nobody can approve it any more: gone, its lines too.
    assert not Invoice.objects.filter(pk=books.zzp_draft.pk).exists()
    assert not InvoiceLine.objects.filter(engagement=books.zzp_to_c).exists()
    # Draft and rejected weeks go with their hours; submitted and approved stay.
    assert set(Timesheet.objects.filter(engagement__member=books.zzp).values_list("week_start", "status")) == {
        (date(2026, 10, 5), "approved"), (date(2026, 10, 12), "approved"), (date(2026, 11, 2), "submitted"),
    }
    assert not TimeEntry.objects.filter(member=books.zzp, date__gte=date(2026, 11, 9)).exists()
    # Hours on no invoice keep date and hours, not what the person wrote.
    assert list(TimeEntry.objects.filter(timesheet=books.waiting).values_list("hours", "description")) == [
        (D("3.00"), "")
    ]
    assert list(TimeEntry.objects.filter(engagement=books.zzp_to_c).values_list("hours", "description")) == [
        (D("4.00"), "")
    ]
    assert not Timesheet.objects.filter(engagement__member=books.zzp).exclude(rejection_reason="").exists()
    # Member B's draft week is untouched.
    assert TimeEntry.objects.get(timesheet=books.other).description == "Werkzaamheden"
    request.refresh_from_db()
    assert (request.outcome["timesheets_deleted"], request.outcome["time_entries_deleted"]) == (2, 2)
    assert request.outcome["draft_invoices_deleted"] == 1


def test_a_zpp_member_stays_named_on_the_invoice_and_their_open_hours_still_get_invoiced(
    books, member_a, admin_user, hr_a
):
    name = member_a.get_full_name()
    before = issued()

    erase_person(actor=admin_user, erasure=erasure_request(actor=member_a))

    assert issued() == before
    assert name in InvoiceLine.objects.get(invoice=books.zpp_invoice).description
    # The approved November week: no description left, the hours still owed by B.
    assert list(TimeEntry.objects.filter(timesheet=books.not_yet_invoiced).values_list("hours", "description")) == [
        (D("8.00"), "")
    ]
    [november] = run_invoice_month(date(2026, 11, 1), actor=hr_a, organisation=member_a.profile.home_organisation)
    assert november.lines.get().quantity == D("8.00")
