"""Every write in the hours-and-invoices chain.

Hours: the member saves a week (``week_save``) and submits it; the hiring
organisation's coordinator approves or rejects it. Invoices: an invoice run
turns approved, not yet invoiced hours into draft invoices, one transaction
per invoice; the issuer's HR approves a draft (numbered under a lock, parties
frozen) or rejects it (its hours are freed); credit notes reverse approved
invoices. Each function checks the state, locks what it changes, records who
did it, and sends its side effects after commit.
"""

import calendar
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Sum
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, gettext_lazy as _

from invoicing import money
from invoicing.models import (
    Invoice,
    InvoiceLine,
    InvoiceLineEntry,
    InvoiceRun,
    InvoiceSequence,
    TimeEntry,
    Timesheet,
)
from invoicing.selectors import is_invoice_approver, is_timesheet_decider
from marketplace.models import Engagement
from members.audit import audit_record
from members.errors import DomainError
from members.models import Membership, MemberProfile, Organisation, Release, User
from members.notifications import notify
from members.roles import roles_of

logger = logging.getLogger(__name__)

NOTIFICATION_EMAIL = "marketplace/email/notification"
MAX_HOURS_PER_DAY = Decimal("24")
QUARTER = Decimal("0.25")


def _hours_text(value) -> str:
    """7.50 → "7,5" (Dutch) or "7.5"; 8.00 → "8"."""
    value = Decimal(value)
    value = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return formats.number_format(value, use_l10n=True)


def _people(organisation_id, role) -> list[User]:
    return list(
        User.objects.filter(
            memberships__organisation_id=organisation_id, memberships__role=role, is_active=True
        ).distinct()
    )


def _week_label(week_start: date) -> str:
    return f"{week_start:%G}-W{week_start:%V}"


def month_bounds(day: date) -> tuple[date, date]:
    """First and last day of ``day``'s month."""
    first = day.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


# --- Hours -------------------------------------------------------------------


def _clean_hours(value, field_name: str) -> Decimal | None:
    """A day's hours as entered: None/0 clears the day; otherwise more than
    0, at most 24, in quarter-hour steps."""
    if value in (None, ""):
        return None
    try:
        hours = Decimal(str(value))
    except InvalidOperation:
        raise DomainError(_("Enter the hours as a number."), field=field_name) from None
    if not hours.is_finite():
        raise DomainError(_("Enter the hours as a number."), field=field_name)
    if hours < 0:
        raise DomainError(_("Hours cannot be negative."), field=field_name)
    if hours == 0:
        return None
    if hours > MAX_HOURS_PER_DAY:
        raise DomainError(_("A day has at most 24 hours."), field=field_name)
    if hours % QUARTER:
        raise DomainError(_("Enter hours in quarter-hour steps (0.25, 0.5, 0.75)."), field=field_name)
    return hours.quantize(Decimal("0.01"))


def release_for_week(member: MemberProfile, week_start: date) -> Release | None:
    """The approved release that covers the week (the latest one starting
    before the week ends, when two overlap it)."""
    return (
        member.releases.filter(
            status=Release.Status.APPROVED,
            start_date__lte=week_start + timedelta(days=6),
            end_date__gte=week_start,
        )
        .order_by("-start_date")
        .first()
    )


def _validate_days(engagement: Engagement, week_start: date, days: dict) -> dict[date, tuple[Decimal | None, str]]:
    """Per-day checks that need no other rows: in the week, in the
    engagement, valid hours, short description."""
    week_end = week_start + timedelta(days=6)
    cleaned = {}
    for day, (hours, description) in sorted(days.items()):
        field_name = f"hours_{day.isoformat()}"
        if not week_start <= day <= week_end:
            raise DomainError(_("This day is not in the week."), field=field_name)
        hours = _clean_hours(hours, field_name)
        if hours is not None and not engagement.start_date <= day <= engagement.end_date:
            raise DomainError(
                _("%(day)s is outside the engagement (%(start)s – %(end)s).") % {
                    "day": formats.date_format(day, "SHORT_DATE_FORMAT"),
                    "start": formats.date_format(engagement.start_date, "SHORT_DATE_FORMAT"),
                    "end": formats.date_format(engagement.end_date, "SHORT_DATE_FORMAT"),
                },
                field=field_name,
            )
        description = (description or "").strip()
        if len(description) > 200:
            raise DomainError(_("Keep the description under 200 characters."), field=f"description_{day.isoformat()}")
        cleaned[day] = (hours, description)
    return cleaned


