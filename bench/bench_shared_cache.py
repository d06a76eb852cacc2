"""The caches' shared tier (CACHE_REDIS_URL): a cold answer against the same answer served by the other worker.

gunicorn, 2 workers (sync, as `serve`), on the given database, limits and shared answers in Redis. Each
question is asked once (cold: searched by the worker that took it, kept in its own tier and in Redis),
then again on new connections until the other worker answers it: that answer comes from the shared tier
(the other worker never computed it). Answers of the same worker again (its own tier) are reported too.
Questions: --questions distinct realistic keyword searches (bench_vs_datasette.distinct_questions) on
/api/v1/capabilities (API answer cache) and the same on /map/facilities.geojson (map marker sets).

A small WSGI wrapper (written to a temporary folder, bench only) adds to each answer the worker's pid,
its wall time and the worker thread's CPU time, so the figures are server-side, plus the client's.
At the end /metrics (summed over the workers) gives registry_shared_cache_lookups_total as a check.

    python bench/bench_shared_cache.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/perf_bench \
        --data /tmp/perf/data [--questions 150] [--redis redis://127.0.0.1:6379/0]

Reads only (GET requests); its Redis keys (prefix bench-shared-<pid>) are deleted at the end.
"""
import argparse
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_api import wait_for  # noqa: E402
from bench_vs_datasette import distinct_questions  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
WRAPPER = '''import os, time
from registry import create_app

_app = create_app()


def app(environ, start_response):
    wall, cpu = time.perf_counter(), time.thread_time()

    def timed(status, headers, exc_info=None):
        headers += [("X-Bench-Worker", str(os.getpid())),
                    ("X-Bench-Ms", f"{(time.perf_counter() - wall) * 1000:.3f}"),
                    ("X-Bench-Cpu-Ms", f"{(time.thread_time() - cpu) * 1000:.3f}")]
        return start_response(status, headers, exc_info)
    return _app(environ, timed)
'''


def ask(port: int, path: str) -> dict:
    """One GET on a new connection (gunicorn's sync workers close each one): who answered, and how fast."""
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
    response = connection.getresponse()
    body = response.read()
    client_ms = (time.perf_counter() - start) * 1000
    connection.close()
    if response.status != 200:
        sys.exit(f"{path}: {response.status} {body[:200]!r}")
    return {"worker": response.getheader("X-Bench-Worker"), "ms": float(response.getheader("X-Bench-Ms")),
            "cpu": float(response.getheader("X-Bench-Cpu-Ms")), "client": client_ms, "bytes": len(body)}


def warm_both(port: int, paths: list[str]) -> None:
    """Every worker's per-process caches (search vocabulary, counts) filled before measuring."""
    seen: dict[str, int] = {}
    for _ in range(200):
        for path in paths:
            worker = ask(port, path)["worker"]
            seen[worker] = seen.get(worker, 0) + 1
        if len(seen) >= 2 and min(seen.values()) >= len(paths):
            return
    sys.exit(f"only {len(seen)} worker(s) answered while warming")


def measure(port: int, paths: list[str]) -> dict[str, list[dict]]:
    figures: dict[str, list[dict]] = {"cold": [], "shared": [], "own": []}
    for path in paths:
        cold = ask(port, path)
        figures["cold"].append(cold)
        for _ in range(40):
            again = ask(port, path)
            if again["worker"] != cold["worker"]:
                figures["shared"].append(again)
                break
            figures["own"].append(again)
    return figures


def summary(rows: list[dict], field: str) -> str:
    if not rows:
        return f"{'-':>8} {'-':>8}"
    values = sorted(r[field] for r in rows)
    return f"{statistics.median(values):8.2f} {values[min(len(values) - 1, int(len(values) * 0.95))]:8.2f}"


def shared_lookups(port: int) -> dict[tuple[str, str], float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/metrics")
    text = connection.getresponse().read().decode()
    pattern = r'registry_shared_cache_lookups_total\{cache="([^"]+)",result="([^"]+)"\} ([\d.e+]+)'
    return {(cache, result): float(n) for cache, result, n in re.findall(pattern, text)}


def delete_keys(redis_url: str, prefix: str) -> int:
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    used = sum(client.memory_usage(k) or 0 for k in keys)
    for key in keys:
        client.delete(key)
    return used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data", type=Path, required=True, help="the generated CSVs the questions are drawn from")
    parser.add_argument("--questions", type=int, default=150)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=18831)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="registry-bench-shared-"))
    (work / "bench_shared_app.py").write_text(WRAPPER, encoding="utf-8")
    prefix = f"bench-shared-{os.getpid()}"
    env = {**os.environ, "DATABASE_URL": args.database_url, "SECRET_KEY": "bench", "LOG_JSON": "0",
           "CACHE_REDIS_URL": args.redis, "CACHE_REDIS_PREFIX": prefix,
           "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379", "RATELIMIT_KEY_PREFIX": prefix,
           "API_RATE_LIMIT_ANONYMOUS": "100000000 per minute", "PROMETHEUS_MULTIPROC_DIR": str(work / "prometheus")}
    questions = distinct_questions(args.data, args.questions + 10)
    warm_paths = [f"/api/v1/capabilities?q={quote(k)}&limit=20" for k in questions[:5]] + [
        f"/map/facilities.geojson?q={quote(k)}" for k in questions[5:10]]
    questions = questions[10:]
    kinds = {
        "API keyword search (total+facets)": [f"/api/v1/capabilities?q={quote(k)}&limit=20" for k in questions],
        "map markers of a search (GeoJSON)": [f"/map/facilities.geojson?q={quote(k)}" for k in questions],
    }
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--bind",
                               f"127.0.0.1:{args.port}", "--pythonpath", str(work), "bench_shared_app:app"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{args.port}/healthz")
        warm_both(args.port, warm_paths)
        print(f"gunicorn {args.workers} workers on {args.database_url.split('@')[-1]}, shared tier {args.redis}; "
              f"{len(questions)} distinct questions a kind; load average {os.getloadavg()[0]:.2f} at start")
        print(f"{'':36} {'answer':<26} {'n':>4} {'server ms':>17} {'CPU ms':>17} {'client ms':>17} {'bytes':>8}")
        print(f"{'':36} {'':<26} {'':>4} {'median':>8} {'p95':>8} {'median':>8} {'p95':>8} {'median':>8} {'p95':>8}")
        labels = {"cold": "cold (computed)", "shared": "other worker (shared tier)", "own": "same worker (own tier)"}
        for kind, paths in kinds.items():
            figures = measure(args.port, paths)
            for name, rows in figures.items():
                size = statistics.median(r["bytes"] for r in rows) if rows else 0
                print(f"{kind:<36} {labels[name]:<26} {len(rows):4d} {summary(rows, 'ms')} {summary(rows, 'cpu')} "
                      f"{summary(rows, 'client')} {size:8.0f}", flush=True)
            cold, shared = (statistics.median(r["ms"] for r in figures[k]) for k in ("cold", "shared"))
            print(f"{kind:<36} cold / shared (server median): {cold / shared:.1f}x")
        print(f"load average {os.getloadavg()[0]:.2f} at end")
        lookups = shared_lookups(args.port)
        print("registry_shared_cache_lookups_total:",
              ", ".join(f"{cache} {result} {n:.0f}" for (cache, result), n in sorted(lookups.items())))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        used = delete_keys(args.redis, prefix)
        print(f"Redis memory of this run's {prefix}:* keys (deleted now): {used / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
