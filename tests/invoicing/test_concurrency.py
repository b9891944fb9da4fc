"""Concurrency on the real PostgreSQL: committed data, threads with their
own connections (each closes it when done).

The transaction design these tests hold the code to: every invoice of a run
is one transaction (invoice, lines and entry links together). So when a run
fails halfway, the invoices committed before the error are complete and stay,
the invoice being made when the error struck leaves nothing at all, and the
next run makes exactly the rest. Two runs at once cannot invoice an entry
twice: the partial unique index on active links makes the slower one's
insert fail, and that run skips the invoice the other one made."""

import logging
import threading
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.models import Count, Q

from invoicing import services, tasks
from invoicing.models import Invoice, InvoiceLine, InvoiceLineEntry, InvoiceRun, TimeEntry
from members.models import Membership
from members.services import membership_grant
from tests.factories import EngagementFactory, OrganisationFactory, UserFactory, approved_hours, run_invoice_month

OCTOBER = date(2026, 10, 1)
GROUPS = 6

pytestmark = pytest.mark.django_db(transaction=True)


def in_threads(*targets, timeout=60):
    """Run each callable in its own thread with its own database
    connection; return their results (or exceptions) in order."""
    results = [None] * len(targets)

    def wrap(i, target):
        try:
            results[i] = target()
        except Exception as exc:  # handed to the test, which asserts on it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a thread hung"
    return results


@pytest.fixture
def hours_for_six_recipients(org_a, member_a):
    """Org A lends member A to six organisations: six invoices in October,
    two entries each."""
    for _ in range(GROUPS):
        work = EngagementFactory(member=member_a.profile, hiring_organisation=OrganisationFactory(),
                                 agreed_rate=D("63.37"), start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))
        approved_hours(work, date(2026, 10, 5), ["7.25", "1.5"])


@pytest.fixture
def no_documents(monkeypatch):
    """These tests are about numbers and links, not the PDF and UBL."""
    monkeypatch.setattr(tasks.render_and_send, "apply_async", lambda args, kwargs: None)


def assert_nothing_half_made():
    assert not Invoice.objects.annotate(n=Count("lines")).filter(n=0).exists(), "an invoice without lines"
    assert not InvoiceLine.objects.annotate(n=Count("entry_links")).filter(n=0).exists(), "a line without links"
    doubled = (TimeEntry.objects.annotate(n=Count("invoice_links", filter=Q(invoice_links__active=True)))
               .filter(n__gt=1))
    assert not doubled.exists(), "an entry invoiced twice"
    for line in InvoiceLine.objects.all():
        linked = sum(link.time_entry.hours for link in line.entry_links.select_related("time_entry"))
        assert line.quantity == linked


def test_two_runs_at_the_same_moment_make_the_invoices_of_one_run(hours_for_six_recipients, monkeypatch, caplog):
    runs = [InvoiceRun.objects.create(period_start=OCTOBER) for _ in range(2)]
    # Both runs select before either makes an invoice, so they go for the
    # same six groups; each invoice's transaction stays open a moment, so
    # the other run's insert of the same links has to wait for it.
    selected = threading.Barrier(2)
    select, link = services._invoice_groups, services._link_entries

    def select_then_wait(*args):
        groups = select(*args)
        selected.wait(timeout=20)
        return groups

    def link_slowly(*args):
        result = link(*args)
        threading.Event().wait(0.15)
        return result

    monkeypatch.setattr(services, "_invoice_groups", select_then_wait)
    monkeypatch.setattr(services, "_link_entries", link_slowly)
    caplog.set_level(logging.INFO, logger="invoicing.services")

    results = in_threads(*(lambda run=run: services.invoice_run_execute(run) for run in runs))

    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == GROUPS
    assert Invoice.objects.count() == GROUPS
    assert InvoiceLineEntry.objects.filter(active=True).count() == TimeEntry.objects.count() == 2 * GROUPS
    assert_nothing_half_made()
    assert sorted(InvoiceRun.objects.values_list("status", "invoices_created")) == sorted(
        ("done", n) for n in results
    )
    # The race really happened: a run found its links taken by the other.
    assert "invoiced by another run" in caplog.text
    # And a third run afterwards finds nothing left.
    assert run_invoice_month(OCTOBER) == []


@pytest.fixture
def second_hr_a(org_a):
    user = UserFactory(email="hr2.a@example.nl")
    membership_grant(actor=None, user=user, organisation=org_a, role=Membership.Role.HR)
    return user


def test_two_hr_users_approving_at_once_get_consecutive_numbers(
    hours_for_six_recipients, hr_a, second_hr_a, no_documents
):
    drafts = run_invoice_month(OCTOBER)
    start = threading.Barrier(2)

    def approve_all(actor, mine):
        start.wait(timeout=20)
        return [services.invoice_approve(actor=actor, invoice=d).number for d in mine]

    results = in_threads(
        lambda: approve_all(hr_a, drafts[0::2]),
        lambda: approve_all(second_hr_a, drafts[1::2]),
    )
    assert all(isinstance(r, list) for r in results), results
    numbers = sorted(results[0] + results[1])
    assert numbers == [f"2026-{n:05d}" for n in range(1, GROUPS + 1)]  # consecutive, no gap, no double
    assert sorted(Invoice.objects.values_list("number", flat=True)) == numbers


def test_the_same_invoice_approved_twice_at_once_gets_one_number(
    hours_for_six_recipients, hr_a, second_hr_a, no_documents
):
    draft = run_invoice_month(OCTOBER)[0]
    start = threading.Barrier(2)

    def approve(actor):
        start.wait(timeout=20)
        return services.invoice_approve(actor=actor, invoice=draft).number

    results = in_threads(lambda: approve(hr_a), lambda: approve(second_hr_a))
    assert sorted(type(r).__name__ for r in results) == ["DomainError", "str"], results
    assert [r for r in results if isinstance(r, str)] == ["2026-00001"]
    assert list(Invoice.objects.exclude(number="").values_list("number", flat=True)) == ["2026-00001"]


def test_a_run_killed_halfway_leaves_nothing_half_made(hours_for_six_recipients, monkeypatch):
    calls = []
    link = services._link_entries

    def dies_on_the_second_invoice(invoice, *args):
        calls.append(invoice.pk)
        linked = link(invoice, *args)  # the links are in, uncommitted ...
        if len(calls) == 2:
            raise RuntimeError("worker killed")  # ... and die before the invoice is complete
        return linked

    monkeypatch.setattr(services, "_link_entries", dies_on_the_second_invoice)
    run = InvoiceRun.objects.create(period_start=OCTOBER)
    with pytest.raises(RuntimeError):
        services.invoice_run_execute(run)

    run.refresh_from_db()
    assert (run.status, run.invoices_created, run.error) == ("failed", 1, "RuntimeError: worker killed")
    # The first invoice is complete and committed; of the second nothing remains.
    [first] = Invoice.objects.all()
    assert first.pk == calls[0]
    assert not Invoice.objects.filter(pk=calls[1]).exists()
    assert first.lines.count() == 1 and InvoiceLineEntry.objects.filter(line__invoice=first).count() == 2
    assert InvoiceLineEntry.objects.count() == 2
    assert_nothing_half_made()

    monkeypatch.undo()
    rest = run_invoice_month(OCTOBER)
    assert len(rest) == GROUPS - 1
    assert Invoice.objects.count() == GROUPS
    assert InvoiceLineEntry.objects.filter(active=True).count() == TimeEntry.objects.count()
    assert_nothing_half_made()
    assert InvoiceRun.objects.order_by("-pk").values_list("status", flat=True)[0] == "done"

