"""Benchmark: what counting unmet demand adds to a search (issue 15, item 6).

Times `search_facilities` alone and followed by `record_search` (what the search page does), for a
search that finds something (nothing is written) and one that finds nothing (its count queued; the
writer thread upserts it in a batch, on its own connection, while the next searches run).
Needs a migrated, loaded database, e.g. the demo data:

    DATABASE_URL=sqlite:////tmp/unmet.sqlite3 flask --app registry db upgrade
    DATABASE_URL=sqlite:////tmp/unmet.sqlite3 flask --app registry seed
    python bench/bench_unmet.py --database-url sqlite:////tmp/unmet.sqlite3 [--runs 200]

Writes rows into unmet_demand (month 2026-11): use a scratch database.
"""
import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from registry import create_app  # noqa: E402
from registry.extensions import db  # noqa: E402
from registry.services.audit.unmet import flush, record_search  # noqa: E402
from registry.services.search import parse_search_args, search_facilities  # noqa: E402

QUERIES = {
    "found (no write)": [{"q": "压力"}, {"q": "电阻", "near": "120.26,30.18"}],
    "nothing (1 upsert)": [{"q": "量子陀螺仪校准", "district": "330127"}, {"q": "不存在的项目", "near": "119.0,29.6"}],
}


def timed(runs: int, call) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
        db.session.rollback()
    return sorted(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url})
    today = date(2026, 11, 25)
    with app.app_context():
        print(f"database {args.database_url.split('@')[-1]}; {args.runs} runs each")
        print(f"{'search':<20} {'with':<6} {'median ms':>10} {'p95 ms':>8}")
        for kind, raw in QUERIES.items():
            queries = [parse_search_args(q)[0] for q in raw]
            state = {"n": 0}

            def search_only():
                state["n"] += 1
                query = queries[state["n"] % len(queries)]
                return query, search_facilities(db.session, query, today)

            def search_and_record():
                query, result = search_only()
                record_search(db.session, query, result.total, result.nearest_km, today, app.config)

            for call in (search_only, search_and_record):  # warm both paths
                call()
            answers = [search_only() for _ in queries]

            def record_only():
                state["n"] += 1
                query, result = answers[state["n"] % len(answers)]
                record_search(db.session, query, result.total, result.nearest_km, today, app.config)

            for label, call in (("search", search_only), ("+count", search_and_record), ("count", record_only)) * 2:
                times = timed(args.runs, call)
                flush()  # the writer's batches done before the next timing starts
                p95 = times[int(0.95 * (len(times) - 1))]
                print(f"{kind:<20} {label:<6} {statistics.median(times):>10.2f} {p95:>8.2f}")


if __name__ == "__main__":
    main()
