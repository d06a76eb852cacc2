"""Benchmark of a province on one machine (issue 16 item 3): how import, size and search grow with the data.

For each data set given (`--set LABEL=DATA_DIR=DATABASE_URL`, e.g. 300k and 2M rows of
`python -m seeds.generate --vocabulary realistic`), side by side:

  import s / re-import s / peak MiB   `flask --app registry import DATA` as its own process on an emptied
                                      database (db downgrade base + upgrade), then the same files again
                                      (everything unchanged): wall time and max RSS (bench_import.timed)
  database MiB                        pg_database_size (SQLite: the file)
  per search kind                     median and p95 (ms) of GET /api/v1/facilities over --questions distinct
                                      questions drawn from the first set's data (seeded), each asked once,
                                      with the API's answer cache off (API_RESPONSE_CACHE=0)
  facilities GeoJSON, map             GET /api/v1/facilities.geojson, /map/facilities.geojson (points cache
                                      off, MAP_POINTS_CACHE=0) and the /map page, all located facilities

Server-side times: the Flask test client in this process (no network, no gunicorn), rate limits off.
Targets (issue 16): import of 2M < 5 min, re-import < half of it, every search kind p95 < 150 ms,
GeoJSON and map of 10,000 points < 1 s.

    python bench/bench_province.py --set 300k=/tmp/d300k=postgresql+psycopg://postgres@127.0.0.1/p300k \\
        --set 2m=/tmp/d2m=postgresql+psycopg://postgres@127.0.0.1/p2m [--no-import] [--questions 100]

--no-import times the searches on databases loaded before (the import columns then show '-').
"""
import argparse
import csv
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import unquote_plus, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from bench_import import FLASK, timed  # noqa: E402

CJK = re.compile(r"[\u4e00-\u9fff]{2,}")
DISTRICTS = ["330102", "330105", "330106", "330108", "330109", "330110", "330111", "330112", "330113",
             "330114", "330122", "330127", "330182"]
KINDS = ("2-char", "longer", "standard", "range", "near", "bbox", "combined")
PAGES = ("api geojson", "map geojson", "map page")


def sample_rows(data: Path, count: int, rng: random.Random) -> tuple[list[dict], list[dict]]:
    """About `count` capability rows spread over the file, and every facility row."""
    with (data / "facilities.csv").open(encoding="utf-8-sig") as stream:
        facilities = list(csv.DictReader(stream))
    with (data / "capabilities.csv").open(encoding="utf-8-sig") as stream:
        total = sum(1 for _ in stream) - 1
    every = max(total // count, 1)
    offset = rng.randrange(every)
    with (data / "capabilities.csv").open(encoding="utf-8-sig") as stream:
        rows = [row for number, row in enumerate(csv.DictReader(stream)) if number % every == offset]
    rng.shuffle(rows)
    return rows, facilities


def questions(data: Path, n: int, seed: int) -> dict[str, list[dict]]:
    """`n` distinct questions of each kind, drawn from the rows as users would ask (words of real names,
    standards of real rows, values inside real ranges, places near real facilities)."""
    rng = random.Random(seed)
    rows, facilities = sample_rows(data, 40 * n, rng)
    located = [f for f in facilities if f.get("lon") and f.get("lat")]
    out: dict[str, dict[str, dict]] = {kind: {} for kind in KINDS}

    def add(kind, question):
        if len(out[kind]) < n:
            out[kind].setdefault(urlencode(question, doseq=True), question)

    def word(row, length):
        runs = [r for r in CJK.findall(row["name"]) if len(r) >= length]
        if not runs:
            return None
        run = rng.choice(runs)
        start = rng.randrange(len(run) - length + 1)
        return run[start:start + length]

    def place():
        f = rng.choice(located)
        return float(f["lon"]) + rng.uniform(-0.03, 0.03), float(f["lat"]) + rng.uniform(-0.03, 0.03)

    for row in rows:
        if (two := word(row, 2)):
            add("2-char", {"q": two})
        if (longer := word(row, rng.choice((3, 4, 5, 6)))):
            add("longer", {"q": longer})
        if row.get("standards"):
            code = rng.choice(row["standards"].split(";"))
            variants = (code, code.replace(" ", ""), code.lower(), code.split("-")[0].split(":")[0])
            add("standard", {"q": rng.choice(variants)})
        if row.get("unit") and row.get("range_min") and row.get("range_max"):
            low, high = float(row["range_min"]), float(row["range_max"])
            value = f"{rng.uniform(low, high):.3g}"
            question = {"value": value, "unit": row["unit"]}
            if row.get("quantity") and rng.random() < 0.5:
                question["quantity"] = row["quantity"]
            add("range", question)
        lon, lat = place()
        near = {"near": f"{lon:.4f},{lat:.4f}", "radius_km": str(rng.choice((2, 5, 10, 20)))}
        if rng.random() < 0.5 and two:
            near["q"] = two
        if rng.random() < 0.3:
            near["sort"] = "distance"
        add("near", near)
        half = rng.choice((0.02, 0.05, 0.1, 0.2))
        box = {"bbox": f"{lon - half:.4f},{lat - half:.4f},{lon + half:.4f},{lat + half:.4f}"}
        if rng.random() < 0.5 and two:
            box["q"] = two
        add("bbox", box)
        combined = {"q": longer or two or "检测", "district": rng.sample(DISTRICTS, rng.choice((1, 2))),
                    "kind": rng.choice(("testing", "metrology", "certification"))}
        if row.get("discipline") and rng.random() < 0.5:
            combined["discipline"] = row["discipline"]
        if rng.random() < 0.3:
            combined["shared"] = "true"
        if rng.random() < 0.3:
            combined["accreditation"] = "cma"
        add("combined", combined)
    return {kind: list(found.values()) for kind, found in out.items()}


def percentile(times: list[float], share: float) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, max(int(round(share * len(times))) - 1, 0))]


