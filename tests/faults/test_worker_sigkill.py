"""A Celery worker killed with SIGKILL in the middle of the invoice run and
in the middle of the match job (issue 8): after a restart the result is
exactly what one clean run gives.

How it works, for each job:

1. A real worker (``tests/faults/worker.py``: docker-compose's command, one
   pool process, its own Redis database and queue) with a visibility
   timeout of a few seconds (``CELERY_VISIBILITY_TIMEOUT``).
2. The job is sent and stopped at a known point in the middle: the test
   holds a database lock that the job's next statement needs (invoice run:
   after some invoices were committed, inside the transaction of the next
   one, whose invoice and lines are written but not yet its time-entry
   links; match job: inside its single transaction, with the feature tables
   rebuilt, pairs scored and new suggestions inserted, waiting to delete the
   stale ones). A lock, not a timer, so the kill lands in the middle every
   time. Then the worker's process group (main process and pool child) gets
   SIGKILL.
3. What is left right after the kill is checked: every committed invoice is
   whole and the half-made one is gone; the suggestions are exactly as before
   the job (its transaction rolled back); the message is still unacknowledged
   in Redis (``acks_late``).
4. A fresh worker starts once the visibility timeout has passed: Redis hands
   the message out again (the tasks are ``acks_late`` with
   ``reject_on_worker_lost``), and the job runs to the end. (kombu's Redis
   transport puts overdue unacknowledged messages back when a worker starts,
   and after that scans only every ~100 s — ``unacked_restore_interval`` ×
   ``unacked_restore_throttle`` — so a worker that is back sooner picks the
   job up within visibility timeout + 100 s; in production the visibility
   timeout is 2 hours, longer than any task.)
5. The result is compared with one clean run of the same job, in-process,
   from the same starting state.

Skipped with the reason when Redis does not answer; under CI=true that is a
failure instead.
"""

import json
import random
import time
import uuid
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import psycopg
import pytest
from celery import Celery
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from invoicing import services as invoicing
from invoicing.models import Invoice, InvoiceLineEntry, InvoiceRun, TimeEntry, Timesheet
from marketplace.models import Engagement
from matching import services as matching
from matching import signals as matching_signals
from matching.models import Suggestion
from members.models import Membership, Notification, Release
from tests.factories import MemberProfileFactory, OrganisationFactory, SkillFactory, UserFactory, monday_of
from tests.faults.worker import (
    Worker,
    claim_redis_db,
    database_url,
    release_redis_db,
    unacked_since,
    wait_for,
)
from tests.matching.conftest import make_assignment, make_member

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

VISIBILITY_TIMEOUT = 5


@pytest.fixture
def celery(tmp_path):
    """Start workers with ``celery.start(name)``; every one is stopped (its
    whole process group) and the Redis database emptied afterwards."""
    broker = claim_redis_db()
    queue = f"faults-sigkill-{uuid.uuid4().hex[:8]}"
    # Not the current app: tasks elsewhere in the run must keep resolving to
    # the project app (eager in tests).
    producer = Celery("faults-sigkill-producer", broker=broker, backend=broker, set_as_current=False)
    workers: list[Worker] = []

    def start(name: str) -> Worker:
        worker = Worker(broker=broker, queue=queue, name=f"{queue}-{name}", log=tmp_path / f"worker-{name}.log",
                        visibility_timeout=VISIBILITY_TIMEOUT)
        workers.append(worker)
        return worker

    try:
        yield SimpleNamespace(broker=broker, queue=queue, producer=producer, start=start)
    finally:
        for worker in workers:
            worker.stop()
        producer.close()
        release_redis_db(broker)


@pytest.fixture
def blocker():
    """A second database connection of the test, to hold a lock the job
    needs; rolled back and closed at the end whatever happened."""
    conn = psycopg.connect(database_url(), autocommit=False)
    conn.execute("SET lock_timeout = '60s'")
    conn.commit()
    try:
        yield conn
    finally:
        conn.rollback()
        conn.close()


@pytest.fixture
def quiet_matching(monkeypatch):
    """Building the data set would start a matching job per member and
    assignment (eagerly, in this process); the jobs under test start them
    explicitly."""
    monkeypatch.setattr(matching_signals, "queue_match", lambda kind, pk: None)


