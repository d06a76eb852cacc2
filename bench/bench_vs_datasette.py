"""The registry against Datasette on distinct realistic questions, side by side in one run (issue 16).

The data: `python -m seeds.generate --facilities 1500 --capabilities 300000 --vocabulary realistic`
(>= 40,000 distinct capability texts). The questions: >= 1,000 distinct ones drawn from that data
(2-character words, longer words, loosely typed standard numbers, object + parameter pairs), cycled
round-robin by wrk, so that no answer is asked for twice in a row and caches of answers play no
part. Sides, all up at once and measured one after the other for each scenario (in an order that turns
every round), so that they share the same time window on a shared machine:

  registry PG      gunicorn, 2 workers, PostgreSQL, limiter counters in Redis, API_RESPONSE_CACHE=0
  registry PG+cache the same with the answer cache on (reported apart: it helps repeated questions only)
  registry SQLite  gunicorn, 2 workers, the embedded default, API_RESPONSE_CACHE=0
  baseline PG      (--baseline DIR) another checkout's code served like registry PG, for before/after
  datasette        Datasette (FTS5 trigram on name and standards) on the same CSVs

Scenarios: capability keyword search with total and facets (/api/v1/capabilities?q=, Datasette
?_search=&_facet=discipline), filtered facility list, facility detail. wrk -c8, 15 s each.
Each row carries the 1-minute load average at its end. Server-side times are measured in-process
(Flask test client, answer cache off) over the same questions: median and p95 per database.

    python -m seeds.generate --facilities 1500 --capabilities 300000 --vocabulary realistic --out DATA
    DATABASE_URL=postgresql+psycopg://…/registry_x flask --app registry db upgrade && … import DATA
    DATABASE_URL=sqlite:////tmp/x.sqlite3 flask --app registry db upgrade && … import DATA
    python bench/bench_vs_datasette.py --pg postgresql+psycopg://postgres@127.0.0.1:5432/registry_x \
        --sqlite sqlite:////tmp/x.sqlite3 --data DATA --datasette-venv /tmp/datasette-venv
    # needs wrk, Redis at 127.0.0.1:6379, a venv with `pip install datasette sqlite-utils`
"""
import argparse
import csv
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_api import DISTRICTS, KINDS, load_datasette, q, run_wrk, wait_for, warm  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u4e00-\u9fff]{2,}")
SCENARIOS = {"keyword": "keyword search (total+facets)", "list": "filtered facility list",
             "detail": "facility detail"}


