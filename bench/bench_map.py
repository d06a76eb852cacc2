"""Benchmark of the results map at scale (issue 3): page size, time to markers, requests off-host.

For each N (10,000 and 50,000 by default) it builds a fresh SQLite database with N located facilities
(inserted directly: random points inside Hangzhou's districts, mixed kinds), serves the app with
gunicorn (2 workers) on 127.0.0.1, opens the results map in headless Chromium (Playwright driving
/usr/bin/chromium, no browser download) with an empty cache, and prints:

  html_kb      size of the map page's HTML (uncompressed)
  data_kb      bytes of the facilities GeoJSON on the wire (gzip) / uncompressed
  markers_s    navigation start -> every marker added to its cluster group and painted
               (window.registryMarkersReady, set by registry-map.js), median of the runs
  offhost      requests to any host other than 127.0.0.1 (must be 0)

Targets (2-core machine): 10,000 -> HTML < 300 KB and markers < 0.8 s; 50,000 -> markers < 2 s.

    python bench/bench_map.py [--sizes 10000 50000] [--runs 3] [--path /map] [--keep DIR]

BENCH_VERBOSE=1 prints the browser-side timings of each run (fetched, per-kind indexed, ready; ms).
Each size runs twice: with the server's points cache off (every request queries and encodes) and on.

Needs `pip install playwright gunicorn` and the vendored assets (npm ci && python scripts/vendor_assets.py).
Exit code 1 when a target is missed.
"""
import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-default-apps", "--disable-extensions"]
TARGETS = {10_000: (300, 0.8), 50_000: (None, 2.0)}  # N -> (HTML KB, seconds)
KINDS = ("metrology", "testing", "certification")
KIND_WEIGHTS = (0.15, 0.7, 0.15)


