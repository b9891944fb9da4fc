"""The benchmarks' own database, ``zpp_bench``, on the same server as the app.

``setup()`` must run before anything imports Django models: it creates the
database when missing (on the server of ``DATABASE_URL``, or the embedded one),
points ``DATABASE_URL`` at it, calls ``django.setup()`` and migrates when a
migration is pending. Benchmarks then use the ORM, the test client or a live
server as usual; the data set stays between runs (see ``bench.generate``).
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit, urlunsplit

BENCH_DB_NAME = os.environ.get("BENCH_DB_NAME", "zpp_bench")

# Measured like production, not like a debug session: DEBUG off (no query log
# kept in memory), plain static files storage (TESTING), no HTTPS redirect.
BENCH_ENV_DEFAULTS = {
    "DJANGO_SETTINGS_MODULE": "zppbrabant.settings",
    "DEBUG": "0",
    "TESTING": "1",
    "SECURE_SSL_REDIRECT": "0",
    "LOG_LEVEL": "WARNING",
    # The benchmarks log people in without a second factor (production
    # requires one for HR and coordinators; that is not what is measured).
    "MFA_REQUIRED": "0",
    # Not database 15: the test suite flushes that one.
    "CACHE_REDIS_URL": "redis://127.0.0.1:6379/14",
}

_done = False


def log(message: str) -> None:
    """Progress for people goes to stderr; stdout carries only the JSON lines."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def server_url() -> str:
    url = os.environ.get("BENCH_SERVER_URL") or os.environ.get("DATABASE_URL")
    if url:
        return url
    from zppbrabant.embedded_db import database_url

    return database_url()


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def _libpq_url(url: str) -> str:
    # libpq knows postgresql:// and postgres://, not dj-database-url's aliases.
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.startswith("postgres") else url


def ensure_database(server: str, name: str = BENCH_DB_NAME) -> bool:
    """Create database ``name`` on ``server`` unless it exists. True when created."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(_libpq_url(server), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def drop_database(server: str, name: str = BENCH_DB_NAME) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(_libpq_url(server), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def setup(*, reset: bool = False) -> str:
    """Point Django at the bench database, set it up, migrate it. Idempotent."""
    global _done
    if _done:
        return os.environ["DATABASE_URL"]
    for key, value in BENCH_ENV_DEFAULTS.items():
        os.environ.setdefault(key, value)
    server = server_url()
    if urlsplit(server).path.strip("/") == BENCH_DB_NAME:
        server = with_database(server, "postgres")
    if reset:
        log(f"dropping database {BENCH_DB_NAME}")
        drop_database(server)
    if ensure_database(server):
        log(f"created database {BENCH_DB_NAME}")
    os.environ["DATABASE_URL"] = with_database(server, BENCH_DB_NAME)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        log(f"migrating {BENCH_DB_NAME}")
        call_command("migrate", interactive=False, verbosity=1, stdout=sys.stderr)
    _done = True
    return os.environ["DATABASE_URL"]
