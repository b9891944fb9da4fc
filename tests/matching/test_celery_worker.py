"""The matching job in a real Celery worker: ``celery -A zppbrabant worker``
as a subprocess, tasks not eager, the broker and result backend on a free
database of the real Redis (127.0.0.1:6379), against this test run's
database with committed rows (``transaction=True``).

Skipped with the reason when Redis does not answer; under CI=true that is a
failure instead.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings

from matching.models import Suggestion
from tests.faults.worker import claim_redis_db, database_url, release_redis_db
from tests.matching.conftest import make_assignment, make_member

PROJECT_DIR = Path(settings.BASE_DIR)


@pytest.fixture
def worker():
    """A worker on its own queue; yields (producer app, queue name)."""
    broker = claim_redis_db()
    queue = f"matching-test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": broker,
        "CACHE_REDIS_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "LOG_LEVEL": "WARNING",
    }
    log = PROJECT_DIR / "var" / f"{queue}.log"
    log.parent.mkdir(exist_ok=True)
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "zppbrabant", "--result-backend", broker, "worker",
             "--pool=solo", "-Q", queue, "-n", f"{queue}@%h", "--without-heartbeat", "--without-gossip",
             "--without-mingle", "-l", "WARNING"],
            cwd=PROJECT_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    # Not the current app: shared tasks elsewhere in the run must keep resolving
    # to the project app (eager in tests), not to this producer.
    producer = Celery("matching-test-producer", broker=broker, backend=broker, set_as_current=False)
    try:
        yield producer, queue, process, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        release_redis_db(broker)
        producer.close()
        log.unlink(missing_ok=True)


@pytest.mark.django_db(transaction=True)
def test_match_assignment_runs_in_a_real_worker(org_a, org_b, skills, worker):
    producer, queue, process, log = worker
    a, b, c, *_ = skills
    assignment = make_assignment(org_a, [a, b, c])
    everything = make_member(org_b, [a, b, c])
    half = make_member(org_b, [a, b])

    # In this process the jobs run eagerly when the rows are saved; start from
    # nothing so that what is there afterwards is the worker's work.
    Suggestion.objects.all().delete()
    result = producer.send_task(
        "matching.tasks.match_assignment", args=[assignment.pk], queue=queue, ignore_result=False
    )
    try:
        outcome = result.get(timeout=90)
    except Exception:
        time.sleep(0.5)
        pytest.fail(f"the worker did not run the job (exit code {process.poll()}):\n{log.read_text()[-4000:]}")

    assert outcome["written"] == 2
    ranked = list(Suggestion.objects.filter(assignment=assignment).order_by("-score").values_list("member_id", flat=True))
    assert ranked == [everything.pk, half.pk]
