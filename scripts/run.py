#!/usr/bin/env python3
"""``make run``: the whole development stack in one command.

1. Start the embedded PostgreSQL (``zppbrabant.embedded_db``) unless
   ``DATABASE_URL`` is set, and hand its URI to every child process.
2. ``migrate``, ``createcachetable`` and ``seed_demo`` (idempotent), in one
   Django process (``--prepare`` below).
3. With Redis reachable (``REDIS_URL``, default redis://127.0.0.1:6379/0) start
   a Celery worker and beat; otherwise say in one line that tasks run eagerly.
4. Start ``manage.py runserver`` on ``HOST:PORT`` (127.0.0.1:8000), wait until
   it accepts connections, then print the URL and the demo logins.

Ctrl-C (SIGINT) or SIGTERM stops every process it started (each child runs in
its own process group, which is signalled as a whole) and then the embedded
PostgreSQL, if this run started it. When any child exits on its own, the rest
is stopped too and the exit status is 1.

Environment: HOST, PORT, DATABASE_URL, REDIS_URL, DEBUG (default 1 here),
RELOAD=1/0 for the web server's auto-reloader (default: on when stdout is a
terminal, off otherwise, e.g. in CI).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
STOP_GRACE_SECONDS = 15.0
WEB_START_TIMEOUT = 120.0


def say(message: str) -> None:
    try:
        print(f"[run] {message}", flush=True)
    except OSError:  # the terminal or pipe is gone (SIGHUP); keep cleaning up
        pass


class Stop(Exception):
    """Raised by the signal handler to unwind to the clean-up."""


def _die_with_parent_hook():
    """On Linux, a child gets SIGTERM when this process dies, even by SIGKILL."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def hook() -> None:
        prctl(pr_set_pdeathsig, int(signal.SIGTERM))

    return hook