def week_save(*, actor, engagement: Engagement, week_start: date, days: dict) -> Timesheet:
    """Save one engagement's week at once. ``days`` maps a date to
    ``(hours or None, description)``; None or 0 clears the day.

    Refused with nothing saved (``DomainError`` at ``hours_<date>`` or, for
    the week total, ``__all__``) when: the actor is not the engagement's
    member; the week is submitted or approved; a day lies outside the
    engagement; hours are negative, above 24 or not in quarter hours; a day
    would exceed 24 hours across all the member's engagements; or the ISO
    week's total across all engagements would exceed the approved release's
    hours per week (a save that does not raise the week's total is allowed,
    so hours can always be reduced). Returns the timesheet, unsaved (no pk)
    when the week had no timesheet and nothing was entered.
    """
    member = engagement.member
    if actor is None or member.user_id != actor.pk:
        raise DomainError(_("Only the member of this engagement can log hours for it."))
    if week_start.weekday() != 0:
        raise DomainError(_("A week starts on a Monday."), field="week_start")
    cleaned = _validate_days(engagement, week_start, days)
    week_end = week_start + timedelta(days=6)

    with transaction.atomic():
        # One member's saves run one at a time: the daily and weekly limits
        # count all their engagements.
        MemberProfile.objects.select_for_update().filter(pk=member.pk).exists()
        timesheet = Timesheet.objects.select_for_update().filter(engagement=engagement, week_start=week_start).first()
        if timesheet is not None and timesheet.is_locked:
            raise DomainError(
                _("This week has been submitted or approved; its hours cannot be changed any more.")
            )
        existing = {e.date: e for e in timesheet.entries.all()} if timesheet else {}
        new_hours = {day: entry.hours for day, entry in existing.items()}
        for day, (hours, _description) in cleaned.items():
            if hours is None:
                new_hours.pop(day, None)
            else:
                new_hours[day] = hours
        if timesheet is None and not new_hours:
            return Timesheet(engagement=engagement, week_start=week_start)

        other = dict(
            TimeEntry.objects.filter(member=member, date__range=(week_start, week_end))
            .exclude(engagement=engagement)
            .values("date")
            .annotate(total=Sum("hours"))
            .values_list("date", "total")
        )
        for day, hours in sorted(new_hours.items()):
            if day in cleaned and other.get(day, 0) + hours > MAX_HOURS_PER_DAY:
                raise DomainError(
                    _("With your other engagements this day would have %(total)s hours; a day has at most 24.")
                    % {"total": _hours_text(other.get(day, 0) + hours)},
                    field=f"hours_{day.isoformat()}",
                )
        old_total = sum(existing_entry.hours for existing_entry in existing.values())
        new_total = sum(new_hours.values(), Decimal("0"))
        week_total = sum(other.values(), Decimal("0")) + new_total
        if new_total > old_total:
            release = release_for_week(member, week_start)
            if release is None:
                raise DomainError(
                    _("You have no approved release for this week, so you cannot log hours in it."),
                    field="__all__",
                )
            if week_total > release.hours_per_week:
                raise DomainError(
                    _("This week would have %(total)s hours across your engagements; your approved release "
                      "allows %(budget)s hours a week.")
                    % {"total": _hours_text(week_total), "budget": _hours_text(release.hours_per_week)},
                    field="__all__",
                )

        if timesheet is None:
            timesheet = Timesheet.objects.create(engagement=engagement, week_start=week_start)
        _write_entries(timesheet, engagement, existing, cleaned)
        audit_record(
            actor=actor, action="timesheet.save", target=timesheet, organisation=engagement.hiring_organisation,
            data={"week": _week_label(week_start), "hours": str(new_total)},
        )
    return timesheet


def _write_entries(timesheet, engagement, existing: dict, cleaned: dict) -> None:
    remove = [day for day, (hours, _d) in cleaned.items() if hours is None and day in existing]
    if remove:
        TimeEntry.objects.filter(timesheet=timesheet, date__in=remove).delete()
    create, update = [], []
    for day, (hours, description) in cleaned.items():
        if hours is None:
            continue
        entry = existing.get(day)
        if entry is None:
            create.append(TimeEntry(
                timesheet=timesheet, engagement=engagement, member_id=engagement.member_id,
                date=day, hours=hours, description=description,
            ))
        elif entry.hours != hours or entry.description != description:
            entry.hours, entry.description = hours, description
            update.append(entry)
    TimeEntry.objects.bulk_create(create)
    for entry in update:
        entry.save(update_fields=["hours", "description", "updated_at"])


def _lock_timesheet(timesheet: Timesheet) -> Timesheet:
    return (
        Timesheet.objects.select_for_update(of=("self",))
        .select_related("engagement__member__user", "engagement__hiring_organisation")
        .get(pk=timesheet.pk)
    )


