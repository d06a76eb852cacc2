"""Prometheus metrics: what the registry counts, and the exposition at /metrics.

prometheus_client directly (no exporter layer): every series is declared here, once per
process. Under gunicorn each worker is a process of its own, so `serve` sets
PROMETHEUS_MULTIPROC_DIR before the workers start and /metrics sums every worker's files
(prometheus_client's multiprocess mode); without it (tests, `flask run`) the process's own
registry answers. Services call the small helpers below at their boundary, one line each.
"""
from __future__ import annotations

import os
import time
from functools import wraps

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # a missing folder would fail every command at its first metric
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

from prometheus_client import (  # noqa: E402  (after the folder exists)
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

REQUESTS = Counter("registry_http_requests", "HTTP requests answered, by path template, method and status",
                   ["endpoint", "method", "status"])
REQUEST_SECONDS = Histogram("registry_http_request_duration_seconds", "Time to answer a request, by path template",
                            ["endpoint", "method"], buckets=SECONDS)
SEARCH_SECONDS = Histogram("registry_search_duration_seconds", "Time a search service took, by kind of search",
                           ["kind"], buckets=SECONDS)
BOOKING_OUTCOMES = Counter("registry_booking_outcomes", "Booking requests and steps, by action and outcome "
                           "(the state reached, or the refusal)", ["action", "outcome"])
IMPORTS = Counter("registry_imports", "Imports run (CLI and web uploads, not dry runs), by outcome", ["outcome"])
IMPORT_ROWS = Counter("registry_import_rows", "Rows of applied imports by entity and result "
                      "(created, updated, unchanged, deleted, rejected)", ["entity", "result"])
CACHE_LOOKUPS = Counter("registry_cache_lookups", "Lookups in the caches kept until the data changes, "
                        "by cache and result (hit, miss)", ["cache", "result"])
SHARED_CACHE_LOOKUPS = Counter("registry_shared_cache_lookups", "Lookups in the caches' shared tier (Redis, "
                               "CACHE_REDIS_URL) after a miss in the worker's own, by cache and result "
                               "(hit, miss, unavailable)", ["cache", "result"])


def observe_request(endpoint: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(endpoint, method, str(status)).inc()
    REQUEST_SECONDS.labels(endpoint, method).observe(seconds)


def timed_search(kind: str):
    """Decorate a search service: its duration goes to registry_search_duration_seconds{kind}."""
    histogram = SEARCH_SECONDS.labels(kind)

    def decorate(func):
        @wraps(func)
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                histogram.observe(time.perf_counter() - start)
        return timed
    return decorate


def count_booking(action: str, outcome: str) -> None:
    BOOKING_OUTCOMES.labels(action, outcome).inc()


def count_import(outcome: str, counts: dict | None) -> None:
    IMPORTS.labels(outcome).inc()
    for entity, results in (counts or {}).items():
        for result, rows in results.items():
            if rows:
                IMPORT_ROWS.labels(entity, result).inc(rows)


def count_cache_lookup(cache: str, hit: bool) -> None:
    CACHE_LOOKUPS.labels(cache, "hit" if hit else "miss").inc()


def count_shared_cache_lookup(cache: str, result: str) -> None:
    SHARED_CACHE_LOOKUPS.labels(cache, result).inc()


def exposition() -> tuple[bytes, str]:
    """The text format of every series: all workers' under gunicorn, this process's otherwise."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST
