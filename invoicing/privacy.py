"""Personal data in invoicing (see members/privacy.py).

Export: the person's timesheets with their time entries (date, hours,
description, status), the invoices and credit notes they issued as a ZZP
member (number, dates, totals), and the lines of issued invoices that bill
their hours.

Erasure keeps what the law makes us keep (Dutch fiscal retention of 7 years,
art. 52 AWR) and what others still have a claim on:

- Numbered invoices and credit notes stay exactly as they are, with their
  lines, their documents (PDF, UBL) and the parties' frozen details: for a
  ZZP member that is their business name, address, KvK, VAT number and IBAN;
  on every invoice the line names the member. These are issued documents.
- Time entries that an invoice line covers stay as they are, description
  included: they are the specification shown with that invoice to both
  organisations, so the invoice and its hours keep adding up.
- Submitted and approved weeks stay (date and hours): the hours were worked
  for another organisation and are owed to the issuer, so the next invoice
  run must still find them. Their descriptions are emptied while no invoice
  shows them, and so is the reason a coordinator once gave for a rejection.
- Draft and rejected weeks that no invoice ever covered are deleted with
  their entries: nobody can claim anything on them.
- Unnumbered invoices the person issues as a ZZP member (drafts and
  rejected drafts) are deleted: they were never issued, and nobody can
  approve them any more (only the member could, and their business details
  are gone). Their hours stay approved, as above.
"""

from django.db.models import Exists, OuterRef

from invoicing.models import Invoice, InvoiceLine, InvoiceLineEntry, TimeEntry, Timesheet


def _profile_id(user):
    return getattr(getattr(user, "profile", None), "pk", None)


def export(user) -> dict:
    profile_id = _profile_id(user)
    if profile_id is None:
        return {}
    timesheets = (
        Timesheet.objects.filter(engagement__member_id=profile_id)
        .select_related("engagement__hiring_organisation")
        .prefetch_related("entries")
        .order_by("week_start", "pk")
    )
    return {
        "timesheets": [
            {
                "week_start": sheet.week_start,
                "hiring_organisation": sheet.engagement.hiring_organisation.name,
                "status": sheet.status,
                "submitted_at": sheet.submitted_at,
                "decided_at": sheet.decided_at,
                "rejection_reason": sheet.rejection_reason,
                "time_entries": [
                    {"date": entry.date, "hours": entry.hours, "description": entry.description}
                    for entry in sorted(sheet.entries.all(), key=lambda e: e.date)
                ],
            }
            for sheet in timesheets
        ],
        "invoices_issued": list(
            Invoice.objects.filter(issuer_member_id=profile_id)
            .order_by("issue_date", "number", "pk")
            .values(
                "kind", "status", "number", "issue_date", "due_date", "period_start", "period_end",
                "recipient__name", "total_excl_vat", "total_vat", "total_incl_vat", "paid_on",
            )
        ),
        # A ZPP member's hours appear on their home organisation's invoices,
        # one line per engagement that names them.
        "invoice_lines_about_me": list(
            InvoiceLine.objects.filter(engagement__member_id=profile_id)
            .exclude(invoice__number="")
            .order_by("invoice__issue_date", "invoice__number", "pk")
            .values(
                "invoice__kind", "invoice__number", "invoice__issue_date", "invoice__seller_name",
                "invoice__buyer_name", "description", "quantity",
            )
        ),
    }


def erase(user) -> dict:
    profile_id = _profile_id(user)
    if profile_id is None:
        return {}
    drafts = Invoice.objects.filter(issuer_member_id=profile_id, number="")
    drafts_deleted = drafts.count()
    drafts.delete()  # lines and their entry links go with them

    sheets = Timesheet.objects.filter(engagement__member_id=profile_id)
    ever_invoiced = InvoiceLineEntry.objects.filter(time_entry__timesheet=OuterRef("pk"))
    unclaimed = sheets.filter(status__in=[Timesheet.Status.DRAFT, Timesheet.Status.REJECTED]).exclude(
        Exists(ever_invoiced)
    )
    entries_deleted = TimeEntry.objects.filter(timesheet__in=unclaimed).count()
    sheets_deleted = unclaimed.count()
    unclaimed.delete()  # their entries go with them (CASCADE)

    on_an_invoice = InvoiceLineEntry.objects.filter(time_entry=OuterRef("pk"))
    emptied = (
        TimeEntry.objects.filter(member_id=profile_id)
        .exclude(description="")
        .exclude(Exists(on_an_invoice))
        .update(description="")
    )
    sheets.exclude(rejection_reason="").update(rejection_reason="")
    return {
        "timesheets_deleted": sheets_deleted,
        "time_entries_deleted": entries_deleted,
        "time_entries_kept": TimeEntry.objects.filter(member_id=profile_id).count(),
        "time_entry_descriptions_emptied": emptied,
        "draft_invoices_deleted": drafts_deleted,
        "invoices_kept": Invoice.objects.filter(issuer_member_id=profile_id).count(),
    }
