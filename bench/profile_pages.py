"""Where the time of the mixed load goes, page by page, in-process.

Not a benchmark (``make bench`` does not run it): a tool for finding what to
make cheaper. It takes the same people and pages as ``bench_mixed_load`` on
the bench database, requests each page kind through Django's full stack with
the test client (middleware, session, templates; no gunicorn) and prints, per
kind, its share of the mix, the median and p95 time, the CPU time of this
process (wall minus waiting for PostgreSQL and Redis), the SQL queries and the
weighted cost (share × median) — the column that says where a millisecond
saved counts most.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python -m bench.profile_pages [--requests 30] [--profile KIND] [--sql KIND]

``--profile KIND`` (e.g. ``/`` or ``/opdrachten/<id>/``) adds a cProfile of
that kind's requests (top functions by own and by cumulative time);
``--sql KIND`` prints the SQL of one request of that kind with its time.
"""

import argparse
import cProfile
import pstats
import random
import re
import statistics
import sys
import time


def _kind(path: str) -> str:
    return re.sub(r"\d+", "<id>", path.split("?")[0]) + ("?q=…" if "?q=" in path else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page kind")
    parser.add_argument("--profile", help="cProfile this page kind")
    parser.add_argument("--sql", help="print the SQL of one request of this page kind")
    args = parser.parse_args()

    from bench import db

    db.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from bench import bench_mixed_load as mixed
    from bench import bench_search_page as base

    caches, _ = base._bench_caches()
    with override_settings(SECRET_KEY=base.SECRET_KEY, ALLOWED_HOSTS=["*"], CACHES=caches):
        rng = random.Random(42)
        people = mixed._people()
        sessions = {role: base._sessions(users) for role, users in people.items()}
        try:
            entries, share = mixed._entries(mixed._paths(rng), sessions, rng)
            by_kind: dict[str, list[tuple[str, str]]] = {}
            for path, key in entries:
                by_kind.setdefault(_kind(path), []).append((path, key))

            def request(path, key):
                client = Client()
                client.cookies[settings.SESSION_COOKIE_NAME] = key
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
                return response

            rows = []
            for kind, pairs in sorted(by_kind.items()):
                for path, key in dict.fromkeys(pairs):  # warm the caches, as bench_mixed_load does
                    request(path, key)
                timings, cpu = [], []
                for i in range(args.requests):
                    path, key = pairs[i % len(pairs)]
                    started, cpu_started = time.perf_counter(), time.process_time()
                    request(path, key)
                    timings.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - cpu_started) * 1000)
                with CaptureQueriesContext(connection) as queries:
                    request(*pairs[0])
                timings.sort()
                median = statistics.median(timings)
                rows.append((kind, share[kind], median, timings[int(len(timings) * 0.95) - 1], statistics.median(cpu), len(queries)))
                if args.sql and kind == args.sql:
                    for q in queries.captured_queries:
                        print(f"-- {q['time']} s\n{q['sql']}\n", file=sys.stderr)

            print(f"{'page':40} {'share %':>8} {'p50 ms':>8} {'p95 ms':>8} {'cpu ms':>8} {'queries':>8}"
                  f" {'weighted':>9} {'w. cpu':>8}")
            total = total_cpu = 0.0
            for kind, pct, median, p95, cpu_ms, count in sorted(rows, key=lambda r: -r[1] * r[2]):
                weighted = pct / 100 * median
                total += weighted
                total_cpu += pct / 100 * cpu_ms
                print(f"{kind:40} {pct:8.1f} {median:8.2f} {p95:8.2f} {cpu_ms:8.2f} {count:8d} {weighted:9.2f}"
                      f" {pct / 100 * cpu_ms:8.2f}")
            print(f"{'weighted mean per request':40} {'':8} {'':8} {'':8} {'':8} {'':8} {total:9.2f} {total_cpu:8.2f}")

            if args.profile:
                pairs = by_kind[args.profile]
                profiler = cProfile.Profile()
                profiler.enable()
                for i in range(args.requests * 3):
                    request(*pairs[i % len(pairs)])
                profiler.disable()
                stats = pstats.Stats(profiler, stream=sys.stdout)
                stats.sort_stats("tottime").print_stats(35)
                stats.sort_stats("cumulative").print_stats(60)
        finally:
            base._drop_sessions([k for keys in sessions.values() for k in keys])


if __name__ == "__main__":
    main()
