"""The benchmark data set: generated once into ``zpp_bench``, then reused.

A generator is a function ``fn(size: int) -> dict | None`` registered with
``@generator("name", after=[...])`` in a module ``bench/data_<topic>.py``
(imported automatically, in name order). ``ensure_data(size)`` runs, in
registration order but each after the ones it names in ``after``,
every generator that has not yet completed for this database, each in one
transaction together with its marker row in ``bench_dataset``. So an
interrupted run leaves no half data set behind, and a second run generates
nothing. ``size`` is the scale of the data set (for example the number of
assignments); each generator derives its own counts from it. A database holds
one size: asking for another one is an error (``make bench BENCH_RESET=1``
or ``python -m bench.run --reset`` starts over).

Call ``bench.db.setup()`` first (``bench.run`` does).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.db import log

DEFAULT_SIZE = int(os.environ.get("BENCH_SIZE", "100000"))


class BenchDataError(RuntimeError):
    """The data set cannot be made as asked (wrong size, bad dependencies)."""


@dataclass(frozen=True)
class Generator:
    name: str
    fn: Callable[[int], dict | None]
    after: tuple[str, ...] = ()


GENERATORS: list[Generator] = []


def generator(name: str, *, after: tuple[str, ...] | list[str] = ()):
    """Register ``fn(size)`` as the generator ``name`` (names are unique).

    ``after`` names generators that must have run first (``after=["members"]``);
    otherwise generators run in the order they were registered.
    """

    def register(fn: Callable[[int], dict | None]):
        if any(g.name == name for g in GENERATORS):
            raise ValueError(f"bench generator {name!r} registered twice")
        GENERATORS.append(Generator(name, fn, tuple(after)))
        return fn

    return register


def load_generators() -> list[Generator]:
    """Import every ``bench/data_*.py`` (where generators live), then order them."""
    import importlib
    import pkgutil
    from pathlib import Path

    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda i: i.name):
        if info.name.startswith("data_"):
            importlib.import_module(f"bench.{info.name}")
    by_name = {g.name: g for g in GENERATORS}
    ordered: list[Generator] = []
    visiting: set[str] = set()

    def visit(gen: Generator) -> None:
        if gen in ordered:
            return
        if gen.name in visiting:
            raise BenchDataError(f"bench generators depend on each other in a cycle at {gen.name!r}")
        visiting.add(gen.name)
        for dep in gen.after:
            if dep not in by_name:
                raise BenchDataError(f"bench generator {gen.name!r} runs after unknown {dep!r}")
            visit(by_name[dep])
        visiting.discard(gen.name)
        ordered.append(gen)

    for gen in GENERATORS:
        visit(gen)
    return ordered


MARKER_TABLE = "bench_dataset"


def _ensure_marker_table(cursor) -> None:
    cursor.execute(
        f"""CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (
                name text PRIMARY KEY,
                size bigint NOT NULL,
                seconds double precision NOT NULL,
                info jsonb NOT NULL DEFAULT '{{}}',
                created_at timestamptz NOT NULL DEFAULT now()
            )"""
    )


def done() -> dict[str, dict]:
    """The generators already completed: name -> {"size", "seconds", "info"}."""
    from django.db import connection

    with connection.cursor() as cursor:
        _ensure_marker_table(cursor)
        cursor.execute(f"SELECT name, size, seconds, info FROM {MARKER_TABLE}")
        return {
            name: {"size": size, "seconds": seconds, "info": info if isinstance(info, dict) else json.loads(info)}
            for name, size, seconds, info in cursor.fetchall()
        }


def ensure_data(size: int = DEFAULT_SIZE) -> dict[str, dict]:
    """Generate what is missing for ``size``; return the state of every generator."""
    from django.db import connection, transaction

    state = done()
    generated = False
    for gen in load_generators():
        if gen.name in state:
            if state[gen.name]["size"] != size:
                raise BenchDataError(
                    f"bench data set '{gen.name}' was generated for size {state[gen.name]['size']}, "
                    f"not {size}; reset it with `make bench BENCH_RESET=1` (drops the bench database)"
                )
            continue
        log(f"generating {gen.name} (size {size})")
        started = time.perf_counter()
        with transaction.atomic():
            info = gen.fn(size) or {}
            seconds = time.perf_counter() - started
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {MARKER_TABLE} (name, size, seconds, info) VALUES (%s, %s, %s, %s)",
                    [gen.name, size, seconds, json.dumps(info)],
                )
        log(f"generated {gen.name} in {seconds:.1f} s {info or ''}")
        state[gen.name] = {"size": size, "seconds": seconds, "info": info}
        generated = True
    if generated:
        # What autovacuum does on a live database some minutes after a bulk
        # load: statistics, and the visibility map that index-only scans need.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        log(f"vacuum analyze in {time.perf_counter() - started:.1f} s")
    return state


# --- generators -------------------------------------------------------------
# Real generators live in bench/data_<topic>.py and declare what must exist
# first: @generator("assignments", after=["members"]). Use
# bulk_create(batch_size=...) or COPY for speed, a fixed random seed for
# repeatable data, and return a few counts for the log.