def distinct_questions(data: Path, count: int, seed: int = 16) -> list[str]:
    """`count` distinct questions in four kinds, in equal parts, interleaved."""
    rng = random.Random(seed)
    names, standards = set(), set()
    with open(data / "capabilities.csv", encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            names.add(row["name"])
            standards.update(s for s in row["standards"].split(";") if s)
    names, standards = sorted(names), sorted(standards)
    words = sorted({w for n in names for w in CJK.findall(n)})
    short, longer, typed, pairs = set(), set(), set(), set()
    per_kind = count // 4 + 1
    for _ in range(per_kind * 50):
        w = rng.choice(words)
        if len(w) >= 2 and len(short) < per_kind:
            i = rng.randrange(len(w) - 1)
            short.add(w[i:i + 2])
        if len(w) >= 3 and len(longer) < per_kind:
            n = rng.randint(3, min(6, len(w)))
            i = rng.randrange(len(w) - n + 1)
            longer.add(w[i:i + n])
        s = rng.choice(standards)
        m = re.match(r"([A-Za-z/]+)\s*([\d.]+)", s)
        if m and len(typed) < per_kind:
            issuer, number = m.groups()
            issuer = rng.choice([issuer, issuer.lower(), issuer.replace("/", "")  if "/" in issuer else issuer])
            typed.add(rng.choice([f"{issuer} {number}", f"{issuer}{number}", f"{issuer}　{number}"]))
        n = rng.choice(names)
        parts = CJK.findall(n)
        if len(parts) >= 2 and len(pairs) < per_kind:
            pairs.add(f"{parts[0]} {parts[-1][-4:]}")
    kinds = [sorted(k) for k in (short, longer, typed, pairs)]
    for k in kinds:
        rng.shuffle(k)
    out = [x for group in zip(*kinds) for x in group]
    return list(dict.fromkeys(out))[:count]


def server_side(database_url: str, questions: list[str], n: int) -> tuple[float, float, float]:
    """(median, p95, median CPU) ms of the keyword search API in-process, answer cache off. The CPU
    time is this process's only (with SQLite, all of the work; with PostgreSQL, not the server's):
    on a shared machine it is the figure that other processes' load does not inflate."""
    code = f"""
import statistics, sys, time
from urllib.parse import quote
from registry import create_app
app = create_app({{"SQLALCHEMY_DATABASE_URI": {database_url!r}, "API_RESPONSE_CACHE": 0,
                  "RATELIMIT_ENABLED": False}})
client = app.test_client()
questions = {questions[:n]!r}
for k in questions[:10]:
    client.get("/api/v1/capabilities?q=" + quote(k) + "&limit=20")
times, cpu = [], []
for k in questions:
    t, c = time.perf_counter(), time.process_time()
    r = client.get("/api/v1/capabilities?q=" + quote(k) + "&limit=20")
    times.append((time.perf_counter() - t) * 1000)
    cpu.append((time.process_time() - c) * 1000)
    assert r.status_code == 200, (k, r.status_code)
times.sort()
print(statistics.median(times), times[int(len(times) * 0.95)], statistics.median(cpu))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    median, p95, cpu = out.stdout.split()[-3:]
    return float(median), float(p95), float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg", required=True, help="registry database on PostgreSQL (imported)")
    parser.add_argument("--sqlite", help="the same data in a registry SQLite database (imported)")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--datasette-venv", type=Path, default=Path("/tmp/datasette-venv"))
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/registry-bench-vs-datasette"))
    parser.add_argument("--questions", type=int, default=1200)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=1, help="runs of each side, taking turns (median reported)")
    parser.add_argument("--port", type=int, default=20110, help="first of five ports")
    parser.add_argument("--in-process", type=int, default=300, help="questions timed server-side")
    parser.add_argument("--server-side-only", action="store_true", help="skip the wrk runs")
    parser.add_argument("--scenario", action="append", choices=("keyword", "list", "detail"),
                        help="only these scenarios (repeat; default: all three)")
    parser.add_argument("--baseline", type=Path, help="a second checkout (e.g. `git worktree add /tmp/base main`) "
                        "served side by side on PostgreSQL as 'baseline PG', with this venv")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)

    questions = distinct_questions(args.data, args.questions)
    if args.server_side_only:
        print_server_side(args, questions)
        return
    datasette_db = args.workdir / "bench.db"
    if not datasette_db.exists():
        load_datasette(args.datasette_venv, args.data, datasette_db)
    with open(args.data / "facilities.csv", encoding="utf-8") as stream:
        ids = [row["facility_id"] for row in csv.DictReader(stream)]

    env = {**os.environ, "SECRET_KEY": "bench", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
           "RATELIMIT_KEY_PREFIX": f"bench-{os.getpid()}", "API_RATE_LIMIT_ANONYMOUS": "100000000 per minute"}
    sides = [("registry PG", {"DATABASE_URL": args.pg, "API_RESPONSE_CACHE": "0"}),
             ("registry PG+cache", {"DATABASE_URL": args.pg})]
    if args.sqlite:
        sides.append(("registry SQLite", {"DATABASE_URL": args.sqlite, "API_RESPONSE_CACHE": "0"}))
    if args.baseline:  # its own code first on the path, this venv's packages
        sides.append(("baseline PG", {"DATABASE_URL": args.pg, "API_RESPONSE_CACHE": "0",
                                      "PYTHONPATH": str(args.baseline.resolve())}))
    servers, bases = [], {}
    for i, (name, extra) in enumerate(sides):
        port = args.port + i
        cwd = args.baseline if name == "baseline PG" else ROOT
        servers.append(subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "2", "--bind",
                                         f"127.0.0.1:{port}", "registry:create_app()"], cwd=cwd,
                                        env={**env, **extra}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        bases[name] = f"http://127.0.0.1:{port}"
    ds_port = args.port + len(sides)
    servers.append(subprocess.Popen(
        [str(args.datasette_venv / "bin" / "datasette"), "serve", str(datasette_db), "--port", str(ds_port),
         "--setting", "max_returned_rows", "2000", "--setting", "sql_time_limit_ms", "20000",
         "--setting", "facet_time_limit_ms", "20000", "--setting", "suggest_facets", "off"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    bases["datasette"] = f"http://127.0.0.1:{ds_port}"
    pairs = [(d, k) for d in DISTRICTS for k in KINDS]
    scenarios = [
        (SCENARIOS["keyword"],
         [f"/api/v1/capabilities?q={q(k)}&limit=20" for k in questions],
         [f"/bench/capabilities.json?_search={q(k)}&_size=20&_facet=discipline" for k in questions]),
        (SCENARIOS["list"],
         [f"/api/v1/facilities?district={d}&kind={k}&limit=20" for d, k in pairs],
         [f"/bench/facilities.json?district_code={d}&kind={k}&_size=20" for d, k in pairs]),
        (SCENARIOS["detail"],
         [f"/api/v1/facilities/{q(i)}" for i in ids],
         [f"/bench/facilities/{q(i)}.json" for i in ids]),
    ]
    if args.scenario:
        wanted = {SCENARIOS[k] for k in args.scenario}
        scenarios = [s for s in scenarios if s[0] in wanted]
    try:
        for name, base in bases.items():
            wait_for(base + ("/bench.json" if name == "datasette" else "/api/v1/openapi.json"), 120)
        kinds = {"2-char": sum(len(x) == 2 for x in questions)}
        print(f"{len(questions)} distinct questions ({kinds['2-char']} of 2 characters); wrk -t2 -c8, "
              f"{args.seconds} s per run; gunicorn 2 workers; {os.cpu_count()} cores")
        print(f"{'scenario':<31} {'side':<18} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7} {'load':>6}")
        results: dict[tuple, list[dict]] = {}
        for scenario, api_paths, ds_paths in scenarios:
            for name, base in bases.items():
                paths = ds_paths if name == "datasette" else api_paths
                warm(base, paths[:10])  # per-process caches that do not depend on the question (the search
                time.sleep(2)  # postings among them: built in the background beyond 500,000 capabilities)
                warm(base, paths[10:20])
            names = list(bases)
            for round_ in range(args.rounds):  # the sides take turns: a shared machine's speed drifts; the
                # order turns each round, so that no side is always the one measured next to Datasette
                for name in names[round_ % len(names):] + names[:round_ % len(names)]:
                    base = bases[name]
                    paths = ds_paths if name == "datasette" else api_paths
                    r = run_wrk(base, paths, args.seconds, args.workdir)
                    r["load"] = os.getloadavg()[0]
                    results.setdefault((scenario, name), []).append(r)
                    print(f"{scenario:<31} {name:<18} {r['rps']:8.1f} {r['p50']:8.1f} {r['p95']:8.1f} "
                          f"{r['errors']:7d} {r['load']:6.2f}  round {round_ + 1}", flush=True)
        print(f"\nratio to Datasette (req/s; p95), the median of {args.rounds} round(s) and each round's:")
        for scenario, _a, _d in scenarios:
            d = results[(scenario, "datasette")]
            for name in bases:
                if name != "datasette":
                    a = results[(scenario, name)]
                    ratios = [x["rps"] / y["rps"] for x, y in zip(a, d)]
                    p95s = statistics.median(x["p95"] for x in a), statistics.median(y["p95"] for y in d)
                    print(f"  {scenario:<31} {name:<18} {statistics.median(ratios):6.2f}x "
                          f"({', '.join(f'{r:.2f}' for r in ratios)}), p95 {p95s[0]:.0f} vs {p95s[1]:.0f} ms")
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)
    print_server_side(args, questions)


def print_server_side(args, questions: list[str]) -> None:
    print("\nserver-side keyword search, in-process, answer cache off:")
    for name, url in (("PostgreSQL", args.pg), ("SQLite", args.sqlite)):
        if url:
            t = time.time()
            median, p95, cpu = server_side(url, questions, args.in_process)
            print(f"  {name:<11} median {median:6.1f} ms  p95 {p95:6.1f} ms  median CPU {cpu:5.1f} ms  "
                  f"({args.in_process} questions, load {os.getloadavg()[0]:.2f}, {time.time() - t:.0f} s)")

if __name__ == "__main__":
    main()
