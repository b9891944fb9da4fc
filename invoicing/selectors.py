"""Reads for hours and invoices. Every view fetches through one of the
``*_visible_to(user)`` functions; what is not in them is a 404."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from invoicing import money
from invoicing.models import Invoice, InvoiceLineEntry, InvoiceRun, TimeEntry, Timesheet
from members.models import Organisation, Release
from members.roles import require, roles_of

NUMBERED = (Invoice.Status.APPROVED, Invoice.Status.SENT, Invoice.Status.PAID)
ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=12, decimal_places=2))


def _authenticated(user) -> bool:
    return user is not None and user.is_authenticated


# --- Hours -------------------------------------------------------------------


def with_total_hours(qs: QuerySet[Timesheet]) -> QuerySet[Timesheet]:
    """``total_hours`` per timesheet (a subquery, so it composes with any join)."""
    total = (
        TimeEntry.objects.filter(timesheet=OuterRef("pk"))
        .values("timesheet")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    return qs.annotate(total_hours=Coalesce(Subquery(total), ZERO))


def timesheets_visible_to(user) -> QuerySet[Timesheet]:
    """The member's own weeks; the hiring organisation's coordinators and HR;
    HR of the home organisation (their hours are invoiced from there); the
    read-everything roles."""
    roles = roles_of(user)
    qs = Timesheet.objects.select_related(
        "engagement__member__user", "engagement__hiring_organisation", "engagement__home_organisation",
        "engagement__assignment", "decided_by",
    )
    if roles.sees_everything:
        return qs
    if not _authenticated(user):
        return qs.none()
    return qs.filter(
        Q(engagement__member__user=user)
        | Q(engagement__hiring_organisation_id__in=roles.coordinator_of | roles.hr_of)
        | Q(engagement__home_organisation_id__in=roles.hr_of)
    )


def is_timesheet_decider(user, timesheet: Timesheet) -> bool:
    """A coordinator of the hiring organisation (or an administrator), never
    for their own hours."""
    if not _authenticated(user):
        return False
    roles = roles_of(user)
    return (
        roles.is_coordinator_for(timesheet.engagement.hiring_organisation_id)
        and timesheet.engagement.member_id != roles.profile_id
    )


def can_decide_timesheet(user, timesheet: Timesheet) -> bool:
    return timesheet.status == Timesheet.Status.SUBMITTED and is_timesheet_decider(user, timesheet)


def approval_queue_for(user) -> QuerySet[Timesheet]:
    """Submitted weeks this person may approve or reject, oldest first, with
    ``total_hours``."""
    roles = roles_of(user)
    qs = timesheets_visible_to(user).filter(status=Timesheet.Status.SUBMITTED)
    if not roles.admin:
        qs = qs.filter(engagement__hiring_organisation_id__in=roles.coordinator_of)
    if roles.profile_id:
        qs = qs.exclude(engagement__member_id=roles.profile_id)
    return with_total_hours(qs).order_by("week_start", "engagement__hiring_organisation__name", "pk")


# --- Invoices ------------------------------------------------------------------


def invoices_visible_to(user) -> QuerySet[Invoice]:
    """The issuer's HR (a ZZP member: their own invoices), all states; the
    recipient's coordinators and HR, once numbered (a draft is the issuer's
    business); the programme manager and administrators, everything."""
    roles = roles_of(user)
    qs = Invoice.objects.select_related(
        "issuer_organisation", "issuer_member__user", "recipient", "credited_invoice", "run"
    )
    if roles.sees_everything:
        return qs
    if not _authenticated(user):
        return qs.none()
    issuer = Q(issuer_organisation_id__in=roles.hr_of)
    if roles.profile_id:
        issuer |= Q(issuer_member_id=roles.profile_id)
    recipient = Q(recipient_id__in=roles.coordinator_of | roles.hr_of, status__in=NUMBERED)
    return qs.filter(issuer | recipient)


def is_invoice_approver(user, invoice: Invoice) -> bool:
    """HR of the issuing organisation; for a ZZP invoice the member
    themselves; administrators."""
    if not _authenticated(user):
        return False
    roles = roles_of(user)
    if invoice.issuer_member_id:
        return roles.admin or invoice.issuer_member_id == roles.profile_id
    return roles.is_hr_for(invoice.issuer_organisation_id)


def can_approve_invoice(user, invoice: Invoice) -> bool:
    return (
        invoice.kind == Invoice.Kind.INVOICE
        and invoice.status == Invoice.Status.DRAFT
        and is_invoice_approver(user, invoice)
    )


def invoice_queue_for(user) -> QuerySet[Invoice]:
    """Draft invoices this person may approve, oldest first, lines prefetched."""
    roles = roles_of(user)
    qs = invoices_visible_to(user).filter(status=Invoice.Status.DRAFT, kind=Invoice.Kind.INVOICE)
    if not roles.admin:
        mine = Q(issuer_organisation_id__in=roles.hr_of)
        if roles.profile_id:
            mine |= Q(issuer_member_id=roles.profile_id)
        qs = qs.filter(mine)
    return qs.prefetch_related("lines__engagement__member__user").order_by("created_at", "pk")


def invoice_runs_visible_to(user) -> QuerySet[InvoiceRun]:
    """Runs of the organisations this person is HR of (administrators and
    the programme manager: all, including the runs for all organisations)."""
    roles = roles_of(user)
    qs = InvoiceRun.objects.select_related("organisation", "started_by")
    if roles.sees_everything:
        return qs
    return qs.filter(organisation_id__in=roles.hr_of)


# --- HR overview ---------------------------------------------------------------


@dataclass(frozen=True)
class UninvoicedRow:
    counterpart_id: int
    counterpart: str
    month: date
    hours: Decimal
    amount: Decimal  # hours × agreed rate, excluding VAT


@dataclass(frozen=True)
class TotalsRow:
    direction: str  # "outgoing" (issued by the organisation) or "incoming"
    counterpart_id: int
    counterpart: str
    month: date  # the month of service (period_start)
    invoices: int
    excl_vat: Decimal
    vat: Decimal
    incl_vat: Decimal


@dataclass(frozen=True)
class HrOverview:
    organisation: Organisation
    year: int
    uninvoiced: list[UninvoicedRow]
    waiting_count: int  # drafts waiting for HR
    waiting_total: Decimal
    unpaid_count: int  # approved or sent, not yet paid
    unpaid_total: Decimal
    overdue_count: int
    totals: list[TotalsRow]


def hr_overview(user, organisation: Organisation, year: int) -> HrOverview:
    """What HR of ``organisation`` needs for ``year``, in four aggregate
    queries: approved hours of its ZPP engagements not yet invoiced, per
    hiring organisation and month; drafts waiting and approved invoices
    unpaid; and numbered invoice totals (credit notes subtract) per
    counterpart and month of service, issued and received. 403 for people
    who are not HR of the organisation (or read everything)."""
    roles = roles_of(user)
    require(roles.is_hr_for(organisation.pk) or roles.sees_everything)

    amount = ExpressionWrapper(F("hours") * F("engagement__agreed_rate"), output_field=DecimalField())
    uninvoiced = (
        TimeEntry.objects.filter(
            timesheet__status=Timesheet.Status.APPROVED,
            date__year=year,
            engagement__variant=Release.Variant.ZPP,
            engagement__home_organisation=organisation,
        )
        .exclude(engagement__hiring_organisation=organisation)  # its own work is not invoiced
        .filter(~Exists(InvoiceLineEntry.objects.filter(time_entry=OuterRef("pk"), active=True)))
        .annotate(month=TruncMonth("date"))
        .values("engagement__hiring_organisation_id", "engagement__hiring_organisation__name", "month")
        .annotate(total_hours=Sum("hours"), total_amount=Sum(amount))
        .order_by("month", "engagement__hiring_organisation__name")
    )
    today = timezone.localdate()
    issued = Invoice.objects.filter(issuer_organisation=organisation)
    open_figures = issued.aggregate(
        waiting_count=Count("pk", filter=Q(status=Invoice.Status.DRAFT)),
        waiting_total=Coalesce(Sum("total_incl_vat", filter=Q(status=Invoice.Status.DRAFT)), ZERO),
        unpaid_count=Count("pk", filter=Q(status__in=(Invoice.Status.APPROVED, Invoice.Status.SENT))),
        unpaid_total=Coalesce(
            Sum("total_incl_vat", filter=Q(status__in=(Invoice.Status.APPROVED, Invoice.Status.SENT))), ZERO
        ),
        overdue_count=Count(
            "pk", filter=Q(status__in=(Invoice.Status.APPROVED, Invoice.Status.SENT), due_date__lt=today)
        ),
    )
    totals = []
    for direction, qs, counterpart in (
        ("outgoing", issued, "recipient"),
        ("incoming", Invoice.objects.filter(recipient=organisation), "issuer_organisation"),
    ):
        rows = (
            qs.filter(status__in=NUMBERED, period_start__year=year, **{f"{counterpart}__isnull": False})
            .annotate(month=TruncMonth("period_start"))
            .values(f"{counterpart}_id", f"{counterpart}__name", "month")
            .annotate(
                n=Count("pk"), excl=Sum("total_excl_vat"), vat=Sum("total_vat"), incl=Sum("total_incl_vat")
            )
            .order_by("month", f"{counterpart}__name")
        )
        totals.extend(
            TotalsRow(
                direction=direction, counterpart_id=r[f"{counterpart}_id"], counterpart=r[f"{counterpart}__name"],
                month=r["month"], invoices=r["n"], excl_vat=r["excl"], vat=r["vat"], incl_vat=r["incl"],
            )
            for r in rows
        )
    return HrOverview(
        organisation=organisation,
        year=year,
        uninvoiced=[
            UninvoicedRow(
                counterpart_id=r["engagement__hiring_organisation_id"],
                counterpart=r["engagement__hiring_organisation__name"],
                month=r["month"], hours=r["total_hours"], amount=money.cents(r["total_amount"]),
            )
            for r in uninvoiced
        ],
        totals=totals,
        **open_figures,
    )
