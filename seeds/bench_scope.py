"""A 3,000-item CNAS testing scope (the example's 8 items under 375 objects): import, re-import, dry run and
export time, and memory (issue 12's closing note). A fresh SQLite database in OUT unless a URL is given.

    python -m seeds.bench_scope OUT [DATABASE_URL]        # times
    TRACE=1 python -m seeds.bench_scope OUT                # Python's peak allocation too (tracemalloc: slower)
"""
import os
import resource
import sys
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

import flask_migrate

from registry import create_app
from registry.extensions import db
from registry.services.districts import sync_districts
from registry.services.records.scope_import import export_scope, import_scope
from registry.services.records.scopes import read_scope, write_scope
from tests.factories import facility, run, write_dataset

TRACE = bool(os.environ.get("TRACE"))
out = Path(sys.argv[1])
url = sys.argv[2] if len(sys.argv) > 2 else f"sqlite:///{out / 'bench.sqlite3'}"
out.mkdir(parents=True, exist_ok=True)
base = read_scope("seeds/examples/cnas_testing.xlsx").items
items = [replace(i, object=f"{i.object}{n}", seq=f"{n}.{i.seq.split('.')[1]}", sheet="能力范围")
         for n in range(1, 376) for i in base]
scope = write_scope(out / "cnas3000.xlsx", items)
print("items", len(items), "file bytes", scope.stat().st_size)
app = create_app({"SQLALCHEMY_DATABASE_URI": url})
with app.app_context():
    if url.startswith("postgresql"):
        flask_migrate.downgrade(revision="base")
    flask_migrate.upgrade()
    sync_districts(db.session, app.config["DISTRICTS_GEOJSON"], app.config["DISTRICTS_CSV"])
    with app.test_request_context():
        run(db.session, write_dataset(out / "base", [facility(1)]))
    for label, kwargs in (("first import", {}), ("re-import, unchanged", {}), ("dry run", {"dry_run": True})):
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start() if TRACE else None
        t = time.perf_counter()
        report = import_scope(db.session, scope, "F0001", actor="bench", **kwargs)
        elapsed = time.perf_counter() - t
        _now, peak = tracemalloc.get_traced_memory() if TRACE else (0, 0)
        tracemalloc.stop() if TRACE else None
        print(f"{label}: {elapsed:.2f} s, {dict(report.counts)}, python peak {peak / 2**20:.1f} MiB, "
              f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB "
              f"(before {rss0 / 1024:.0f})")
    t = time.perf_counter()
    export_scope(db.session, "F0001", out / "export.xlsx")
    print(f"export: {time.perf_counter() - t:.2f} s")