def load(label: str, data: Path, url: str) -> dict:
    """Empty the database, import the data set, import it again; wall seconds and peak MiB of each."""
    env = {**os.environ, "DATABASE_URL": url}
    timed(FLASK + ["db", "downgrade", "base"], env)
    timed(FLASK + ["db", "upgrade"], env)
    print(f"[{label}] importing {data} ...", flush=True)
    seconds, peak = timed(FLASK + ["import", str(data), "--lang", "en"], env)
    print(f"[{label}] import {seconds:.1f} s, peak {peak:.0f} MiB; re-importing ...", flush=True)
    again, again_peak = timed(FLASK + ["import", str(data), "--lang", "en"], env)
    return {"import s": seconds, "re-import s": again, "peak MiB": max(peak, again_peak)}


def measure(label: str, url: str, asked: dict[str, list[dict]], page_runs: int) -> dict:
    """Server-side times of the searches and pages, in this process through the test client."""
    from sqlalchemy import func, select, text

    from registry import create_app
    from registry.extensions import db
    from registry.models import Capability, Facility
    from registry.services.search.postings import wait_for_builds

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "API_RESPONSE_CACHE": 0, "MAP_POINTS_CACHE": 0,
                      "RATELIMIT_ENABLED": False, "LOG_JSON": False, "ACCESS_LOG": ""})
    figures: dict = {}
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            size = db.session.scalar(text("SELECT pg_database_size(current_database())"))
        else:
            size = Path(engine.url.database).stat().st_size
        figures["database MiB"] = size / 2**20
        figures["facilities"] = db.session.scalar(select(func.count()).select_from(Facility))
        figures["capabilities"] = db.session.scalar(select(func.count()).select_from(Capability))
        db.session.remove()
    client = app.test_client()

    def get(path: str) -> tuple[float, bytes]:
        start = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            sys.exit(f"[{label}] {path}: {response.status_code} {response.get_data(as_text=True)[:300]}")
        return elapsed, response.get_data()

    for warm in ("/api/v1/facilities?q=检测", "/api/v1/facilities?value=1&unit=MPa", "/map"):
        get(warm)  # unit registry, templates, first plans
    started = time.perf_counter()
    wait_for_builds()  # a large registry's search postings are built in the background (search/postings.py)
    figures["postings s"] = time.perf_counter() - started
    for kind, questions_of_kind in asked.items():
        times = [get("/api/v1/facilities?" + urlencode(q, doseq=True))[0] for q in questions_of_kind]
        figures[kind] = (statistics.median(times), percentile(times, 0.95), max(times))
        slowest = max(range(len(times)), key=times.__getitem__)
        figures[kind + " slowest"] = unquote_plus(urlencode(questions_of_kind[slowest], doseq=True))
    for name, path in zip(PAGES, ("/api/v1/facilities.geojson", "/map/facilities.geojson", "/map")):
        runs = [get(path) for _ in range(page_runs)]
        times = [t for t, _body in runs]
        figures[name] = (statistics.median(times), percentile(times, 0.95), max(times))
        figures[name + " KiB"] = len(runs[0][1]) / 1024
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", required=True, metavar="LABEL=DATA_DIR=DATABASE_URL")
    parser.add_argument("--questions", type=int, default=100, help="distinct questions per search kind")
    parser.add_argument("--page-runs", type=int, default=10, help="runs of each GeoJSON / map request")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--no-import", action="store_true", help="the databases are loaded already")
    args = parser.parse_args()
    sets = [tuple(s.split("=", 2)) for s in args.set]
    asked = questions(Path(sets[0][1]), args.questions, args.seed)
    print("questions per kind: " + ", ".join(f"{k} {len(v)}" for k, v in asked.items()))
    results = {}
    for label, data, url in sets:
        results[label] = {} if args.no_import else load(label, Path(data), url)
        print(f"[{label}] searching ...", flush=True)
        results[label].update(measure(label, url, asked, args.page_runs))
    labels = [label for label, _d, _u in sets]
    print(f"\n{'':<22}" + "".join(f"{label:>26}" for label in labels))
    for key in ("facilities", "capabilities", "import s", "re-import s", "peak MiB", "database MiB", "postings s"):
        print(f"{key:<22}" + "".join(f"{_cell(results[label].get(key)):>26}" for label in labels))
    print(f"{'median / p95 / max ms':<22}")
    for key in KINDS + PAGES:
        print(f"{key:<22}" + "".join(
            f"{'{:.0f} / {:.0f} / {:.0f}'.format(*results[label][key]):>26}" for label in labels))
    for key in PAGES:
        print(f"{key + ' KiB':<22}" + "".join(f"{results[label][key + ' KiB']:>26,.0f}" for label in labels))
    for label in labels:
        if "import s" in results[label]:
            print(f"[{label}] re-import / import = {results[label]['re-import s'] / results[label]['import s']:.2f}")
        for kind in KINDS:
            print(f"[{label}] slowest {kind}: {results[label][kind + ' slowest']}")


def _cell(value) -> str:
    if value is None:
        return "-"
    return f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"


if __name__ == "__main__":
    main()