def _submit(locked: Timesheet, actor) -> None:
    locked.status = Timesheet.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.submitted_by = actor
    locked.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    audit_record(
        actor=actor, action="timesheet.submit", target=locked,
        organisation=locked.engagement.hiring_organisation, data={"week": _week_label(locked.week_start)},
    )


def _notify_coordinators_of_submission(hiring_organisation_id, member_name: str, weeks: list[str]) -> None:
    label = ", ".join(weeks)
    notify(
        users=_people(hiring_organisation_id, Membership.Role.COORDINATOR),
        kind="timesheet_submitted",
        message=lambda: _("%(member)s submitted hours for approval (%(weeks)s).") % {
            "member": member_name, "weeks": label},
        url=reverse("invoicing:approval_queue"),
        email_template=NOTIFICATION_EMAIL,
    )


def timesheet_submit(*, actor, timesheet: Timesheet) -> Timesheet:
    """The member hands a draft (or corrected, rejected) week in for approval."""
    with transaction.atomic():
        locked = _lock_timesheet(timesheet)
        if actor is None or locked.engagement.member.user_id != actor.pk:
            raise DomainError(_("Only the member of this engagement can submit its hours."))
        if locked.status not in (Timesheet.Status.DRAFT, Timesheet.Status.REJECTED):
            raise DomainError(_("This week has already been submitted."))
        if not locked.entries.exists():
            raise DomainError(_("There are no hours in this week to submit."))
        _submit(locked, actor)
        _notify_coordinators_of_submission(
            locked.engagement.hiring_organisation_id, str(locked.engagement.member), [_week_label(locked.week_start)]
        )
    return locked


def month_submit(*, actor, member: MemberProfile, year: int, month: int) -> list[Timesheet]:
    """Submit every draft or rejected week with hours that overlaps the month
    (a week is the unit of approval, so a week across two months goes whole)."""
    if actor is None or member.user_id != actor.pk:
        raise DomainError(_("You can only submit your own hours."))
    first, last = month_bounds(date(year, month, 1))
    with transaction.atomic():
        timesheets = list(
            Timesheet.objects.select_for_update(of=("self",))
            .select_related("engagement__hiring_organisation", "engagement__member__user")
            .filter(
                engagement__member=member,
                status__in=(Timesheet.Status.DRAFT, Timesheet.Status.REJECTED),
                week_start__gte=first - timedelta(days=6),
                week_start__lte=last,
            )
            .filter(Exists(TimeEntry.objects.filter(timesheet=OuterRef("pk"))))
            .order_by("week_start", "engagement_id")
        )
        if not timesheets:
            raise DomainError(_("There are no hours to submit in this month."), field="month")
        weeks_by_organisation = defaultdict(list)
        for timesheet in timesheets:
            _submit(timesheet, actor)
            weeks_by_organisation[timesheet.engagement.hiring_organisation_id].append(
                _week_label(timesheet.week_start)
            )
        for organisation_id, weeks in weeks_by_organisation.items():
            _notify_coordinators_of_submission(organisation_id, str(member), weeks)
    return timesheets


def _decide(*, actor, timesheet: Timesheet) -> Timesheet:
    locked = _lock_timesheet(timesheet)
    if not is_timesheet_decider(actor, locked):
        raise DomainError(_("Only coordinators of the hiring organisation can approve or reject these hours."))
    if locked.status != Timesheet.Status.SUBMITTED:
        raise DomainError(_("These hours are not waiting for approval."))
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    return locked


def timesheet_approve(*, actor, timesheet: Timesheet) -> Timesheet:
    """Approved hours are locked for good and go into the next invoice run."""
    with transaction.atomic():
        locked = _decide(actor=actor, timesheet=timesheet)
        locked.status = Timesheet.Status.APPROVED
        locked.rejection_reason = ""
        locked.save(update_fields=["status", "decided_at", "decided_by", "rejection_reason", "updated_at"])
        audit_record(
            actor=actor, action="timesheet.approve", target=locked,
            organisation=locked.engagement.hiring_organisation, data={"week": _week_label(locked.week_start)},
        )
        week = _week_label(locked.week_start)
        notify(
            users=[locked.engagement.member.user], kind="timesheet_approved",
            message=lambda: _("Your hours for week %(week)s were approved.") % {"week": week},
            url=reverse("invoicing:timesheet_detail", kwargs={"pk": locked.pk}),
            email_template=NOTIFICATION_EMAIL,
        )
    return locked


