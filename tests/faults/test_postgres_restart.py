"""PostgreSQL restarted under load (issue 8): gunicorn, started with the
command docker-compose uses, keeps persistent database connections
(CONN_MAX_AGE); while the database is down pages answer 503 "try again in a
moment" (never the 500 page), and once it is back not a single request fails.

The database is a private embedded PostgreSQL (pgserver) in a temporary
folder, so restarting it touches nothing else on the machine.
"""

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.faults


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args, env, timeout=300):
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{args}: {result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    return result.stdout


class Load(threading.Thread):
    """GETs pages as a logged-in member, as fast as it can, noting
    (start time, status) per request."""

    def __init__(self, base, cookie, paths):
        super().__init__(daemon=True)
        self.base, self.cookie, self.paths = base, cookie, paths
        self.results: list[tuple[float, int]] = []
        self.stop = threading.Event()

    def run(self):
        i = 0
        while not self.stop.is_set():
            path = self.paths[i % len(self.paths)]
            i += 1
            started = time.monotonic()
            request = urllib.request.Request(self.base + path, headers={"Cookie": f"sessionid={self.cookie}"})
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = -1  # connection-level failure (gunicorn itself never went away)
            self.results.append((started, status))


@pytest.fixture
def app_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        VAR_DIR=str(tmp_path / "var"),
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        CONN_MAX_AGE="600",
        # No Redis: sessions in the database, so every page needs it.
        REDIS_URL="redis://127.0.0.1:1/0",
        LOG_LEVEL="ERROR",
        # Static files from the finders (no collectstatic), as in the benchmarks.
        TESTING="1",
    )
    yield env
    subprocess.run([sys.executable, "-m", "zppbrabant.embedded_db", "stop"], cwd=ROOT, env=env,
                   capture_output=True, timeout=60)


def test_no_500_when_postgresql_restarts_under_load(app_env, tmp_path):
    env = app_env
    _run([sys.executable, "-m", "zppbrabant.embedded_db", "start"], env)
    _run([sys.executable, "manage.py", "migrate", "--noinput"], env, timeout=600)
    _run([sys.executable, "manage.py", "createcachetable"], env)
    cookie = _run([sys.executable, "manage.py", "shell", "-c", """
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from members.models import Membership, Organisation
from members.services import membership_grant
from members.models import User
org = Organisation.objects.create(name="Gemeente Storing", slug="storing", kind="gemeente", street="Markt 1",
    postal_code="5211AA", city="Den Bosch", kvk_number="12345678", oin="00000001001234567000",
    vat_number="NL001234567B01", iban="NL91ABNA0417164300", invoice_email="f@example.nl", zpp_hourly_rate=80)
user = User.objects.create_user(email="storing@example.nl", password="x" * 12)
membership_grant(actor=None, user=user, organisation=org, role=Membership.Role.MEMBER)
session = import_module(settings.SESSION_ENGINE).SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.save()
print(session.session_key)
"""], env).strip().splitlines()[-1]

    port = _free_port()
    log = open(tmp_path / "gunicorn.log", "w")
    # The web command of docker-compose.yml, with two workers.
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "zppbrabant.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--forwarded-allow-ips", "*", "--timeout", "60"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/health/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        load = Load(base, cookie, ["/", "/opdrachten/", "/organisaties/", "/meldingen/"])
        load.start()
        time.sleep(2)
        assert load.results and all(s == 200 for _, s in load.results), (
            load.results[:5], (tmp_path / "gunicorn.log").read_text()[-3000:]
        )

        _run([sys.executable, "-m", "zppbrabant.embedded_db", "stop"], env)
        time.sleep(1.5)
        _run([sys.executable, "-m", "zppbrabant.embedded_db", "start"], env)
        back = time.monotonic()
        time.sleep(4)
        load.stop.set()
        load.join(timeout=15)
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        log.close()

    during = [s for t, s in load.results if t < back]
    after = [s for t, s in load.results if t >= back]
    assert 500 not in during, f"the 500 page while the database was down: {during.count(500)} times"
    assert 503 in during, "the restart was not noticed: no 503 while the database was down"
    assert len(after) > 20, f"too few requests after the restart: {len(after)}"
    assert all(s == 200 for s in after), f"after the database was back: {sorted(set(after))}"
