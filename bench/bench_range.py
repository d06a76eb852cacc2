"""Range search on realistic scope data (issue 12 item 4): server time of a search by value and unit.

Loads the realistic generator's data: facilities and the v1 capabilities of the facilities without a scope
file, then each scope file through import-scope, a metrology facility's items of one instrument and method
joined into one item with contiguous range segments (0~1, 1~10, 10~100 MPa) as real calibration scopes
list them. Then times the results page's search and the API's capability count for a few values.

    python -m seeds.generate --facilities 120 --capabilities 6000 --vocabulary realistic --scope-files 120 \\
        --out /tmp/range-data
    python bench/bench_range.py --data /tmp/range-data --database-url sqlite:////tmp/range.sqlite3 --load
    python bench/bench_range.py --data /tmp/range-data --database-url URL [--runs 30]   # times only

Prints, per query, median and p95 (ms) and what was found (facilities / capabilities).
"""
import argparse
import csv
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import flask_migrate
from flask import current_app
from sqlalchemy import text

from registry import create_app
from registry.extensions import db
from registry.services.districts import district_locator, sync_districts
from registry.services.records.importing import import_dataset
from registry.services.records.scope_import import import_scope
from registry.services.records.scopes import read_scope, write_scope
from registry.services.search import parse_search_args, search_facilities
from registry.services.search.matching import match_capabilities

QUERIES = [{"quantity": "压力", "value": "50", "unit": "MPa"}, {"value": "100", "unit": "℃"},
           {"value": "500", "unit": "V"}, {"value": "1500", "unit": "A"}, {"value": "15", "unit": "kV"},
           {"value": "200", "unit": "g"}]
TODAY = date(2026, 11, 25)


def joined(items):
    """Items of one (object, parameter, methods) as one item whose segments follow each other."""
    groups: dict[tuple, list] = {}
    for item in items:
        groups.setdefault((item.object, item.parameter, item.methods, item.service), []).append(item)
    out = []
    for group in groups.values():
        segments = sorted((s for i in group for s in i.ranges), key=lambda s: (s.unit, s.max or 0))
        contiguous, previous = [], None
        for s in segments:
            if previous is not None and previous.unit == s.unit and previous.max is not None and (
                    s.max is None or s.max > previous.max):
                s = replace(s, min=previous.max, min_unit="", text=f"({previous.max}～{s.max}) {s.unit}")
            contiguous.append(s)
            previous = s
        out.append(replace(group[0], ranges=tuple(contiguous)))
    return out


def load(data: Path) -> None:
    scopes = sorted((data / "scopes").glob("*.xlsx"))
    with_scope = {p.stem for p in scopes}
    with tempfile.TemporaryDirectory() as folder:
        v1 = Path(folder)
        (v1 / "facilities.csv").write_bytes((data / "facilities.csv").read_bytes())
        with (data / "capabilities.csv").open(encoding="utf-8") as src, \
                (v1 / "capabilities.csv").open("w", encoding="utf-8", newline="") as dst:
            rows = csv.DictReader(src)
            out = csv.DictWriter(dst, rows.fieldnames)
            out.writeheader()
            out.writerows(r for r in rows if r["facility_id"] not in with_scope)
        locator = district_locator(current_app.config["DISTRICTS_GEOJSON"])
        report = import_dataset(db.session, [v1 / "facilities.csv", v1 / "capabilities.csv"], locator=locator,
                                actor="bench")
        assert report.outcome == "committed", report.errors[:3]
        for path in scopes:
            items = read_scope(path).items
            if items and items[0].layout == "cnas-calibration":
                items = joined(items)
                path = write_scope(v1 / path.name, items)
            report = import_scope(db.session, path, path.stem, actor="bench")
            assert report.outcome == "committed", [p.message("en") for p in report.errors]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--load", action="store_true", help="empty the database and load --data first")
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url})
    with app.app_context(), app.test_request_context():
        if args.load:
            flask_migrate.downgrade(revision="base")
            flask_migrate.upgrade()
            sync_districts(db.session, app.config["DISTRICTS_GEOJSON"], app.config["DISTRICTS_CSV"])
            load(args.data)
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect() as connection:
                    connection.execute(text("ANALYZE"))
        counts = db.session.execute(text("SELECT (SELECT count(*) FROM capabilities), "
                                         "(SELECT count(*) FROM capability_ranges)")).one()
        print(f"{args.database_url.split('@')[-1]}: {counts[0]} capabilities, {counts[1]} range segments; "
              f"{args.runs} runs each")
        print(f"{'query':<22} {'page ms':>8} {'p95':>6} {'api ms':>7} {'p95':>6}  found (facilities/capabilities)")
        for raw in QUERIES:
            query = parse_search_args(raw)[0]
            search_facilities(db.session, query, TODAY)  # warm pint and the caches every search shares
            page, api = [], []
            for _ in range(args.runs):
                t = time.perf_counter()
                result = search_facilities(db.session, query, TODAY)
                page.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                total = match_capabilities(db.session, query, TODAY).total
                api.append((time.perf_counter() - t) * 1000)
                db.session.rollback()
            label = " ".join(str(v) for v in raw.values())
            print(f"{label:<22} {statistics.median(page):>8.1f} {p95(page):>6.1f} {statistics.median(api):>7.1f} "
                  f"{p95(api):>6.1f}  {result.total}/{total}")


def p95(times: list[float]) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]


if __name__ == "__main__":
    main()