def timesheet_reject(*, actor, timesheet: Timesheet, reason: str) -> Timesheet:
    """Back to the member with the reason: they correct and resubmit."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the hours are rejected."), field="reason")
    with transaction.atomic():
        locked = _decide(actor=actor, timesheet=timesheet)
        locked.status = Timesheet.Status.REJECTED
        locked.rejection_reason = reason
        locked.save(update_fields=["status", "decided_at", "decided_by", "rejection_reason", "updated_at"])
        audit_record(
            actor=actor, action="timesheet.reject", target=locked,
            organisation=locked.engagement.hiring_organisation,
            data={"week": _week_label(locked.week_start), "reason": reason},
        )
        week = _week_label(locked.week_start)
        notify(
            users=[locked.engagement.member.user], kind="timesheet_rejected",
            message=lambda: _("Your hours for week %(week)s were rejected: %(reason)s") % {
                "week": week, "reason": reason},
            url=reverse("invoicing:timesheet_detail", kwargs={"pk": locked.pk}),
            email_template=NOTIFICATION_EMAIL,
        )
    return locked


# --- The invoice run -----------------------------------------------------------


def invoice_run_start(*, actor, period_start: date, organisation: Organisation | None = None) -> InvoiceRun:
    """Record a run for the month of ``period_start`` and start it after
    commit. ``actor`` None is the scheduler. HR may run it only for an
    organisation they are HR of; administrators (and the scheduler) for one
    or for all (``organisation`` None). An organisation's run invoices its
    ZPP hours; ZZP members' own invoices come from the runs for all."""
    period_start = period_start.replace(day=1)
    if period_start > timezone.localdate():
        raise DomainError(_("A month that has not begun cannot be invoiced."), field="month")
    if actor is not None:
        roles = roles_of(actor)
        if not roles.admin and (organisation is None or organisation.pk not in roles.hr_of):
            raise DomainError(
                _("HR can start an invoice run only for their own organisation."), field="organisation"
            )
    from invoicing.tasks import run_invoices
    from zppbrabant.queue import enqueue_on_commit

    with transaction.atomic():
        run = InvoiceRun.objects.create(period_start=period_start, organisation=organisation, started_by=actor)
        audit_record(
            actor=actor, action="invoice_run.start", target=run, organisation=organisation,
            data={"month": f"{period_start:%Y-%m}"},
        )
        # Stored as a PendingTask when Redis is down, sent when it is back.
        enqueue_on_commit(run_invoices, run.pk)
    return run


@dataclass
class _Group:
    """What becomes one draft invoice: one issuer, one recipient, one VAT
    regime; per engagement the hours the selection found."""

    issuer_key: str
    issuer_organisation_id: int | None
    issuer_member_id: int | None
    recipient_id: int
    recipient_slug: str
    regime: str
    engagements: list[tuple[Engagement, Decimal]] = field(default_factory=list)


class _NothingLeft(Exception):
    """Another run invoiced every entry of this group first: roll back."""


def _uninvoiced_entries(period_start: date, period_end: date):
    """Approved entries of the period with no active invoice link. Work of a
    ZPP'er for their own organisation is not invoiced: an organisation does
    not invoice itself (a ZZP'er's business does invoice their employer)."""
    return (
        TimeEntry.objects.filter(
            timesheet__status=Timesheet.Status.APPROVED, date__gte=period_start, date__lte=period_end,
        )
        .exclude(
            engagement__variant=Release.Variant.ZPP,
            engagement__home_organisation_id=F("engagement__hiring_organisation_id"),
        )
        .filter(~Exists(InvoiceLineEntry.objects.filter(time_entry=OuterRef("pk"), active=True)))
    )


def _invoice_groups(run: InvoiceRun, period_start: date, period_end: date) -> list[_Group]:
    """One aggregate query for the hours per engagement, one for the
    engagements; grouped per issuer × recipient × VAT regime (Peppol forbids
    mixing "outside the scope of VAT" with other categories on one invoice)."""
    entries = _uninvoiced_entries(period_start, period_end)
    if run.organisation_id:
        entries = entries.filter(
            engagement__variant=Release.Variant.ZPP, engagement__home_organisation_id=run.organisation_id
        )
    hours = dict(entries.values("engagement_id").annotate(total=Sum("hours")).values_list("engagement_id", "total"))
    groups: dict[tuple, _Group] = {}
    engagements = (
        Engagement.objects.filter(pk__in=list(hours))
        .select_related("member__user", "hiring_organisation", "assignment")
        .order_by("pk")
    )
    for engagement in engagements:
        if engagement.issuer_is_member:
            key = f"member:{engagement.member_id}"
            issuer_org, issuer_member = None, engagement.member_id
        else:
            key = f"org:{engagement.home_organisation_id}"
            issuer_org, issuer_member = engagement.home_organisation_id, None
        regime = "O" if engagement.vat_treatment == Engagement.VatTreatment.OUT_OF_SCOPE else "SE"
        group_key = (key, engagement.hiring_organisation_id, regime)
        group = groups.get(group_key)
        if group is None:
            group = groups[group_key] = _Group(
                issuer_key=key, issuer_organisation_id=issuer_org, issuer_member_id=issuer_member,
                recipient_id=engagement.hiring_organisation_id,
                recipient_slug=engagement.hiring_organisation.slug, regime=regime,
            )
        group.engagements.append((engagement, hours[engagement.pk]))
    return [groups[k] for k in sorted(groups)]