def _waiting_backend(statement: str) -> int | None:
    """The database backend (pid) that waits for a lock while running a
    statement containing ``statement``: the worker, stopped in its job."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT pid FROM pg_stat_activity
               WHERE datname = current_database() AND pid <> pg_backend_pid()
                 AND wait_event_type = 'Lock' AND query ILIKE %s""",
            [f"%{statement}%"],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _written_in_open_transaction(pid: int) -> set[str]:
    """The tables a backend has written in its open transaction (the locks
    an INSERT, UPDATE, DELETE or TRUNCATE keeps until commit or rollback)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT relation::regclass::text FROM pg_locks
               WHERE pid = %s AND locktype = 'relation' AND granted
                 AND mode IN ('RowExclusiveLock', 'AccessExclusiveLock')""",
            [pid],
        )
        return {row[0] for row in cursor.fetchall()}


def _backend_gone(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is None


def _kill_and_wait_for_redelivery(celery, worker: Worker, backend: int, blocker) -> list[int]:
    """SIGKILL the worker's process group, let go of the lock, and wait until
    its database session is gone (PostgreSQL rolls back its transaction) and
    the visibility timeout of the unacknowledged message has passed."""
    delivered = unacked_since(celery.broker)
    assert len(delivered) == 1, f"the job's message should be taken and not acknowledged: {delivered}"
    killed = worker.sigkill()
    blocker.rollback()
    wait_for(lambda: _backend_gone(backend), timeout=30, what="the killed worker's database session to end")
    # Still in Redis, unacknowledged: nothing acknowledged it when the worker died.
    assert unacked_since(celery.broker) == delivered
    remaining = delivered[0] + VISIBILITY_TIMEOUT + 0.5 - time.time()
    if remaining > 0:
        time.sleep(remaining)
    return killed


# --- The invoice run -----------------------------------------------------------------

ORGANISATIONS = 14
HIRED_BY = 9  # each ZPP member works for this many other organisations
ZZP_MEMBERS = 4


def _invoice_data(month):
    """ZPP members of 14 organisations, each working for 9 others (252
    engagements, some VAT exempt, some outside the scope of VAT), and 4 ZZP
    members working for 3 organisations each; HR in every organisation.
    Every engagement has timesheets for every week that touches the month:
    approved ones (entries also on days just outside the month) and a few
    submitted, not approved ones."""
    organisations = [OrganisationFactory() for _ in range(ORGANISATIONS)]
    for organisation in organisations:
        hr = UserFactory()
        Membership.objects.create(user=hr, organisation=organisation, role=Membership.Role.HR)
    engagements = []
    start, end = month - timedelta(days=40), month + timedelta(days=120)
    for o, home in enumerate(organisations):
        for k in range(2):
            member = MemberProfileFactory(home_organisation=home)
            for step in range(1, HIRED_BY + 1):
                h = (o + step) % ORGANISATIONS
                treatment, reason = Engagement.VatTreatment.STANDARD, ""
                if k == 1 and (o + h) % 4 == 0:
                    treatment, reason = Engagement.VatTreatment.OUT_OF_SCOPE, "Samenwerking tussen overheden"
                elif k == 0 and (o + h) % 5 == 0:
                    treatment, reason = Engagement.VatTreatment.EXEMPT, "Art. 11 lid 1 sub o Wet OB"
                engagements.append(Engagement(
                    member=member, hiring_organisation=organisations[h], home_organisation=home,
                    variant=Release.Variant.ZPP, agreed_rate=Decimal("80.00") + o + k, hours_per_week=16,
                    start_date=start, end_date=end, vat_treatment=treatment, vat_exemption_reason=reason,
                ))
    for z in range(ZZP_MEMBERS):
        member = MemberProfileFactory(home_organisation=organisations[z], zzp=True)
        for step in (2, 5, 7):
            engagements.append(Engagement(
                member=member, hiring_organisation=organisations[(z + step) % ORGANISATIONS],
                home_organisation=organisations[z], variant=Release.Variant.ZZP,
                agreed_rate=Decimal("97.50"), hours_per_week=24, start_date=start, end_date=end,
            ))
    engagements = Engagement.objects.bulk_create(engagements)

    _first, last = invoicing.month_bounds(month)
    weeks = []
    week = monday_of(month)
    while week <= last:
        weeks.append(week)
        week += timedelta(days=7)
    now = timezone.now()
    sheets = Timesheet.objects.bulk_create(
        Timesheet(
            engagement=engagement, week_start=week,
            status=Timesheet.Status.SUBMITTED if (i % 9 == 0 and w == 1) else Timesheet.Status.APPROVED,
            submitted_at=now, decided_at=None if (i % 9 == 0 and w == 1) else now,
        )
        for i, engagement in enumerate(engagements) for w, week in enumerate(weeks)
    )
    hours = [Decimal("8"), Decimal("7.5"), Decimal("6.25"), Decimal("4")]
    TimeEntry.objects.bulk_create(
        TimeEntry(timesheet=sheet, engagement=sheet.engagement, member=sheet.engagement.member,
                  date=sheet.week_start + timedelta(days=d), hours=hours[(n + d) % 4], description="Werkzaamheden")
        for n, sheet in enumerate(sheets) for d in range(5)
    )
    return engagements


def _approved_in_month(month):
    first, last = invoicing.month_bounds(month)
    return TimeEntry.objects.filter(timesheet__status=Timesheet.Status.APPROVED, date__gte=first, date__lte=last)


def _expected_invoices(month) -> dict[tuple, dict[int, Decimal]]:
    """Worked out from the data, not by the service: per (issuer, recipient,
    VAT regime) the approved hours of the month per engagement."""
    hours = dict(_approved_in_month(month).values("engagement_id").annotate(total=Sum("hours"))
                 .values_list("engagement_id", "total"))
    expected: dict[tuple, dict[int, Decimal]] = {}
    for engagement in Engagement.objects.filter(pk__in=list(hours)):
        issuer = (f"member:{engagement.member_id}" if engagement.variant == Release.Variant.ZZP
                  else f"org:{engagement.home_organisation_id}")
        regime = "O" if engagement.vat_treatment == Engagement.VatTreatment.OUT_OF_SCOPE else "SE"
        group = expected.setdefault((issuer, engagement.hiring_organisation_id, regime), {})
        group[engagement.pk] = hours[engagement.pk]
    return expected


def _invoices(run) -> Counter:
    """The run's invoices as a user and the books see them, without ids of
    their own: a multiset, so a duplicate invoice would show."""
    rows = Counter()
    for invoice in Invoice.objects.filter(run=run).prefetch_related("lines__entry_links"):
        lines = frozenset(
            (line.engagement_id, line.description, line.quantity, line.unit_price, line.vat_category,
             line.vat_rate, line.vat_exemption_reason, line.line_total,
             frozenset(link.time_entry_id for link in line.entry_links.all() if link.active))
            for line in invoice.lines.all()
        )
        rows[(invoice.kind, invoice.status, invoice.issuer_key, invoice.issuer_organisation_id,
              invoice.issuer_member_id, invoice.recipient_id, invoice.period_start, invoice.period_end,
              invoice.buyer_reference, invoice.total_excl_vat, invoice.total_vat, invoice.total_incl_vat,
              lines)] += 1
    return rows


def _assert_whole(rows: Counter, expected: dict) -> None:
    """Every invoice is one of the expected ones, with all its lines, every
    line with the hours of all its time entries."""
    for row, count in rows.items():
        assert count == 1, f"duplicate invoice: {row[2]} → {row[5]}"
        _kind, _status, issuer, *_rest, excl, _vat, _incl, lines = row
        regime = "O" if any(line[4] == "O" for line in lines) else "SE"
        want = expected[(issuer, row[5], regime)]
        assert {line[0]: line[2] for line in lines} == want
        assert excl == sum(line[7] for line in lines)
        for line in lines:
            linked = TimeEntry.objects.filter(pk__in=line[8]).aggregate(total=Sum("hours"))["total"]
            assert linked == line[2], f"line of engagement {line[0]}: {line[2]} hours, {linked} linked"


def _draft_notifications() -> Counter:
    return Counter(Notification.objects.filter(kind="invoice_drafts").values_list("user_id", "message"))


def test_invoice_run_killed_mid_run_ends_as_one_clean_run(celery, blocker, quiet_matching):
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    _invoice_data(month)
    expected = _expected_invoices(month)
    approved = set(_approved_in_month(month).values_list("pk", flat=True))
    assert len(expected) > 100 and len(approved) > 4000

    run = InvoiceRun.objects.create(period_start=month)  # as the scheduler starts it (no one)
    first = celery.start("first")
    celery.producer.send_task("invoicing.tasks.run_invoices", args=[run.pk], queue=celery.queue)

    def some_committed():
        run.refresh_from_db(fields=["status"])
        if run.status != InvoiceRun.Status.RUNNING:
            pytest.fail(f"the run ended ({run.status}) before the test could stop it in the middle")
        return Invoice.objects.filter(run=run).count() >= 50

    wait_for(some_committed, timeout=90, interval=0.01, what="the first invoices of the run", worker=first)
    # From here no invoice can link its time entries: the worker stops inside
    # the transaction of the next invoice (invoice and lines written).
    blocker.execute("LOCK TABLE invoicing_invoicelineentry IN SHARE MODE")
    backend = wait_for(lambda: _waiting_backend("INSERT INTO invoicing_invoicelineentry"), timeout=30,
                       what="the worker to wait inside an invoice's transaction", worker=first)
    before_kill = _invoices(run)
    assert 50 <= sum(before_kill.values()) < len(expected)
    # The next invoice is half made: its invoice and lines written, not committed.
    assert {"invoicing_invoice", "invoicing_invoiceline"} <= _written_in_open_transaction(backend)

    killed = _kill_and_wait_for_redelivery(celery, first, backend, blocker)
    assert len(killed) >= 2, f"main process and pool child: {killed}"

    after_kill = _invoices(run)
    run.refresh_from_db()
    assert run.status == InvoiceRun.Status.RUNNING  # nobody finished it
    assert after_kill == before_kill  # the half-made invoice left nothing
    _assert_whole(after_kill, expected)

    second = celery.start("second")
    wait_for(lambda: InvoiceRun.objects.get(pk=run.pk).status != InvoiceRun.Status.RUNNING, timeout=90,
             what="the redelivered run to finish", worker=second)
    run.refresh_from_db()
    assert run.status == InvoiceRun.Status.DONE, run.error
    wait_for(lambda: not unacked_since(celery.broker), timeout=10, what="the message to be acknowledged")
    result = _invoices(run)
    linked = list(InvoiceLineEntry.objects.filter(active=True).values_list("time_entry_id", flat=True))
    notified = _draft_notifications()

    # One clean run of the same month from the same starting state: no
    # invoices (the notifications of the killed run go too).
    Invoice.objects.all().delete()
    Notification.objects.filter(kind="invoice_drafts").delete()
    clean_run = InvoiceRun.objects.create(period_start=month)
    invoicing.invoice_run_execute(clean_run)
    clean_run.refresh_from_db()
    clean = _invoices(clean_run)

    print(f"\ninvoice run: {sum(before_kill.values())} invoices committed when killed, "
          f"{sum(result.values())} after the restart, {sum(clean.values())} in a clean run; "
          f"{len(approved)} approved entries of the month")
    assert result == clean
    assert sum(result.values()) == len(expected)
    _assert_whole(result, expected)
    assert sorted(linked) == sorted(approved)  # each approved entry of the month linked exactly once

    # What the run reports (the run page's "invoices created") and whom it told.
    # Every invoice of the run counted and announced once, as in a clean run
    # (before the fix only the last execution's invoices were).
    assert run.invoices_created == clean_run.invoices_created
    assert notified == _draft_notifications()


# --- The match job -------------------------------------------------------------------


def _matching_data():
    """Members and published assignments of four organisations with random
    skills (seeded), and one member without skills."""
    rng = random.Random(8)
    skills = [SkillFactory(name=f"Vaardigheid SIGKILL {n}") for n in range(10)]
    organisations = [OrganisationFactory() for _ in range(4)]
    for n in range(90):
        make_member(organisations[n % 4], rng.sample(skills, rng.randint(2, 5)),
                    days=rng.choice(["1.0", "2.0", "3.0"]))
    assignments = [
        make_assignment(organisations[n % 4], rng.sample(skills, rng.randint(1, 3)),
                        rng.sample(skills, rng.randint(0, 2)), hours=rng.choice(["4.0", "8.0", "16.0"]))
        for n in range(45)
    ]
    loner = make_member(organisations[0], [])
    return assignments, loner


SUGGESTION_FIELDS = ("member_id", "assignment_id", "score", "reasons", "dismissed_at", "created_at", "updated_at")


def _suggestions() -> Counter:
    """(member, assignment, score, reasons, dismissed) of every row."""
    return Counter(
        (row["member_id"], row["assignment_id"], row["score"], json.dumps(row["reasons"], sort_keys=True),
         row["dismissed_at"])
        for row in Suggestion.objects.values(*SUGGESTION_FIELDS)
    )


def test_match_job_killed_mid_job_ends_as_one_clean_run(celery, blocker, quiet_matching):
    assignments, loner = _matching_data()
    # A starting state with work in it for the nightly job: a realistic table
    # with a third of the rows missing, a third with an outdated score, one
    # dismissed row, and one that no longer holds (a member without skills).
    matching.match_all()
    rows = list(Suggestion.objects.order_by("pk"))
    assert len(rows) > 150
    Suggestion.objects.filter(pk__in=[s.pk for s in rows[0::3]]).delete()
    for s in rows[1::3]:
        Suggestion.objects.filter(pk=s.pk).update(score=s.score - 3)
    dismissed = rows[2]
    Suggestion.objects.filter(pk=dismissed.pk).update(dismissed_at=timezone.now())
    stale = Suggestion.objects.create(member=loner, assignment=assignments[0], score=99, reasons=[])
    start = list(Suggestion.objects.values(*SUGGESTION_FIELDS))
    before = _suggestions()

    # The job's last statement deletes the stale row: hold it.
    blocker.execute("SELECT 1 FROM matching_suggestion WHERE id = %s FOR UPDATE", [stale.pk])
    first = celery.start("first")
    result = celery.producer.send_task("matching.tasks.recompute_all", queue=celery.queue, ignore_result=False)
    backend = wait_for(lambda: _waiting_backend("DELETE FROM matching_suggestion"), timeout=90,
                       what="the job to wait at its last statement", worker=first)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND locktype = 'advisory' AND granted",
                       [backend])
        assert cursor.fetchone()[0] == 1, "the worker should be inside the job (holding its advisory lock)"
    # Feature tables rebuilt, new suggestions inserted, nothing committed.
    assert {"matching_memberkey", "matching_assignmentkey", "matching_suggestion"} <= (
        _written_in_open_transaction(backend)
    )

    killed = _kill_and_wait_for_redelivery(celery, first, backend, blocker)
    assert len(killed) >= 2, f"main process and pool child: {killed}"
    assert _suggestions() == before  # the job's transaction left nothing behind: not half a table

    second = celery.start("second")
    try:
        outcome = result.get(timeout=90)
    except Exception as error:
        pytest.fail(f"the redelivered job did not finish ({error!r}):\n{second.log()}")
    wait_for(lambda: not unacked_since(celery.broker), timeout=10, what="the message to be acknowledged")
    after = _suggestions()

    # One clean run from the same starting state, in this process.
    Suggestion.objects.all().delete()
    Suggestion.objects.bulk_create(Suggestion(**row) for row in start)
    assert _suggestions() == before
    clean_outcome = matching.match_all()
    clean = _suggestions()

    print(f"\nmatch job: {sum(before.values())} suggestions before, {sum(after.values())} after the "
          f"restart ({outcome['written']} written, {outcome['deleted']} deleted), {sum(clean.values())} in a "
          f"clean run ({clean_outcome.written} written, {clean_outcome.deleted} deleted)")
    assert after == clean
    assert after != before
    assert (outcome["written"], outcome["deleted"]) == (clean_outcome.written, clean_outcome.deleted)
    assert not Suggestion.objects.filter(pk=stale.pk).exists()
    assert Suggestion.objects.get(member=dismissed.member, assignment=dismissed.assignment).dismissed_at
