"""Instructions a served API request costs in the Python worker, this checkout against another, by callgrind.

On a shared 2-core machine requests per second drift by a third between minutes, which hides a
change of 10%. Instructions do not drift: the same code, data and requests give the same count
whatever else the machine runs. Each side serves the same requests through a gunicorn sync worker
(1 worker, PostgreSQL or SQLite, limiter counters in Redis, answer cache off) under valgrind's
callgrind with instrumentation switched on only for the timed requests, after a warm-up that builds
the per-process caches; the count is the worker's own (the database server's is not in it).

    git worktree add --detach /tmp/base <rev>   # and copy its compiled translations (make install)
    python bench/bench_instructions.py --db postgresql+psycopg://postgres@127.0.0.1:5432/perf_bench \\
        --data /tmp/perf/data --baseline /tmp/base
    # needs valgrind (callgrind_control), curl, Redis at 127.0.0.1:6379; the database imported from --data
"""
import argparse
import csv
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_api import q, wait_for  # noqa: E402
from bench_vs_datasette import distinct_questions  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def paths_for(kind: str, data: Path) -> list[str]:
    if kind == "keyword":
        return [f"/api/v1/capabilities?q={q(k)}&limit=20" for k in distinct_questions(data, 1200)]
    if kind == "detail":
        with open(data / "facilities.csv", encoding="utf-8") as stream:
            return [f"/api/v1/facilities/{q(row['facility_id'])}" for row in csv.DictReader(stream)]
    return ["/healthz"] * 1200


def instructions(code: Path, db: str, paths: list[str], warm: int, n: int, port: int) -> float:
    """Instructions per request of one gunicorn worker serving `paths[warm:warm + n]` (after `paths[:warm]`)."""
    out = Path(tempfile.mkdtemp(prefix="callgrind-"))
    env = {**os.environ, "PYTHONPATH": str(code), "SECRET_KEY": "bench", "DATABASE_URL": db,
           "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379", "RATELIMIT_KEY_PREFIX": f"ir-{os.getpid()}",
           "API_RATE_LIMIT_ANONYMOUS": "100000000 per minute", "API_RESPONSE_CACHE": "0"}
    server = subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--trace-children=yes", "--instr-atstart=no",
         f"--callgrind-out-file={out}/cg.%p", sys.executable, "-m", "gunicorn", "--workers", "1", "--timeout",
         "600", "--bind", f"127.0.0.1:{port}", "registry:create_app()"],
        cwd=code, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", 300)
        for path in paths[:warm]:
            subprocess.run(["curl", "-s", "-o", "/dev/null", base + path], check=True)
        worker = max(int(p) for p in subprocess.run(["pgrep", "-P", str(server.pid), "-f", "gunicorn"],
                                                    capture_output=True, text=True).stdout.split())
        subprocess.run(["callgrind_control", "-i", "on", str(worker)], check=True, capture_output=True)
        for path in paths[warm:warm + n]:
            subprocess.run(["curl", "-s", "-o", "/dev/null", base + path], check=True)
        subprocess.run(["callgrind_control", "-i", "off", str(worker)], check=True, capture_output=True)
        subprocess.run(["callgrind_control", "-d", str(worker)], check=True, capture_output=True)
        time.sleep(1)
        total = 0
        for name in glob.glob(f"{out}/cg.{worker}*"):
            with open(name, encoding="utf-8", errors="replace") as stream:
                total += sum(int(line.split()[1]) for line in stream if line.startswith("totals:"))
        return total / n
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True, help="the registry's database, imported from --data")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--baseline", type=Path, help="another checkout, counted the same way beside this one")
    parser.add_argument("--requests", type=int, default=200, help="requests counted per scenario")
    parser.add_argument("--warm", type=int, default=60)
    parser.add_argument("--port", type=int, default=20700)
    args = parser.parse_args()
    sides = [("this checkout", ROOT)] + ([("baseline", args.baseline.resolve())] if args.baseline else [])
    print(f"instructions per request in the gunicorn worker (callgrind), {args.requests} requests after "
          f"{args.warm}, distinct questions; {args.db.split('@')[-1]}")
    for kind in ("keyword", "detail", "healthz"):
        paths = paths_for(kind, args.data)
        counts = [instructions(code, args.db, paths, args.warm, args.requests, args.port) for _, code in sides]
        line = "  ".join(f"{name} {count / 1e6:6.2f} M" for (name, _), count in zip(sides, counts))
        change = f"  ({counts[0] / counts[1] - 1:+.1%})" if len(counts) == 2 else ""
        print(f"  {kind:<8} {line}{change}", flush=True)


if __name__ == "__main__":
    main()