def _line_description(engagement: Engagement) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        what = engagement.assignment.title if engagement.assignment_id else gettext("ZPP engagement")
        return f"{what} – {engagement.member}"[:300]


def _buyer_reference(group_recipient_slug: str, engagement_ids: list[int], period_start: date) -> str:
    """BT-10: the engagement when there is one, else recipient and month."""
    if len(engagement_ids) == 1:
        return f"ZPP-{engagement_ids[0]}"
    return f"ZPP-{group_recipient_slug}-{period_start:%Y-%m}"[:100]


def _link_entries(invoice: Invoice, period_start: date, period_end: date) -> dict[int, Decimal]:
    """Link every approved, not yet invoiced entry of the period to the
    invoice's line for its engagement, in one INSERT … SELECT; returns the
    hours linked per line. The partial unique index
    ``invoicing_entry_invoiced_once`` makes this fail (IntegrityError) when a
    concurrent run links the same entries first; rows are inserted in entry
    order so two runs never wait for each other in a cycle."""
    link, line, entry, sheet = (
        InvoiceLineEntry._meta.db_table, InvoiceLine._meta.db_table,
        TimeEntry._meta.db_table, Timesheet._meta.db_table,
    )
    sql = f"""
        WITH linked AS (
            INSERT INTO {link} (line_id, time_entry_id, active)
            SELECT l.id, e.id, TRUE
            FROM {line} l
            JOIN {entry} e ON e.engagement_id = l.engagement_id
            JOIN {sheet} t ON t.id = e.timesheet_id
            WHERE l.invoice_id = %s AND t.status = %s AND e.date BETWEEN %s AND %s
              AND NOT EXISTS (SELECT 1 FROM {link} x WHERE x.time_entry_id = e.id AND x.active)
            ORDER BY e.id
            RETURNING line_id, time_entry_id
        )
        SELECT linked.line_id, SUM(e.hours) FROM linked JOIN {entry} e ON e.id = linked.time_entry_id
        GROUP BY linked.line_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [invoice.pk, Timesheet.Status.APPROVED, period_start, period_end])
        return dict(cursor.fetchall())


def _set_totals(invoice: Invoice, lines) -> None:
    result = money.totals(lines)
    invoice.total_excl_vat, invoice.total_vat, invoice.total_incl_vat = result.excl_vat, result.vat, result.incl_vat


def _create_invoice(run: InvoiceRun, group: _Group, period_start: date, period_end: date) -> Invoice | None:
    """One draft invoice with its lines and entry links, in one transaction:
    all of it or nothing. The lines are made from the selection, then the
    links decide: hours linked differently (approved since, or taken by a
    concurrent run) correct the line; a line without links goes. None when
    another run got there first."""
    try:
        with transaction.atomic():
            engagement_ids = [e.pk for e, _h in group.engagements]
            invoice = Invoice(
                kind=Invoice.Kind.INVOICE, status=Invoice.Status.DRAFT,
                issuer_organisation_id=group.issuer_organisation_id, issuer_member_id=group.issuer_member_id,
                issuer_key=group.issuer_key, recipient_id=group.recipient_id,
                period_start=period_start, period_end=period_end, run=run, created_by_id=run.started_by_id,
                buyer_reference=_buyer_reference(group.recipient_slug, engagement_ids, period_start),
            )
            lines = []
            for engagement, hours in group.engagements:
                category, rate, reason = money.vat_for_treatment(
                    engagement.vat_treatment, engagement.vat_exemption_reason
                )
                lines.append(InvoiceLine(
                    engagement=engagement, description=_line_description(engagement), quantity=hours,
                    unit_price=engagement.agreed_rate, vat_category=category, vat_rate=rate,
                    vat_exemption_reason=reason, line_total=money.line_total(hours, engagement.agreed_rate),
                ))
            _set_totals(invoice, lines)
            invoice.save()
            for line in lines:
                line.invoice = invoice
            InvoiceLine.objects.bulk_create(lines)
            linked = _link_entries(invoice, period_start, period_end)
            _reconcile(invoice, lines, linked, group, period_start)
            return invoice
    except _NothingLeft:
        return None
    except IntegrityError as exc:
        if getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None) != "invoicing_entry_invoiced_once":
            raise
        logger.info("invoice run %s: %s → %s invoiced by another run", run.pk, group.issuer_key, group.recipient_id)
        return None


def _reconcile(invoice: Invoice, lines: list[InvoiceLine], linked: dict, group: _Group, period_start: date) -> None:
    kept, changed, dropped = [], [], []
    for line in lines:
        hours = linked.get(line.pk)
        if hours is None:
            dropped.append(line.pk)
            continue
        if hours != line.quantity:
            line.quantity, line.line_total = hours, money.line_total(hours, line.unit_price)
            changed.append(line)
        kept.append(line)
    if not kept:
        raise _NothingLeft
    if changed or dropped:
        InvoiceLine.objects.filter(pk__in=dropped).delete()
        InvoiceLine.objects.bulk_update(changed, ["quantity", "line_total"])
        _set_totals(invoice, kept)
        invoice.buyer_reference = _buyer_reference(
            group.recipient_slug, [line.engagement_id for line in kept], period_start
        )
        invoice.save(update_fields=["total_excl_vat", "total_vat", "total_incl_vat", "buyer_reference"])


def invoice_run_execute(run: InvoiceRun) -> int:
    """Make the run's draft invoices; returns how many. Safe to run twice,
    also at the same time: entries already linked are not selected, and
    entries linked concurrently make that invoice's transaction fail on the
    unique link, which skips it. On an error the invoices committed so far
    stay (each is whole), the failing one leaves nothing, the run is marked
    failed with the error and the error propagates; a new run makes the rest.
    A run that is not running any more (done, failed) does nothing."""
    run = InvoiceRun.objects.select_related("organisation", "started_by").get(pk=run.pk)
    if run.status != InvoiceRun.Status.RUNNING:
        return 0
    period_start, period_end = month_bounds(run.period_start)
    created: list[Invoice] = []
    try:
        for group in _invoice_groups(run, period_start, period_end):
            invoice = _create_invoice(run, group, period_start, period_end)
            if invoice is not None:
                created.append(invoice)
        # Count and announce every invoice of the run, not only this
        # execution's: a worker killed halfway leaves committed invoices
        # whose approvers were never told, and the redelivered task makes
        # only the rest.
        of_run = list(
            Invoice.objects.filter(run=run, kind=Invoice.Kind.INVOICE)
            .only("pk", "issuer_organisation_id", "issuer_member_id")
        )
        with transaction.atomic():
            finished = InvoiceRun.objects.filter(pk=run.pk, status=InvoiceRun.Status.RUNNING).update(
                status=InvoiceRun.Status.DONE, finished_at=timezone.now(), invoices_created=len(of_run)
            )
            if finished:
                audit_record(
                    actor=run.started_by, action="invoice_run.finish", target=run, organisation=run.organisation,
                    data={"month": f"{period_start:%Y-%m}", "invoices": len(of_run)},
                )
                _notify_approvers_of_drafts(of_run, period_start)
    except Exception as exc:
        InvoiceRun.objects.filter(pk=run.pk, status=InvoiceRun.Status.RUNNING).update(
            status=InvoiceRun.Status.FAILED, finished_at=timezone.now(),
            invoices_created=Invoice.objects.filter(run=run, kind=Invoice.Kind.INVOICE).count(),
            error=f"{type(exc).__name__}: {exc}"[:5000],
        )
        raise
    return len(created)


def _notify_approvers_of_drafts(invoices: list[Invoice], period_start: date) -> None:
    """HR of each issuing organisation (a ZZP member for their own) hears
    how many drafts wait for them."""
    count_by_org, count_by_member = defaultdict(int), defaultdict(int)
    for invoice in invoices:
        if invoice.issuer_organisation_id:
            count_by_org[invoice.issuer_organisation_id] += 1
        else:
            count_by_member[invoice.issuer_member_id] += 1
    recipients = [(_people(org_id, Membership.Role.HR), n) for org_id, n in count_by_org.items()]
    for profile in MemberProfile.objects.filter(pk__in=list(count_by_member)).select_related("user"):
        recipients.append(([profile.user], count_by_member[profile.pk]))
    month = f"{period_start:%m-%Y}"
    url = reverse("invoicing:invoice_queue")
    for people, count in recipients:
        notify(
            users=people, kind="invoice_drafts",
            message=lambda count=count: _("%(count)s draft invoice(s) for %(month)s wait for your approval.") % {
                "count": count, "month": month},
            url=url, email_template=NOTIFICATION_EMAIL,
        )


# --- Approval, numbering, rejection, payment -------------------------------------


def _lock_invoice(invoice: Invoice) -> Invoice:
    return (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("issuer_organisation", "issuer_member__user", "recipient")
        .get(pk=invoice.pk)
    )


def _require_approver(actor, invoice: Invoice) -> None:
    if not is_invoice_approver(actor, invoice):
        raise DomainError(_("Only HR of the issuing organisation can do this with this invoice."))


def next_number(issuer_key: str, year: int) -> str:
    """The next number of the issuer's series for the year, ``YYYY-NNNNN``.
    Call inside the transaction that uses it: the sequence row stays locked
    until commit, and a rollback gives the number back (no gaps)."""
    sequence, _created = InvoiceSequence.objects.get_or_create(issuer_key=issuer_key, year=year)
    sequence = InvoiceSequence.objects.select_for_update().get(pk=sequence.pk)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return f"{year}-{sequence.last_number:05d}"


ZZP_SELLER_FIELDS = (
    "business_kvk", "business_vat", "business_iban", "business_street", "business_postal_code", "business_city",
)


def _freeze_parties(invoice: Invoice) -> None:
    """Copy both parties' details onto the invoice as they are now."""
    if invoice.issuer_member_id:
        profile = invoice.issuer_member
        missing = [f for f in ZZP_SELLER_FIELDS if not getattr(profile, f)]
        if missing:
            names = ", ".join(str(MemberProfile._meta.get_field(f).verbose_name) for f in missing)
            raise DomainError(
                _("The business details on your profile are incomplete (%(fields)s). Complete your profile "
                  "before approving this invoice.") % {"fields": names}
            )
        invoice.seller_name = profile.business_name or profile.user.get_full_name() or profile.user.email
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
    buyer = invoice.recipient
    invoice.buyer_name, invoice.buyer_street = buyer.name, buyer.street
    invoice.buyer_postal_code, invoice.buyer_city = buyer.postal_code, buyer.city
    invoice.buyer_kvk, invoice.buyer_oin, invoice.buyer_vat = buyer.kvk_number, buyer.oin, buyer.vat_number
    invoice.buyer_email = buyer.invoice_email
    if not invoice.buyer_reference:
        invoice.buyer_reference = f"ZPP-{buyer.slug}-{invoice.period_start:%Y-%m}"