def build_database(url: str, count: int, seed: int = 3) -> None:
    """A migrated database with the districts and `count` located, active facilities."""
    env = dict(os.environ, DATABASE_URL=url)
    subprocess.run([sys.executable, "-m", "flask", "--app", "registry", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    os.environ["DATABASE_URL"] = url
    import numpy as np
    import shapely

    from geo.districts import load_districts
    from registry import create_app
    from registry.extensions import db
    from registry.identifiers import make_uscc
    from registry.models import Facility
    from registry.services.districts import sync_districts

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        sync_districts(db.session, app.config["DISTRICTS_GEOJSON"], app.config["DISTRICTS_CSV"])
        db.session.commit()
        districts = load_districts(app.config["DISTRICTS_GEOJSON"])
        rng = np.random.default_rng(seed)
        minx, miny, maxx, maxy = districts.total_bounds
        lons, lats, codes = [], [], []
        geoms = list(zip(districts["code"], districts.geometry))
        while len(lons) < count:
            x = rng.uniform(minx, maxx, count)
            y = rng.uniform(miny, maxy, count)
            for code, geom in geoms:
                inside = shapely.contains_xy(geom, x, y)
                lons.extend(x[inside].round(6).tolist())
                lats.extend(y[inside].round(6).tolist())
                codes.extend([code] * int(inside.sum()))
        order = rng.permutation(len(lons))[:count]
        pick = random.Random(seed)
        now = datetime.now(timezone.utc)
        rows = []
        for n, i in enumerate(order, start=1):
            kind = pick.choices(KINDS, KIND_WEIGHTS)[0]
            rows.append({
                "facility_id": f"B{n:06d}", "name": f"杭州基准检测站{n}号", "name_en": f"Bench Lab {n}",
                "kind": kind, "ownership": pick.choice(("state", "private")), "level": None,
                "uscc": make_uscc("91330106", f"{n:08d}"), "org_name": None, "district_code": codes[i],
                "address": None, "lon": lons[i], "lat": lats[i], "shared": pick.random() < 0.5,
                "status": "active", "created_at": now, "updated_at": now, "version": 1, "demo": False,
            })
        for start in range(0, len(rows), 5000):
            db.session.execute(Facility.__table__.insert(), rows[start:start + 5000])
        db.session.commit()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(url: str, port: int, cache: bool) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=url)
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
    if gunicorn:
        command = [gunicorn, "--workers", "2", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
                   "registry:create_app()" if cache else "registry:create_app({'MAP_POINTS_CACHE': 0})"]
    else:  # werkzeug's threaded server
        command = [sys.executable, "-m", "flask", "--app", "registry", "run", "--port", str(port), "--with-threads"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/map/districts.geojson", timeout=2).read()
            return process
        except OSError:
            if process.poll() is not None:
                sys.exit(f"server failed: {process.stderr.read().decode()}")
            time.sleep(0.2)
    process.terminate()
    sys.exit("server did not start")


def measure(browser, base: str, path: str) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    offhost, sizes = [], {}

    def on_request(request):
        host = request.url.split("/")[2] if "://" in request.url else ""
        if request.url.startswith(("http://", "https://", "ws://", "wss://")) and \
                not host.startswith("127.0.0.1"):
            offhost.append(request.url)

    def on_response(response):
        if "facilities.geojson" in response.url or response.url == base + path:
            sizes[response.url] = (response.headers.get("content-length"), response.headers.get("content-encoding"))

    page.on("request", on_request)
    page.on("response", on_response)
    response = page.goto(base + path, wait_until="commit")
    html = response.body()
    # Polled with evaluate(): wait_for_function evals its predicate in the page, which the app's CSP refuses.
    deadline = time.monotonic() + 60
    while not page.evaluate("window.registryMarkersReady !== undefined || window.registryMarkersError !== undefined"):
        if time.monotonic() > deadline:
            raise TimeoutError("the map's markers did not finish within 60 s")
        time.sleep(0.05)
    result = page.evaluate("""() => ({ready: window.registryMarkersReady, count: window.registryMarkerCount,
                                      error: window.registryMarkersError || null, timings: window.registryTimings,
                                      data: performance.getEntriesByType('resource')
                                        .filter(e => e.name.includes('facilities.geojson'))
                                        .map(e => ({wire: e.transferSize, body: e.decodedBodySize,
                                                    start: e.startTime, end: e.responseEnd}))})""")
    page.wait_for_timeout(300)  # let anything late (tiles, fonts) show up in the request log
    context.close()
    if result["error"]:
        sys.exit(f"map error: {result['error']}")
    data = result["data"][0] if result["data"] else {}
    if os.environ.get("BENCH_VERBOSE"):
        print({k: round(v) for k, v in (result["timings"] or {}).items()}, round(result["ready"]))
    return {"html": len(html), "seconds": result["ready"] / 1000, "count": result["count"], "offhost": offhost,
            "wire": data.get("wire"), "body": data.get("body"),
            "fetch": ((data.get("end", 0) - data.get("start", 0)) / 1000) if data else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--path", default="/map", help="the page holding the results map (%(default)s)")
    parser.add_argument("--keep", type=Path, help="keep the databases in this folder")
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-map-"))
    folder.mkdir(parents=True, exist_ok=True)
    missed = False
    print(f"{'N':>7} {'cache':>5} {'html_kb':>8} {'data_kb gz/raw':>16} {'fetch_s':>8} {'markers_s':>10} "
          f"{'runs':>22} offhost")
    for size in args.sizes:
        db_file = folder / f"map-{size}.sqlite3"
        url = f"sqlite:///{db_file}"
        if not db_file.exists():
            subprocess.run([sys.executable, __file__, "--build-only", str(size), url], check=True)
        for cache in (False, True):
            missed |= run_size(args, size, url, cache)
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if missed else 0


def run_size(args, size: int, url: str, cache: bool) -> bool:
    from playwright.sync_api import sync_playwright
    missed = False
    port = free_port()
    server = serve(url, port, cache)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            measure(browser, f"http://127.0.0.1:{port}", args.path)  # warm the server (imports, caches)
            runs = [measure(browser, f"http://127.0.0.1:{port}", args.path) for _ in range(args.runs)]
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    seconds = statistics.median(r["seconds"] for r in runs)
    html_kb = runs[0]["html"] / 1024
    offhost = sorted({u for r in runs for u in r["offhost"]})
    count = runs[0]["count"]
    data = f"{(runs[0]['wire'] or 0) / 1024:.0f}/{(runs[0]['body'] or 0) / 1024:.0f}"
    fetch = statistics.median(r["fetch"] for r in runs if r["fetch"] is not None)
    print(f"{size:>7} {'yes' if cache else 'no':>5} {html_kb:>8.1f} {data:>16} {fetch:>8.3f} {seconds:>10.3f} "
          f"{' '.join(format(r['seconds'], '.2f') for r in runs):>22} {len(offhost)}")
    for u in offhost[:10]:
        print(f"        off-host request: {u}")
    html_target, seconds_target = TARGETS.get(size, (None, None))
    if count != size:
        print(f"        markers drawn: {count}, expected {size}")
        missed = True
    if (html_target and html_kb >= html_target) or (seconds_target and seconds >= seconds_target) or offhost:
        print(f"        MISSED target for {size}: html < {html_target} KB, markers < {seconds_target} s, 0 off-host")
        missed = True
    return missed


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--build-only":
        build_database(sys.argv[3], int(sys.argv[2]))
        sys.exit(0)
    sys.exit(main())
