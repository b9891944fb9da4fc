"""Redis stopped (issue 8): pages answer without a 500, people can log in,
login rate limits still count, and work handed to Celery is stored and sent
on when Redis is back — never lost silently. Redis is "stopped" by pointing
the cache and the broker at a port where nothing listens."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import caches
from django.urls import reverse

from members.models import PendingTask, Release
from members.services import release_request
from tests.factories import DEFAULT_PASSWORD
from tests.test_permission_matrix import world  # noqa: F401 (the fixture: one object of every kind)
from zppbrabant import cache as failover
from zppbrabant.celery import app
from zppbrabant.queue import enqueue, flush_pending

pytestmark = pytest.mark.django_db(transaction=True)

DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings, monkeypatch):
    settings.CACHES = {
        "default": {
            "BACKEND": "zppbrabant.cache.FailoverRedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        },
        "db": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "django_cache"},
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    monkeypatch.setattr(failover, "_down_until", 0.0)
    caches["db"].clear()
    yield
    failover._down_until = 0.0


@pytest.fixture
def broker_down(settings):
    """Celery as in production (not eager), with its broker unreachable."""
    old = app.conf.task_always_eager, app.conf.broker_url, app._pool, app.amqp._producer_pool
    app.conf.task_always_eager = False
    app.conf.broker_url = DEAD_REDIS
    # Fresh connection pools, built from the dead URL.
    app._pool = app.amqp._producer_pool = None
    yield
    app.conf.task_always_eager, app.conf.broker_url, app._pool, app.amqp._producer_pool = old


def test_the_failover_cache_falls_back_to_the_database(redis_down):
    cache = caches["default"]
    cache.set("sleutel", "waarde", 60)
    assert cache.get("sleutel") == "waarde"
    assert caches["db"].get("sleutel") == "waarde"
    assert failover.redis_is_marked_down()


@pytest.mark.parametrize("url_name", ["home", "marketplace:assignment_list", "members:organisation_list",
                                      "marketplace:engagement_list", "members:notification_list"])
def test_pages_answer_for_a_logged_in_member(redis_down, client, member_a, url_name):
    client.force_login(member_a)
    assert client.get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize("persona", ["member_a", "coordinator_a", "hr_a", "programme_manager"])
def test_every_page_of_the_permission_matrix_answers_as_usual(redis_down, world, client_for, persona):
    """Every GET URL of the site, for four roles, gives the status the
    permission matrix expects with Redis up: never a 500."""
    from tests.test_permission_matrix import MATRIX

    client = client_for(world[persona])
    wrong = []
    for name, r in sorted(MATRIX.items()):
        if r.method != "get":
            continue
        url = reverse(name, kwargs=r.kwargs(world))
        status = client.get(url).status_code
        if status != r.status_for(persona):
            wrong.append(f"GET {url}: {status}, expected {r.status_for(persona)}")
    assert not wrong, "\n".join(wrong)


def test_logging_in_works_and_the_sixth_bad_password_is_refused(redis_down, client, member_a):
    url = reverse("account_login")
    for _ in range(5):
        client.post(url, {"login": member_a.email, "password": "verkeerd-wachtwoord"})
    response = client.post(url, {"login": member_a.email, "password": DEFAULT_PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)


def test_a_fresh_login_works_while_redis_is_down(redis_down, client, member_b):
    response = client.post(reverse("account_login"), {"login": member_b.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("marketplace:assignment_list")).status_code == 200


def test_work_is_stored_while_the_broker_is_down_and_sent_when_it_returns(broker_down, member_a, hr_a, monkeypatch):
    today = datetime.date.today()
    release = release_request(
        actor=member_a, member=member_a.profile, days_per_week=Decimal("1"), variant="zpp",
        start_date=today + datetime.timedelta(days=7), end_date=today + datetime.timedelta(days=90),
        motivation="Graag",
    )
    assert Release.objects.filter(pk=release.pk).exists()  # the change itself is saved
    # Stored: HR's e-mail (and the matching job for the member's new release).
    pending = PendingTask.objects.get(task_name="members.tasks.notify_hr_of_release_request")
    assert pending.args == [release.pk]
    stored = PendingTask.objects.count()
    assert len(mail.outbox) == 0

    # Still down: the flush keeps them and counts the attempt.
    assert flush_pending() == 0
    assert PendingTask.objects.count() == stored
    assert PendingTask.objects.order_by("created_at", "id").first().attempts == 1

    # Back: the flush publishes them, each once, oldest first.
    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, args, kwargs: sent.append((name, args)))
    assert flush_pending() == stored
    assert ("members.tasks.notify_hr_of_release_request", [release.pk]) in sent
    assert len(sent) == stored
    assert not PendingTask.objects.exists()


def test_enqueue_in_process_mode_runs_the_task(member_a):
    from members.tasks import flush_pending_tasks

    assert enqueue(flush_pending_tasks) is True
    assert not PendingTask.objects.exists()


def test_invoicing_work_is_stored_while_the_broker_is_down(broker_down, member_a, org_b, hr_a):
    """Starting the invoice run and approving an invoice each hand work to
    Celery after commit (invoicing/services.py): with the broker down both
    are stored, the run and the approval themselves are saved."""
    from invoicing import services as invoicing
    from invoicing.models import Invoice, InvoiceRun
    from tests.factories import EngagementFactory, approved_hours

    month = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    work = EngagementFactory(member=member_a.profile, hiring_organisation=org_b, start_date=month,
                             end_date=month + datetime.timedelta(days=90))
    approved_hours(work, month + datetime.timedelta(days=7), ["8"])

    run = invoicing.invoice_run_start(actor=hr_a, period_start=month, organisation=member_a.profile.home_organisation)
    assert InvoiceRun.objects.get(pk=run.pk).status == "running"
    assert PendingTask.objects.get(task_name="invoicing.tasks.run_invoices").args == [run.pk]

    invoicing.invoice_run_execute(run)  # what the worker does once Redis is back
    invoice = invoicing.invoice_approve(actor=hr_a, invoice=Invoice.objects.get(run=run))
    assert Invoice.objects.get(pk=invoice.pk).number  # approved and numbered
    assert PendingTask.objects.get(task_name="invoicing.tasks.render_and_send").args == [invoice.pk]