FROZEN_FIELDS = [
    "seller_name", "seller_street", "seller_postal_code", "seller_city", "seller_kvk", "seller_oin", "seller_vat",
    "seller_iban", "buyer_name", "buyer_street", "buyer_postal_code", "buyer_city", "buyer_kvk", "buyer_oin",
    "buyer_vat", "buyer_email", "buyer_reference",
]


def _enqueue_documents(invoice_id: int) -> None:
    from invoicing.tasks import render_and_send
    from zppbrabant.queue import enqueue_on_commit

    enqueue_on_commit(render_and_send, invoice_id)


def _audit_organisation(invoice: Invoice):
    return invoice.issuer_organisation or invoice.recipient


def invoice_approve(*, actor, invoice: Invoice) -> Invoice:
    """HR of the issuer (the member for a ZZP invoice) approves a draft: it
    gets the next number of the issuer's series, today's date, a due date
    ``PAYMENT_TERM_DAYS`` later and both parties' frozen details; rendering
    and sending follow after commit. The invoice row is locked, so approving
    twice gives one number and a DomainError the second time."""
    with transaction.atomic():
        locked = _lock_invoice(invoice)
        _require_approver(actor, locked)
        if locked.kind != Invoice.Kind.INVOICE or locked.status != Invoice.Status.DRAFT:
            raise DomainError(_("This invoice is not a draft any more: it has been approved or rejected already."))
        _freeze_parties(locked)
        today = timezone.localdate()
        locked.number = next_number(locked.issuer_key, today.year)
        locked.issue_date = today
        locked.due_date = today + timedelta(days=money.PAYMENT_TERM_DAYS)
        locked.status = Invoice.Status.APPROVED
        locked.decided_at, locked.decided_by = timezone.now(), actor
        locked.save(update_fields=[
            "number", "issue_date", "due_date", "status", "decided_at", "decided_by", *FROZEN_FIELDS,
        ])
        audit_record(
            actor=actor, action="invoice.approve", target=locked, organisation=_audit_organisation(locked),
            data={"number": locked.number, "total": str(locked.total_incl_vat)},
        )
        _enqueue_documents(locked.pk)
    return locked


