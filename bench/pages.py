"""Timing one page through Django's full stack in-process (test client),
shared by the page benchmarks."""

import statistics
import time
from dataclasses import dataclass


@dataclass
class PageTiming:
    p50_ms: float
    p95_ms: float
    max_ms: float
    queries: int
    response: object


def measure_page(client, url: str, requests: int, before_each=None) -> PageTiming:
    """One warm-up request, then ``requests`` timed ones (each must answer
    200), then one more with its SQL queries counted. ``before_each`` (not
    timed) runs before every request, e.g. to drop what the page caches so
    it is built each time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(requests):
        if before_each:
            before_each()
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    if before_each:
        before_each()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    return PageTiming(
        p50_ms=statistics.median(timings),
        p95_ms=timings[max(0, int(len(timings) * 0.95) - 1)],
        max_ms=timings[-1],
        queries=len(queries),
        response=response,
    )
