"""Celery tasks of the invoicing chain. They take ids, load rows and call a
service (or the documents module); the work itself lives there."""

import logging
from datetime import date, timedelta

from celery import shared_task
from dateutil.easter import easter
from django.utils import timezone

from invoicing.models import Invoice, InvoiceRun

logger = logging.getLogger(__name__)


def dutch_public_holidays(year: int) -> set[date]:
    """The national holidays on which offices are closed: New Year's Day,
    Easter Monday, King's Day (27 April, the 26th when the 27th is a Sunday),
    Ascension Day, Whit Monday, Christmas Day and Boxing Day. Good Friday and
    Liberation Day (5 May) are not general days off and are left out."""
    easter_sunday = easter(year)
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:
        kings_day = date(year, 4, 26)
    return {
        date(year, 1, 1),
        easter_sunday + timedelta(days=1),
        kings_day,
        easter_sunday + timedelta(days=39),
        easter_sunday + timedelta(days=50),
        date(year, 12, 25),
        date(year, 12, 26),
    }


def first_working_day(year: int, month: int) -> date:
    """The month's first Monday–Friday that is not a public holiday."""
    holidays = dutch_public_holidays(year)
    day = date(year, month, 1)
    while day.weekday() >= 5 or day in holidays:
        day += timedelta(days=1)
    return day


@shared_task
def scheduled_invoice_run() -> int | None:
    """Beat calls this every weekday at 06:00 (crontab cannot say "first
    working day"); only on the first working day of the month does it start
    the run for the previous month, for all organisations, unless the
    scheduler already started that one. Returns the run's id, or None."""
    from invoicing import services

    today = timezone.localdate()
    if today != first_working_day(today.year, today.month):
        return None
    period_start = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    if InvoiceRun.objects.filter(
        period_start=period_start, organisation__isnull=True, started_by__isnull=True,
        status__in=(InvoiceRun.Status.RUNNING, InvoiceRun.Status.DONE),
    ).exists():
        return None
    return services.invoice_run_start(actor=None, period_start=period_start).pk


# Idempotent (see invoice_run_execute and documents.send): a worker killed in
# the middle hands the task to another one instead of losing it.
@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_invoices(run_id: int) -> int:
    """Execute a run. A failure is recorded on the run (status failed, the
    error) by the service and logged here, not raised again: whoever started
    the run sees it on the run's page, and the committed invoices stand."""
    from invoicing import services

    run = InvoiceRun.objects.get(pk=run_id)
    try:
        return services.invoice_run_execute(run)
    except Exception:
        logger.exception("invoice run %s failed", run_id)
        return 0


@shared_task(acks_late=True, reject_on_worker_lost=True)
def render_and_send(invoice_id: int) -> None:
    """Render the PDF and the UBL document, store them, e-mail the recipient."""
    from invoicing import documents

    invoice = Invoice.objects.select_related(
        "issuer_organisation", "issuer_member__user", "recipient", "credited_invoice"
    ).get(pk=invoice_id)
    documents.render_and_store(invoice)
    documents.send(invoice)
