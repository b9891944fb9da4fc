"""Hours and invoices.

The chain: a member logs ``TimeEntry`` rows per engagement and day, grouped
in a weekly ``Timesheet`` that the hiring organisation's coordinator
approves; an ``InvoiceRun`` turns approved, not yet invoiced entries into
draft ``Invoice`` rows (one per issuer × recipient × month), each with an
``InvoiceLine`` per engagement; the issuer's HR approves a draft, which
gives it the next number of the issuer's yearly series (``InvoiceSequence``)
and freezes both parties' details onto it. ``InvoiceLineEntry`` links each
time entry to at most one active invoice line: that unique link is what makes
the run idempotent and safe to run twice at the same time.

Approved invoices are never edited or deleted; a credit note (an ``Invoice``
of kind ``credit_note`` pointing at the original) reverses it.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Mod
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.models import Engagement
from members.models import MemberProfile, Organisation


class Timesheet(models.Model):
    """One engagement's hours for one ISO week (Monday ``week_start``): the
    unit a member submits and a coordinator approves or rejects."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected, to correct")

    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="timesheets", verbose_name=_("engagement")
    )
    week_start = models.DateField(_("week starting"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-week_start"]
        verbose_name = _("timesheet")
        verbose_name_plural = _("timesheets")
        constraints = [
            models.UniqueConstraint(fields=["engagement", "week_start"], name="invoicing_timesheet_one_per_week"),
            # ISO weeks start on Monday (PostgreSQL: isodow 1).
            models.CheckConstraint(
                condition=Q(week_start__iso_week_day=1), name="invoicing_timesheet_starts_monday"
            ),
        ]
        indexes = [models.Index(fields=["status", "week_start"])]

    def __str__(self):
        return f"{self.engagement} · {self.week_start:%G-W%V}"

    @property
    def is_locked(self) -> bool:
        """Submitted and approved weeks cannot be changed by the member."""
        return self.status in (self.Status.SUBMITTED, self.Status.APPROVED)


class TimeEntry(models.Model):
    """Hours worked on one day for one engagement, in quarter-hour steps."""

    timesheet = models.ForeignKey(
        Timesheet, on_delete=models.CASCADE, related_name="entries", verbose_name=_("timesheet")
    )
    # Denormalised from the timesheet so the invoice run and the daily and
    # weekly limits are single-table queries.
    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="time_entries", verbose_name=_("engagement")
    )
    member = models.ForeignKey(
        MemberProfile, on_delete=models.PROTECT, related_name="time_entries", verbose_name=_("member")
    )
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=2)
    description = models.CharField(_("description"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        constraints = [
            models.UniqueConstraint(fields=["engagement", "date"], name="invoicing_timeentry_one_per_day"),
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="invoicing_timeentry_hours_range"
            ),
            models.CheckConstraint(
                condition=Exact(Mod(F("hours") * 4, 1), 0), name="invoicing_timeentry_quarter_hours"
            ),
        ]
        indexes = [models.Index(fields=["member", "date"])]

    def __str__(self):
        return f"{self.date} · {self.hours} h"


class InvoiceRun(models.Model):
    """One start of the invoice job for a month, by beat, HR or an admin."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    period_start = models.DateField(_("month"), help_text=_("The first day of the invoiced month."))
    # Limits the run to one issuing organisation (HR starting it for their own).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("issuing organisation"),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    invoices_created = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("invoice run")
        verbose_name_plural = _("invoice runs")
        constraints = [
            models.CheckConstraint(condition=Q(period_start__day=1), name="invoicing_run_starts_on_first"),
        ]

    def __str__(self):
        return f"{self.period_start:%Y-%m} · {self.get_status_display()}"


class InvoiceSequence(models.Model):
    """The last number given in an issuer's series for a year. Approval
    locks this row, so numbers are consecutive without gaps or doubles."""

    issuer_key = models.CharField(max_length=30)  # "org:<id>" or "member:<id>"
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer_key", "year"], name="invoicing_sequence_unique"),
        ]

    def __str__(self):
        return f"{self.issuer_key} {self.year}: {self.last_number}"


class Invoice(models.Model):
    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft, awaiting HR")
        REJECTED = "rejected", _("Rejected by HR")
        APPROVED = "approved", _("Approved")
        SENT = "sent", _("Sent")
        PAID = "paid", _("Paid")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)

    # Who issues: the home organisation (ZPP) or the member's own business (ZZP).
    issuer_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices_issued",
        verbose_name=_("issuing organisation"),
    )
    issuer_member = models.ForeignKey(
        MemberProfile, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices_issued",
        verbose_name=_("issuing member (ZZP)"),
    )
    issuer_key = models.CharField(max_length=30, editable=False)  # as InvoiceSequence.issuer_key
    recipient = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="invoices_received", verbose_name=_("recipient")
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    run = models.ForeignKey(InvoiceRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="invoices")
    credited_invoice = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes",
        verbose_name=_("credits invoice"),
    )

    # Given at approval.
    number = models.CharField(_("number"), max_length=20, blank=True)
    issue_date = models.DateField(_("invoice date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)

    # Frozen at approval: what the document says, whatever changes later.
    seller_name = models.CharField(max_length=200, blank=True)
    seller_street = models.CharField(max_length=200, blank=True)
    seller_postal_code = models.CharField(max_length=10, blank=True)
    seller_city = models.CharField(max_length=100, blank=True)
    seller_kvk = models.CharField(max_length=8, blank=True)
    seller_oin = models.CharField(max_length=20, blank=True)
    seller_vat = models.CharField(max_length=14, blank=True)
    seller_iban = models.CharField(max_length=34, blank=True)
    buyer_name = models.CharField(max_length=200, blank=True)
    buyer_street = models.CharField(max_length=200, blank=True)
    buyer_postal_code = models.CharField(max_length=10, blank=True)
    buyer_city = models.CharField(max_length=100, blank=True)
    buyer_kvk = models.CharField(max_length=8, blank=True)
    buyer_oin = models.CharField(max_length=20, blank=True)
    buyer_vat = models.CharField(max_length=14, blank=True)
    buyer_email = models.EmailField(blank=True)
    buyer_reference = models.CharField(_("buyer reference"), max_length=100, blank=True)

    # Totals (see invoicing/money.py for the rounding rule); a credit note's are negative.
    total_excl_vat = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    total_vat = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    total_incl_vat = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))

    pdf = models.FileField(upload_to="invoices/pdf/", blank=True)
    xml = models.FileField(upload_to="invoices/ubl/", blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.TextField(_("reason"), blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(issuer_organisation__isnull=False, issuer_member__isnull=True)
                    | Q(issuer_organisation__isnull=True, issuer_member__isnull=False)
                ),
                name="invoicing_invoice_one_issuer",
            ),
            models.UniqueConstraint(
                fields=["issuer_key", "number"], condition=~Q(number=""), name="invoicing_invoice_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "rejected"]) | ~Q(number=""),
                name="invoicing_invoice_approved_has_number",
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice", credited_invoice__isnull=True)
                | Q(kind="credit_note", credited_invoice__isnull=False),
                name="invoicing_invoice_credit_note_references_original",
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="invoicing_invoice_period"),
        ]
        indexes = [
            models.Index(fields=["status", "issuer_organisation"]),
            models.Index(fields=["recipient", "period_start"]),
        ]

    def __str__(self):
        return self.number or _("Draft %(pk)s") % {"pk": self.pk}

    @property
    def is_final(self) -> bool:
        """Numbered: never edited or deleted again."""
        return bool(self.number)

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in (self.Status.APPROVED, self.Status.SENT)
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )


class InvoiceLine(models.Model):
    """One engagement's hours on an invoice: quantity × unit price, with the
    VAT category of the engagement."""

    class VatCategory(models.TextChoices):
        # UNCL5305 codes, as used in the UBL document.
        STANDARD = "S", _("Standard rate")
        EXEMPT = "E", _("Exempt from VAT")
        OUT_OF_SCOPE = "O", _("Outside the scope of VAT")

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="invoice_lines")
    credited_line = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_lines"
    )
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("hours"), max_digits=9, decimal_places=2)
    unit_price = models.DecimalField(
        _("hourly rate"), max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    vat_category = models.CharField(max_length=1, choices=VatCategory.choices)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    vat_exemption_reason = models.CharField(max_length=300, blank=True)
    line_total = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")

    def __str__(self):
        return self.description


class InvoiceLineEntry(models.Model):
    """Which time entries an invoice line covers. At most one *active* link
    per time entry: a second run (or a concurrent one) cannot invoice the same
    hours again. A rejected draft, or a credit note that frees the hours,
    deactivates the link (kept as history), so the next run invoices them anew."""

    line = models.ForeignKey(InvoiceLine, on_delete=models.CASCADE, related_name="entry_links")
    time_entry = models.ForeignKey(TimeEntry, on_delete=models.PROTECT, related_name="invoice_links")
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["time_entry"], condition=Q(active=True), name="invoicing_entry_invoiced_once"
            ),
        ]
