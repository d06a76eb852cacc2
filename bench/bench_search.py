"""Benchmark of search_facilities (issue 3): first page with facets, server-side.

Needs a loaded database (1,500 facilities / 300,000 capabilities):

    python -m seeds.generate --facilities 1500 --capabilities 300000 --out /tmp/bench
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 flask --app registry db upgrade
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 flask --app registry import /tmp/bench
    python bench/bench_search.py --database-url sqlite:////tmp/bench.sqlite3 [--runs 50]

Prints median and p95 per kind of search (keyword 2-char, keyword longer, standard,
range, near). Targets: < 50 ms median, < 150 ms p95.
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
from registry.services.search import parse_search_args, search_facilities  # noqa: E402

KINDS = {
    "keyword 2-char": [{"q": "电阻"}, {"q": "压力"}, {"q": "食品"}, {"q": "温度"}],
    "keyword longer": [{"q": "导体直流电阻"}, {"q": "活塞式压力计"}, {"q": "萧山 压力"}, {"q": "农药残留"}],
    "standard": [{"q": "GB/T 3048.4"}, {"q": "gb/t3048.4-2007"}, {"q": "ＧＢ／Ｔ　３０４８．４"}, {"q": "JJG 52"}],
    "range": [{"quantity": "压力", "value": "50", "unit": "MPa"}, {"value": "100", "unit": "℃"},
              {"value": "1", "unit": "kΩ"}, {"quantity": "压力", "value": "500", "unit": "kPa"}],
    "near": [{"near": "120.26,30.18", "radius_km": "10"}, {"near": "120.16,30.27", "radius_km": "5", "q": "检测"},
             {"near": "120.27,30.17", "radius_km": "20", "sort": "distance"},
             {"near": "119.95,30.05", "radius_km": "15", "q": "压力"}],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url})
    today = date(2026, 11, 25)
    with app.app_context():
        print(f"database {args.database_url.split('@')[-1]}; {args.runs} runs per kind")
        print(f"{'kind':<16} {'median ms':>10} {'p95 ms':>8} {'facilities':>11}")
        for kind, queries in KINDS.items():
            parsed = [parse_search_args(q)[0] for q in queries]
            for query in parsed:  # warm caches (pint, plans)
                search_facilities(db.session, query, today)
            times, totals = [], []
            for run in range(args.runs):
                query = parsed[run % len(parsed)]
                start = time.perf_counter()
                result = search_facilities(db.session, query, today)
                times.append((time.perf_counter() - start) * 1000)
                totals.append(result.total)
                db.session.rollback()
            times.sort()
            p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
            print(f"{kind:<16} {statistics.median(times):>10.1f} {p95:>8.1f} "
                  f"{'/'.join(str(t) for t in totals[:len(parsed)]):>11}")


if __name__ == "__main__":
    main()