class Children:
    """The processes this run started, each in a process group of its own."""

    def __init__(self) -> None:
        self.procs: list[tuple[str, subprocess.Popen]] = []
        self._preexec = _die_with_parent_hook()

    def spawn(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        proc = subprocess.Popen(
            args,
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=self._preexec,
        )
        self.procs.append((name, proc))
        return proc

    def run(self, name: str, args: list[str], env: dict[str, str]) -> None:
        proc = self.spawn(name, args, env)
        code = proc.wait()
        self.procs.remove((name, proc))
        if code != 0:
            raise SystemExit(f"[run] {name} failed with exit status {code}")

    def first_exited(self) -> tuple[str, int] | None:
        for name, proc in self.procs:
            code = proc.poll()
            if code is not None:
                return name, code
        return None

    @staticmethod
    def _group_alive(pgid: int) -> bool:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def stop_all(self) -> None:
        """SIGTERM every group, wait, then SIGKILL what is left."""
        groups = []
        for name, proc in reversed(self.procs):
            groups.append((name, proc, proc.pid))
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for name, proc, pgid in groups:
            while time.monotonic() < deadline:
                proc.poll()
                if proc.returncode is not None and not self._group_alive(pgid):
                    break
                time.sleep(0.1)
            if self._group_alive(pgid):
                say(f"{name} did not stop in time; killing it")
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(pgid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        self.procs.clear()


def port_open(host: str, port: int, timeout: float = 0.3) -> bool:
    connect_host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    try:
        with socket.create_connection((connect_host.strip("[]"), port), timeout=timeout):
            return True
    except OSError:
        return False


def redis_reachable(url: str) -> bool:
    try:
        from zppbrabant.env import redis_reachable as check  # the same test settings use
    except ImportError:  # pragma: no cover - fallback while env.py is missing
        from urllib.parse import urlparse

        parsed = urlparse(url)
        return port_open(parsed.hostname or "127.0.0.1", parsed.port or 6379)
    return check(url)


def demo_logins_text(path: Path) -> str:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        data = {"error": "no demo login list was written"}
    if "error" in data:
        return f"  (demo logins unavailable: {data['error']})"
    logins = data.get("logins") or []
    width = max((len(str(role)) for role, _ in logins), default=0)
    lines = [f"  {str(role):<{width}}  {email}" for role, email in logins]
    lines.append(f"  password for all: {data.get('password', '?')}")
    return "\n".join(lines)


def prepare(logins_file: str) -> int:
    """Child mode: one Django process migrates, seeds and lists the demo logins."""
    sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zppbrabant.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False)
    call_command("createcachetable", verbosity=0)
    call_command("seed_demo")
    try:
        from members.demo import DEMO_LOGINS, DEMO_PASSWORD

        data = {"password": DEMO_PASSWORD, "logins": [[str(r), str(e)] for r, e in DEMO_LOGINS]}
    except Exception as exc:  # the site still runs; the banner says why
        data = {"error": f"{type(exc).__name__}: {exc}"}
    Path(logins_file).write_text(json.dumps(data))
    return 0


def main() -> int:
    sys.path.insert(0, str(REPO))
    os.chdir(REPO)
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "8000"))
    shown_host = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(host, host)
    if ":" in shown_host and not shown_host.startswith("["):
        shown_host = f"[{shown_host}]"
    url = f"http://{shown_host}:{port}/"
    if port_open(host, port):
        say(f"port {port} on {host} is already in use (is another `make run` running?); "
            "stop it or choose another with PORT=...")
        return 1

    env = dict(os.environ)
    env.setdefault("DEBUG", "1")
    env.setdefault("DJANGO_SETTINGS_MODULE", "zppbrabant.settings")
    env["PYTHONUNBUFFERED"] = "1"

    stopping = False
    state = {"critical": False, "pending": None}

    def on_signal(signum, _frame):
        nonlocal stopping
        if stopping:
            return
        if state["critical"]:  # finish starting the database first, so we know to stop it
            state["pending"] = signal.Signals(signum).name
            return
        stopping = True
        raise Stop(signal.Signals(signum).name)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    children = Children()
    embedded = None
    started_db = False
    exit_code = 0
    var = Path(os.environ.get("VAR_DIR") or REPO / "var")
    var.mkdir(parents=True, exist_ok=True)
    logins_fd, logins_path = tempfile.mkstemp(prefix="demo-logins-", suffix=".json", dir=var)
    os.close(logins_fd)
    try:
        if env.get("DATABASE_URL"):
            say("using DATABASE_URL from the environment")
        else:
            from zppbrabant import embedded_db as embedded

            state["critical"] = True
            try:
                db_url, started_db = embedded.start()
            finally:
                state["critical"] = False
            env["DATABASE_URL"] = db_url
            say(f"embedded PostgreSQL {'started' if started_db else 'already running'} "
                f"(data in {embedded.pgdata_dir()})")
            if state["pending"]:
                stopping = True
                raise Stop(state["pending"])

        say("migrate, createcachetable, seed_demo")
        children.run("prepare", [PY, str(Path(__file__).resolve()), "--prepare", logins_path], env)

        redis_url = env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
        if redis_reachable(redis_url):
            say(f"Redis reachable at {redis_url}: starting Celery worker and beat")
            children.spawn("celery worker", [PY, "-m", "celery", "-A", "zppbrabant", "worker",
                                             "--loglevel=INFO"], env)
            children.spawn("celery beat", [PY, "-m", "celery", "-A", "zppbrabant", "beat",
                                           "--loglevel=INFO"], env)
        else:
            say(f"Redis not reachable at {redis_url}: Celery tasks run eagerly in the web process "
                "(no worker or beat started)")

        bind = f"[{host}]" if ":" in host and not host.startswith("[") else host
        web_args = [PY, "manage.py", "runserver", f"{bind}:{port}"]
        # The auto-reloader runs the server in a grandchild; use it only for a
        # person at a terminal (RELOAD=1/0 overrides).
        reload_default = "1" if sys.stdout.isatty() else "0"
        if env.get("RELOAD", reload_default).lower() in {"0", "false", "no", "off", ""}:
            web_args.append("--noreload")
        web = children.spawn("web server", web_args, env)
        deadline = time.monotonic() + WEB_START_TIMEOUT
        while not port_open(host, port):
            if web.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("[run] the web server did not start")
            time.sleep(0.2)

        bar = "=" * 64
        print(f"\n{bar}\n ZPP Brabant runs at {url}\n\n Demo logins:\n"
              f"{demo_logins_text(Path(logins_path))}\n\n Stop with Ctrl-C.\n{bar}\n", flush=True)

        while True:
            exited = children.first_exited()
            if exited:
                name, code = exited
                say(f"{name} exited with status {code}; stopping the rest")
                exit_code = 1
                break
            time.sleep(0.5)
    except Stop as stop:
        say(f"{stop} received: stopping")
    except SystemExit as exc:
        if exc.code not in (None, 0):
            print(exc.code if isinstance(exc.code, str) else f"[run] exit {exc.code}", file=sys.stderr)
            exit_code = 1
    finally:
        stopping = True  # a second Ctrl-C must not interrupt the clean-up
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        children.stop_all()
        if started_db and embedded is not None:
            say("stopping the embedded PostgreSQL" + ("" if embedded.stop() else " (it was not running)"))
        with contextlib.suppress(OSError):
            os.unlink(logins_path)
        say("stopped")
    return exit_code


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--prepare":
        sys.exit(prepare(sys.argv[2]))
    sys.exit(main())
