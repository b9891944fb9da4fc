"""Enrolment, cancellation and promotion under concurrency, on the real
PostgreSQL: every service that changes a session's enrolments locks the
session row first, so parallel requests are served one at a time, in the
order they reach the lock.

Each worker is a thread with its own database connection (closed when it
ends); the tests commit for real (``transaction=True``).

Two ways of starting the workers:
- ``at_once``: all wait at a barrier and go together (whatever order the
  database picks);
- ``in_order``: the test holds the session's lock itself, starts the workers
  one by one and waits until each is queued on the lock (PostgreSQL shows
  it in ``pg_stat_activity``), then lets go. The arrival order is then
  known, and the outcome must follow it exactly.
"""

import itertools
import threading
import time

import pytest
from django.core import mail
from django.db import connection, connections, transaction

from members.models import User
from tests.factories import MemberProfileFactory, ModuleFactory, OrganisationFactory, SessionFactory
from training import services
from training.models import Enrolment, Session

pytestmark = pytest.mark.django_db(transaction=True)

S = Enrolment.Status
N, K = 8, 3
WAIT_SECONDS = 30


def members(n):
    organisation = OrganisationFactory()
    return [
        MemberProfileFactory(home_organisation=organisation, user__email=f"lid{i}.{organisation.slug}@example.nl").user
        for i in range(n)
    ]


def _worker(call, results, index, barrier=None):
    try:
        if barrier is not None:
            barrier.wait(timeout=WAIT_SECONDS)
        results[index] = call()
    except Exception as error:  # noqa: BLE001 - reported by the test
        results[index] = error
    finally:
        connections.close_all()


def at_once(calls) -> list:
    results = [None] * len(calls)
    barrier = threading.Barrier(len(calls))
    threads = [threading.Thread(target=_worker, args=(c, results, i, barrier)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_SECONDS)
    assert not any(t.is_alive() for t in threads), "a worker hangs"
    return results


def _queued_on_sessions() -> int:
    """Backends of this test database waiting for a lock while reading a
    session row (for update). (Inside a transaction PostgreSQL keeps showing
    the first snapshot of ``pg_stat_activity`` unless told to drop it.)"""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' "
            # (the text is cut off after 1 kB, before the FOR UPDATE)
            "AND query LIKE 'SELECT \"training_session\".\"id\"%'"
        )
        return cursor.fetchone()[0]


def in_order(session, calls) -> list:
    """Run ``calls`` so that they reach the session's lock in list order."""
    results = [None] * len(calls)
    threads = []
    with transaction.atomic():
        Session.objects.select_for_update().get(pk=session.pk)
        for index, call in enumerate(calls):
            thread = threading.Thread(target=_worker, args=(call, results, index))
            thread.start()
            threads.append(thread)
            deadline = time.monotonic() + WAIT_SECONDS
            while _queued_on_sessions() < index + 1 and thread.is_alive():
                assert time.monotonic() < deadline, f"worker {index} never queued on the lock"
                time.sleep(0.01)
            assert thread.is_alive(), f"worker {index} ended before reaching the lock: {results[index]!r}"
    for thread in threads:
        thread.join(WAIT_SECONDS)
    assert not any(t.is_alive() for t in threads), "a worker hangs"
    return results


def enrol(user, session):
    # A fresh user object per call: the roles cached on a user object are
    # not shared between threads.
    return lambda: services.enrolment_create(actor=User.objects.get(pk=user.pk), session=session)


def cancel(enrolment):
    def _cancel():
        fresh = Enrolment.objects.select_related("member__user", "member__home_organisation").get(pk=enrolment.pk)
        return services.enrolment_cancel(actor=fresh.member.user, enrolment=fresh)
    return _cancel


def assert_no_errors(results):
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors


def queue_of(session) -> list[int]:
    """Member ids of the waiting list, first in line first."""
    return list(
        Enrolment.objects.filter(session=session, status=S.WAITING)
        .order_by("waitlist_position").values_list("member__user_id", flat=True)
    )


def seated(session) -> set[int]:
    return set(
        Enrolment.objects.filter(session=session, status__in=Enrolment.SEATED_STATUSES)
        .values_list("member__user_id", flat=True)
    )


# --- N parallel enrolments into K seats ------------------------------------------------------


def test_parallel_enrolments_fill_exactly_the_seats_and_queue_the_rest():
    session = SessionFactory(module=ModuleFactory(), capacity=K)
    users = members(N)

    results = at_once([enrol(user, session) for user in users])

    assert_no_errors(results)
    rows = list(Enrolment.objects.filter(session=session).order_by("created_at", "pk"))
    assert len(rows) == N
    assert [r.status for r in rows] == [S.ENROLLED] * K + [S.WAITING] * (N - K), (
        "the first K to arrive get the seats, the others queue"
    )
    assert [r.waitlist_position for r in rows[K:]] == list(range(1, N - K + 1)), (
        "queue numbers follow the arrival order without gaps"
    )
    # What each request was told matches what was stored.
    told = {r.member_id: (r.status, r.waitlist_position) for r in results}
    assert told == {r.member_id: (r.status, r.waitlist_position) for r in rows}


def test_parallel_enrolments_are_served_in_arrival_order():
    session = SessionFactory(module=ModuleFactory(), capacity=K)
    users = members(N)

    results = in_order(session, [enrol(user, session) for user in users])

    assert_no_errors(results)
    assert seated(session) == {u.pk for u in users[:K]}
    assert queue_of(session) == [u.pk for u in users[K:]]
    assert [services.waiting_rank(r) for r in results[K:]] == list(range(1, N - K + 1))


# --- Two cancellations and one enrolment at the same moment -----------------------------------------


def _full_session_with_queue():
    """3 seats taken by A, B, C; W1 and W2 waiting; N about to enrol."""
    session = SessionFactory(module=ModuleFactory(), capacity=3)
    a, b, c, w1, w2, newcomer = members(6)
    enrolments = {
        name: services.enrolment_create(actor=user, session=session)
        for name, user in zip(("a", "b", "c", "w1", "w2"), (a, b, c, w1, w2))
    }
    return session, enrolments, {"c": c, "w1": w1, "w2": w2, "newcomer": newcomer}


def assert_promoted_in_order(session, people):
    """Whatever the order: the session is never overfilled, the two waiting
    move up (nobody is skipped), and the newcomer waits first in line."""
    assert seated(session) == {people["c"].pk, people["w1"].pk, people["w2"].pk}
    assert queue_of(session) == [people["newcomer"].pk]


def test_two_cancellations_and_an_enrolment_at_once_never_overfill_nor_skip():
    for _round in range(4):
        session, enrolments, people = _full_session_with_queue()
        mail.outbox.clear()
        results = at_once([
            cancel(enrolments["a"]), cancel(enrolments["b"]), enrol(people["newcomer"], session),
        ])
        assert_no_errors(results)
        assert_promoted_in_order(session, people)
        assert sorted(m.to[0] for m in mail.outbox) == sorted([people["w1"].email, people["w2"].email])


@pytest.mark.parametrize("order", list(itertools.permutations(("cancel_a", "cancel_b", "enrol"))), ids="-".join)
def test_two_cancellations_and_an_enrolment_in_every_order(order):
    session, enrolments, people = _full_session_with_queue()
    calls = {
        "cancel_a": cancel(enrolments["a"]),
        "cancel_b": cancel(enrolments["b"]),
        "enrol": enrol(people["newcomer"], session),
    }
    results = in_order(session, [calls[name] for name in order])
    assert_no_errors(results)
    assert_promoted_in_order(session, people)
