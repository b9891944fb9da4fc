"""A private PostgreSQL for development and tests, from the ``pgserver`` wheel.

Used when ``DATABASE_URL`` is not set: ``database_url()`` starts the server (or
reuses the one already running) with its data under ``<VAR_DIR>/pgdata``
(``VAR_DIR`` defaults to ``<repo>/var``) and returns its URI. The server listens
on a Unix socket only and keeps running after the Python process ends; stop it
with ``stop()``, ``make stop-db`` or ``python -m zppbrabant.embedded_db stop``.

Imports nothing from Django, so settings can call it.

CLI: ``python -m zppbrabant.embedded_db start|stop|url|status``
(``status`` exits 0 when the server runs, 3 when it does not).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Iterator

REPO_DIR = Path(__file__).resolve().parent.parent


def var_dir() -> Path:
    return Path(os.environ.get("VAR_DIR") or REPO_DIR / "var").resolve()


def pgdata_dir() -> Path:
    return var_dir() / "pgdata"


# --- reading the server's state without importing pgserver ------------------


def _pid_is_postgres(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by another user (the 'pgserver' user when we are root)
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.parent.exists():  # Linux: guard against a reused pid after a reboot
        try:
            return b"postgres" in cmdline.read_bytes()
        except OSError:
            return False
    return True


def _postmaster() -> dict | None:
    """The contents of ``postmaster.pid`` when that server process is alive."""
    pid_file = pgdata_dir() / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
    except (FileNotFoundError, PermissionError):
        return None
    if len(lines) < 8 or not lines[0].strip().isdigit():
        return None
    info = {
        "pid": int(lines[0].strip()),
        "port": lines[3].strip(),
        "socket_dir": lines[4].strip(),
        "status": lines[7].strip(),
    }
    return info if _pid_is_postgres(info["pid"]) else None


def _uri(info: dict, database: str = "postgres") -> str:
    # The same form pgserver's get_uri() hands out.
    return f"postgresql://postgres:@/{database}?host={info['socket_dir']}"


def is_running() -> bool:
    info = _postmaster()
    return info is not None and info["status"] == "ready"


def running_url() -> str | None:
    """The URI of the running server, or None; never starts anything."""
    info = _postmaster()
    if info is None or info["status"] != "ready" or not info["socket_dir"]:
        return None
    return _uri(info)


# --- starting and stopping ---------------------------------------------------


@contextlib.contextmanager
def _lock() -> Iterator[None]:
    """One process at a time starts or stops the server."""
    var = var_dir()
    var.mkdir(parents=True, exist_ok=True)
    with open(var / "embedded_db.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _import_pgserver():
    """Import pgserver quietly.

    pgserver asks platformdirs for a runtime directory at import time; without
    XDG_RUNTIME_DIR that emits a RuntimeDirWarning. We point it at ``var/run``
    for the import (only when unset) and filter the warning as well.
    """
    if "pgserver" in sys.modules:
        return sys.modules["pgserver"]
    set_here = not os.environ.get("XDG_RUNTIME_DIR")
    if set_here:
        run_dir = var_dir() / "run"
        run_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(run_dir, 0o700)
        os.environ["XDG_RUNTIME_DIR"] = str(run_dir)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            import pgserver
    finally:
        if set_here:
            os.environ.pop("XDG_RUNTIME_DIR", None)
    return pgserver


def start() -> tuple[str, bool]:
    """Start the server unless it runs. Returns ``(uri, started_by_this_call)``."""
    url = running_url()
    if url:
        return url, False
    with _lock():
        url = running_url()  # another process may have started it meanwhile
        if url:
            return url, False
        pid_file = pgdata_dir() / "postmaster.pid"
        if pid_file.exists() and _postmaster() is None:
            # Left over from a crash or reboot; its pid may now belong to
            # another process, which would fool pgserver into "already running".
            with contextlib.suppress(OSError):
                pid_file.unlink()
        pgdata_dir().parent.mkdir(parents=True, exist_ok=True)
        pgserver = _import_pgserver()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
            server = pgserver.get_server(pgdata_dir(), cleanup_mode=None)
        return server.get_uri(), True


def database_url() -> str:
    """The URI of the embedded server, started if needed (about half a second)."""
    return start()[0]


def stop(timeout: float = 30.0) -> bool:
    """Stop the server. Returns True when one was running and has stopped."""
    with _lock():
        info = _postmaster()
        if info is None:
            return False
        pid = info["pid"]
        try:
            pg_ctl = Path(_import_pgserver().__file__).parent / "pginstall" / "bin" / "pg_ctl"
            kwargs = {}
            if os.geteuid() == 0:
                kwargs["user"] = "pgserver"  # pgserver runs the server as this user when we are root
            subprocess.run(
                [str(pg_ctl), "-D", str(pgdata_dir()), "-m", "fast", "-w", "-t", str(int(timeout)), "stop"],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=timeout + 5,
                **kwargs,
            )
        except (subprocess.SubprocessError, OSError):
            # Fall back to signals: SIGINT is PostgreSQL's "fast shutdown".
            for sig, wait in ((signal.SIGINT, timeout), (signal.SIGQUIT, 5.0), (signal.SIGKILL, 5.0)):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
                deadline = time.monotonic() + wait
                while time.monotonic() < deadline and _pid_is_postgres(pid):
                    time.sleep(0.1)
                if not _pid_is_postgres(pid):
                    break
        return not _pid_is_postgres(pid)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = argv[0] if argv else ""
    if command == "start":
        url, started = start()
        print(f"{'started' if started else 'already running'}: {url}")
    elif command == "url":
        print(database_url())
    elif command == "stop":
        print("stopped" if stop() else "not running")
    elif command == "status":
        url = running_url()
        print(f"running: {url}" if url else "not running")
        return 0 if url else 3
    else:
        print(f"usage: python -m zppbrabant.embedded_db start|stop|url|status  (data: {pgdata_dir()})", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