def invoice_reject(*, actor, invoice: Invoice, reason: str) -> Invoice:
    """HR refuses a draft; its hours are freed (links deactivated, kept as
    history) so the next run invoices them again."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the invoice is rejected."), field="reason")
    with transaction.atomic():
        locked = _lock_invoice(invoice)
        _require_approver(actor, locked)
        if locked.status != Invoice.Status.DRAFT:
            raise DomainError(_("Only a draft invoice can be rejected."))
        locked.status = Invoice.Status.REJECTED
        locked.rejection_reason = reason
        locked.decided_at, locked.decided_by = timezone.now(), actor
        locked.save(update_fields=["status", "rejection_reason", "decided_at", "decided_by"])
        freed = InvoiceLineEntry.objects.filter(line__invoice=locked, active=True).update(active=False)
        audit_record(
            actor=actor, action="invoice.reject", target=locked, organisation=_audit_organisation(locked),
            data={"reason": reason, "entries_freed": freed},
        )
    return locked


def invoice_mark_paid(*, actor, invoice: Invoice, paid_on: date) -> Invoice:
    """HR records the payment of an approved or sent invoice."""
    with transaction.atomic():
        locked = _lock_invoice(invoice)
        _require_approver(actor, locked)
        if locked.status not in (Invoice.Status.APPROVED, Invoice.Status.SENT):
            raise DomainError(_("Only an approved or sent invoice can be marked as paid."))
        if paid_on is None:
            raise DomainError(_("Enter the date of payment."), field="paid_on")
        if paid_on < locked.issue_date:
            raise DomainError(_("The payment cannot be before the invoice date."), field="paid_on")
        if paid_on > timezone.localdate():
            raise DomainError(_("The payment date cannot be in the future."), field="paid_on")
        locked.status = Invoice.Status.PAID
        locked.paid_on, locked.paid_marked_by = paid_on, actor
        locked.save(update_fields=["status", "paid_on", "paid_marked_by"])
        audit_record(
            actor=actor, action="invoice.mark_paid", target=locked, organisation=_audit_organisation(locked),
            data={"paid_on": paid_on.isoformat()},
        )
    return locked


# --- Credit notes --------------------------------------------------------------


def credit_note_create(
    *, actor, invoice: Invoice, line_ids: list[int] | None, reason: str, free_hours: bool
) -> Invoice:
    """Reverse an approved invoice, wholly (``line_ids`` None) or for chosen
    lines: a credit note with the negated lines, numbered at once in the
    issuer's series, referencing the original, with the original's frozen
    parties. A line is credited at most once. ``free_hours`` deactivates the
    credited lines' entry links so the next run invoices those hours anew.
    The reason is kept in the credit note's ``rejection_reason`` ("reason")."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the invoice is credited."), field="reason")
    with transaction.atomic():
        original = _lock_invoice(invoice)
        _require_approver(actor, original)
        if original.kind != Invoice.Kind.INVOICE or original.status not in (
            Invoice.Status.APPROVED, Invoice.Status.SENT, Invoice.Status.PAID
        ):
            raise DomainError(_("Only an approved invoice can be credited."))
        lines = list(original.lines.order_by("pk"))
        if line_ids is not None:
            wanted = {int(pk) for pk in line_ids}
            lines = [line for line in lines if line.pk in wanted]
            if not wanted or len(lines) != len(wanted):
                raise DomainError(_("Choose one or more lines of this invoice."), field="line_ids")
        if InvoiceLine.objects.filter(credited_line__in=lines).exists():
            raise DomainError(_("One or more of these lines have been credited already."), field="line_ids")

        credit_lines = [
            InvoiceLine(
                engagement_id=line.engagement_id, credited_line=line, description=line.description,
                quantity=-line.quantity, unit_price=line.unit_price, vat_category=line.vat_category,
                vat_rate=line.vat_rate, vat_exemption_reason=line.vat_exemption_reason,
                line_total=money.line_total(-line.quantity, line.unit_price),
            )
            for line in lines
        ]
        today = timezone.localdate()
        note = Invoice(
            kind=Invoice.Kind.CREDIT_NOTE, status=Invoice.Status.APPROVED, credited_invoice=original,
            issuer_organisation_id=original.issuer_organisation_id, issuer_member_id=original.issuer_member_id,
            issuer_key=original.issuer_key, recipient_id=original.recipient_id,
            period_start=original.period_start, period_end=original.period_end,
            number=next_number(original.issuer_key, today.year), issue_date=today, due_date=None,
            created_by=actor, decided_at=timezone.now(), decided_by=actor, rejection_reason=reason,
            **{name: getattr(original, name) for name in FROZEN_FIELDS},
        )
        _set_totals(note, credit_lines)
        note.save()
        for line in credit_lines:
            line.invoice = note
        InvoiceLine.objects.bulk_create(credit_lines)
        freed = 0
        if free_hours:
            freed = InvoiceLineEntry.objects.filter(line__in=lines, active=True).update(active=False)
        audit_record(
            actor=actor, action="invoice.credit", target=note, organisation=_audit_organisation(original),
            data={"credits": original.number, "lines": [line.pk for line in lines], "reason": reason,
                  "entries_freed": freed},
        )
        _enqueue_documents(note.pk)
    return note
