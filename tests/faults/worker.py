"""A real Celery worker for the fault tests: started as a subprocess with the
command docker-compose.yml uses (``celery -A zppbrabant worker
--loglevel=INFO --max-tasks-per-child 200``), in a process group of its own
so that SIGKILL takes the main process and its pool child at once, like an
out-of-memory kill or a pulled plug.

Isolation from other tests and from a development worker: the broker is a
Redis database (1–13) that was empty and is claimed atomically with a marker
key (so ``tests/matching/test_celery_worker.py``, which looks for an empty
one, never picks it), and the worker listens on a queue of its own.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

# The Redis server of REDIS_URL (databases chosen below), unless given.
REDIS = os.environ.get("FAULTS_TEST_REDIS") or urlunsplit(urlsplit(settings.REDIS_URL)._replace(path=""))
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PROJECT_DIR = Path(settings.BASE_DIR)
MARKER = "zpp:faults-test-owner"

# Set the marker only in an empty database, in one step (no other client can
# claim the same database between the check and the write).
_CLAIM = """
if redis.call('dbsize') == 0 then
    redis.call('set', KEYS[1], ARGV[1], 'EX', 3600)
    return 1
end
return 0
"""


def claim_redis_db() -> str:
    """The URL of a Redis database that was empty, now marked as ours.
    Skips (fails under CI=true) when Redis does not answer."""
    import redis

    try:
        redis.Redis.from_url(f"{REDIS}/0", socket_timeout=1).ping()
    except redis.exceptions.RedisError as error:
        message = f"Redis at {REDIS} does not answer ({error}); the worker fault test needs a real Redis"
        if IN_CI:
            pytest.fail(message + " (CI=true)")
        pytest.skip(message + " (this fails under CI=true)")
    owner = uuid.uuid4().hex
    for db in range(1, 14):
        client = redis.Redis.from_url(f"{REDIS}/{db}", socket_timeout=2)
        if client.eval(_CLAIM, 1, MARKER, owner):
            return f"{REDIS}/{db}"
    pytest.fail(f"no empty Redis database in 1–13 at {REDIS}")


def release_redis_db(url: str) -> None:
    import redis

    redis.Redis.from_url(url, socket_timeout=2).flushdb()


def database_url() -> str:
    """This test run's (test_…) database, for the worker."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{quote(db['USER'] or '', safe='')}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def unacked_since(broker: str) -> list[float]:
    """When each message that a worker took but did not acknowledge was
    delivered (kombu's ``unacked_index``; Redis hands such a message out
    again once it is older than the visibility timeout)."""
    import redis

    client = redis.Redis.from_url(broker, socket_timeout=2)
    return [score for _tag, score in client.zrange("unacked_index", 0, -1, withscores=True)]


class Worker:
    """One ``celery worker`` process group on ``queue``."""

    def __init__(self, *, broker: str, queue: str, name: str, log: Path, visibility_timeout: int):
        self.broker, self.queue, self.name, self.log_path = broker, queue, name, log
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": broker,
            "CACHE_REDIS_URL": broker,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
            "EMAIL_URL": "dummy://",
            "LOG_LEVEL": "INFO",
        }
        self._log = open(log, "a")
        # docker-compose's worker command; -Q/-n keep it on this test's queue,
        # one pool process, and no gossip/mingle (nothing to talk to; starts faster).
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "zppbrabant", "--result-backend", broker,
             "worker", "--loglevel=INFO", "--max-tasks-per-child", "200",
             "--concurrency", "1", "-Q", queue, "-n", f"{name}@%h",
             "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=PROJECT_DIR, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: main process + pool child
        )

    def log(self, tail: int = 4000) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-tail:]

    def group_pids(self) -> list[int]:
        """The live processes of the worker's group (main and pool child)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # fields: state ppid pgrp ...
            if int(fields[2]) == self.process.pid and fields[0] != "Z":
                pids.append(int(entry.name))
        return pids

    def sigkill(self) -> list[int]:
        """SIGKILL the whole process group; returns the pids that were killed."""
        pids = self.group_pids()
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while self.group_pids() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not self.group_pids(), f"worker processes survived SIGKILL: {self.group_pids()}"
        return pids

    def stop(self) -> None:
        """At the end of a test, whatever state it is in: nothing survives."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=20)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self.process.poll() is None:
            self.process.wait(timeout=10)
        self._log.close()


def wait_for(predicate, *, timeout: float, interval: float = 0.05, what: str, worker: Worker | None = None):
    """Poll ``predicate`` until it returns something truthy; fail with the
    worker's log otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            detail = ""
            if worker is not None:
                detail = f"\nworker exit code {worker.process.poll()}; its log:\n{worker.log()}"
            pytest.fail(f"timed out after {timeout}s waiting for {what}{detail}")
        time.sleep(interval)
