"""Benchmark of the audit dashboard (issue 6): server time of its figures on a large registry.

Generates 1,500 facilities / 300,000 capabilities with seeds.generate and imports them into a fresh
database (`flask import`, as bench_import.py does; --reuse keeps a database already loaded in
--workdir), then, in one process through the app's test client (server time, no network):

  district table   the service alone, and GET /audit/ (table page)
  choropleth       GET /audit/map?figure=...  (folium page with the 13 districts)
  grid             building the 1 km population grid (once per process)
  accessibility    GET /audit/access/map (E2SFCA over the grid, ~17,000 cells, classified, rendered)
  gaps             GET /audit/gaps

each cold (cache emptied: the first request after the data changed) and cached (same data version),
median of --runs. Baseline, measured side by side: GET / (the home page's counts), so that the
figures can be compared across machines as ratios. Targets: table and choropleth < 1 s, grid < 3 s.

Then the same with a demand layer of --demand-points points (default 100,000 enterprises spread over
the city's cells) imported as `flask demand import` does: the import itself, and the district table,
the choropleth, the accessibility grid, the access page, the difference map and the sensitivity table
computed with that layer (targets as above; sensitivity is 12 E2SFCA runs, no target).

    python bench/bench_audit.py [--facilities 1500] [--capabilities 300000] [--runs 5]
                                [--database-url URL] [--workdir DIR] [--reuse] [--demand-points 100000]
                                [--vocabulary demo|realistic]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
FLASK = [sys.executable, "-m", "flask", "--app", "registry"]
TARGETS = {"district table": 1.0, "table page": 1.0, "choropleth": 1.0, "accessibility": 3.0,
           "layer: district table": 1.0, "layer: choropleth": 1.0, "layer: accessibility": 3.0}


def run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stdout}\n{result.stderr}")


def load(args, env: dict, workdir: Path) -> None:
    data = workdir / "data"
    start = time.perf_counter()
    run([sys.executable, "-m", "seeds.generate", "--facilities", str(args.facilities), "--capabilities",
         str(args.capabilities), "--seed", "7", "--out", str(data), "--as-of", date.today().isoformat(),
         "--vocabulary", args.vocabulary], env)
    run(FLASK + ["db", "downgrade", "base"], env)
    run(FLASK + ["db", "upgrade"], env)
    run(FLASK + ["import", str(data), "--lang", "en"], env)
    print(f"generated and imported in {time.perf_counter() - start:.0f} s")


def timed(fn, runs: int, clear=None) -> float:
    times = []
    for _ in range(runs):
        if clear:
            clear()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def signed_in_auditor(session):
    """A city-wide auditor to read the pages as (made on the first run)."""
    from registry.models import User
    from registry.services.accounts.users import create_user

    auditor = session.query(User).filter_by(email="auditor@bench.cn").one_or_none()
    if auditor is None:
        auditor = create_user(session, email="auditor@bench.cn", password="bench auditor password", role="auditor")
        session.commit()
    return auditor


def import_demand_layer(app, session, n: int, workdir: Path) -> int:
    """A CSV of `n` enterprise points spread over the city's cells (each within its 1 km cell), imported as
    a demand layer through the service `flask demand import` uses; prints the file's size and the time."""
    import numpy as np

    from geo.access import _TO_WGS84
    from registry.services.audit import accessibility as audit_access
    from registry.services.audit import demand

    grid = audit_access.resident_grid(app.config["DISTRICTS_GEOJSON"], audit_access.populations(session))
    rng = np.random.default_rng(7)
    cells = rng.integers(0, len(grid), n)
    lon, lat = _TO_WGS84.transform(grid.x[cells] + rng.uniform(-490, 490, n), grid.y[cells] + rng.uniform(-490, 490, n))
    weight = rng.integers(1, 50, n)
    path = workdir / "enterprises.csv"
    with path.open("w", encoding="utf-8") as stream:
        stream.write("lon,lat,weight\n")
        stream.writelines(f"{x:.6f},{y:.6f},{w}\n" for x, y, w in zip(lon, lat, weight))
    start = time.perf_counter()
    layer = demand.import_demand_layer(session, path.name, path.read_bytes(), grid, name="bench enterprises",
                                       kind="enterprises", year=2024, source="bench_audit.py (random)")
    print(f"demand layer: {n:,} points ({path.stat().st_size / 2 ** 20:.1f} MB) onto {len(layer.cells):,} cells, "
          f"imported in {time.perf_counter() - start:.2f} s")
    return layer.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--facilities", type=int, default=1500)
    parser.add_argument("--capabilities", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", help="default: a SQLite file in the work folder")
    parser.add_argument("--workdir", type=Path, help="default: a temporary folder")
    parser.add_argument("--reuse", action="store_true", help="use the database as it is (already loaded)")
    parser.add_argument("--demand-points", type=int, default=100_000, help="0: no demand-layer rows")
    parser.add_argument("--vocabulary", choices=("demo", "realistic"), default="demo",
                        help="seeds.generate's item names: realistic has tens of thousands of distinct items")
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="registry-audit-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url}
    if not args.reuse:
        load(args, env, workdir)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("ACCESS_LOG", "")  # the table below, not a JSON line per request

    from sqlalchemy import func, select

    from registry import create_app
    from registry.extensions import db
    from registry.models import Capability, Facility
    from registry.services.audit import accessibility as audit_access
    from registry.services.audit import district_table as audit
    from registry.services.audit.cache import cache, cached

    app = create_app()
    client = app.test_client()
    with app.app_context():
        auditor = signed_in_auditor(db.session)
        with client.session_transaction() as cookie:  # the audit pages are for auditors
            cookie["_user_id"], cookie["_fresh"] = auditor.session_token, True
            cookie["signed_in_at"] = int(time.time())  # a sign-in's absolute lifetime starts here (web/security.py)
        facilities = db.session.scalar(select(func.count()).select_from(Facility))
        capabilities = db.session.scalar(select(func.count()).select_from(Capability))
        print(f"database {url.split('@')[-1]}: {facilities:,} facilities, {capabilities:,} capabilities")

        def get(path):
            def fetch():
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
            return fetch

        clear = cache().clear
        start = time.perf_counter()
        grid = audit_access.city_grid(app.config["DISTRICTS_GEOJSON"], audit_access.populations(db.session))
        grid_seconds = time.perf_counter() - start
        print(f"population grid: {len(grid):,} cells of 1 km, built in {grid_seconds:.2f} s (once per process)")

        rows = [
            ("baseline GET /", get("/"), None),
            ("district table", lambda: cached(db.session, "bench_table", (date.today(),),
                                              lambda: audit.district_table(db.session, date.today())), None),
            ("table page", get("/audit/"), None),
            ("choropleth", get("/audit/map?figure=capabilities_per_100k&scheme=natural_breaks"), None),
            ("choropleth+markers", get("/audit/map?figure=facilities&markers=1"), None),
            ("accessibility", get("/audit/access/map?catchment_km=30"), None),
            ("access page", get("/audit/access?catchment_km=30"), None),
            ("gaps page", get("/audit/gaps"), None),
            ("report page", get("/audit/report"), None),
        ]
        if args.demand_points:
            layer_id = import_demand_layer(app, db.session, args.demand_points, workdir)
            query = f"demand={layer_id}"
            rows += [
                ("layer: district table", lambda: audit.district_table(db.session, date.today()), None),
                ("layer: choropleth", get(f"/audit/map?figure=capabilities_per_100k&{query}"), None),
                ("layer: accessibility", get(f"/audit/access/map?catchment_km=30&{query}"), None),
                ("layer: access page", get(f"/audit/access?catchment_km=30&{query}"), None),
                ("layer: difference", get(f"/audit/access/map?catchment_km=30&vs_catchment_km=10&{query}"), None),
                ("layer: sensitivity", get(f"/audit/access/sensitivity?{query}"), None),
            ]
        baseline = None
        print(f"{'what':<22} {'cold s':>8} {'cached s':>9} {'cold/base':>10} {'target':>7}")
        missed = []
        for name, fn, _ in rows:
            cold = timed(fn, args.runs, clear)
            warm = timed(fn, args.runs)
            baseline = baseline or cold
            target = TARGETS.get(name)
            if target and cold > target:
                missed.append(name)
            print(f"{name:<22} {cold:8.3f} {warm:9.3f} {cold / baseline:10.1f} "
                  f"{'< ' + str(target) if target else '':>7}")
    if missed:
        sys.exit(f"targets missed: {', '.join(missed)}")


if __name__ == "__main__":
    main()
