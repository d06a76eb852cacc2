"""Benchmark of import and export (registry core issue).

Generates a data set of N facilities and M capabilities with seeds.generate, then
runs, each as its own `flask --app registry` process on a fresh database:

  import      everything created
  re-import   the same files again: everything unchanged
  export      CSV pair, then XLSX workbook

and prints wall time, peak memory (max RSS of the process) and rows per second.
Targets on 2 cores, SQLite: 1,500 + 300,000 imported in < 60 s under 1 GB peak,
re-import in under half the import's time.

    python bench/bench_import.py [--facilities 1500] [--capabilities 300000]
                                 [--vocabulary demo|realistic] [--database-url postgresql+psycopg://...]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLASK = [sys.executable, "-m", "flask", "--app", "registry"]


def timed(command: list[str], env: dict) -> tuple[float, float]:
    """(seconds, peak MiB) of one child process; fails loudly if the command fails."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    output = process.stdout.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(command)}\n{output}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--facilities", type=int, default=1500)
    parser.add_argument("--capabilities", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--vocabulary", choices=("demo", "realistic"), default="demo",
                        help="realistic: tens of thousands of distinct items, as a real city's scopes have")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--workdir", type=Path, help="default: a temporary folder")
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="registry-bench-"))
    data = workdir / "data"
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": database_url}
    if not args.database_url:
        (workdir / "bench.sqlite3").unlink(missing_ok=True)

    rows = args.facilities + args.capabilities
    print(f"data set: {args.facilities:,} facilities + {args.capabilities:,} capabilities "
          f"({args.vocabulary} vocabulary) "
          f"in {workdir}; database {env['DATABASE_URL'].split('@')[-1]}")
    seconds, _ = timed([sys.executable, "-m", "seeds.generate", "--facilities",
                        str(args.facilities), "--capabilities", str(args.capabilities),
                        "--seed", str(args.seed), "--vocabulary", args.vocabulary, "--out", str(data)], env)
    size = sum(p.stat().st_size for p in data.iterdir()) / 2**20
    print(f"generated {size:.1f} MiB of CSV in {seconds:.1f} s")

    timed(FLASK + ["db", "downgrade", "base"], env)
    timed(FLASK + ["db", "upgrade"], env)
    results = {}
    steps = [
        ("import", FLASK + ["import", str(data), "--lang", "en"]),
        ("re-import", FLASK + ["import", str(data), "--lang", "en"]),
        ("export csv", FLASK + ["export", str(workdir / "export")]),
        ("export xlsx", FLASK + ["export", str(workdir / "export.xlsx")]),
    ]
    print(f"{'step':<12} {'seconds':>8} {'peak MiB':>9} {'rows/s':>9}")
    for name, command in steps:
        seconds, peak = timed(command, env)
        results[name] = seconds
        print(f"{name:<12} {seconds:8.1f} {peak:9.0f} {rows / seconds:9,.0f}")
    ratio = results["re-import"] / results["import"]
    print(f"re-import / import = {ratio:.2f}")


if __name__ == "__main__":
    main()
