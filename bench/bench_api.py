"""Benchmark of the partner API (issue 4) against Datasette serving the same data, side by side.

1,500 facilities / 300,000 capabilities (seeds.generate). The registry is served as in production:
gunicorn, 2 workers, on the given database (PostgreSQL), rate-limit counters in Redis. Datasette
0.65 serves the two CSVs loaded with sqlite-utils, FTS5 (trigram) on capability name and standards.
wrk drives both at concurrency 8 on loopback, one scenario after the other, each with the same
rotating set of requests on both sides (the same keywords, districts and ids):

  keyword search   API /capabilities?q=KW (total and facets)  |  Datasette ?_search=KW&_size=20
                   (with and without _facet=discipline)
  filtered list    API /facilities?district=D&kind=K           |  ?district_code=D&kind=K&_size=20
  detail           API /facilities/ID                         |  /facilities/ID.json
  all as GeoJSON   API /facilities.geojson                    |  /facilities.json?_size=max

Datasette's time limits are raised so that it, too, always answers with the full count and facets.
Prints requests per second, p50 and p95 (ms) of both sides; the registry twice: as configured
(answers kept until the data changes, API_RESPONSE_CACHE) and with that cache off ("no cache"),
which measures the search itself on every request. Keywords have 3 or more characters:
a trigram index cannot look up shorter ones.

    python -m seeds.generate --facilities 1500 --capabilities 300000 --out /tmp/apibench/data
    python bench/bench_api.py --database-url postgresql://postgres@127.0.0.1:5432/registry_bench \
        --data /tmp/apibench/data --load          # --load: migrate and import first
    # needs wrk (apt-get install wrk) and a venv with `pip install datasette sqlite-utils`
    # (--datasette-venv, default /tmp/datasette-venv); Redis at 127.0.0.1:6379.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
FLASK = [sys.executable, "-m", "flask", "--app", "registry"]

KEYWORDS = ["温度变化试验", "抗扰度", "农药残留", "导热系数", "过氧化值", "黄曲霉毒素", "活塞式压力计",
            "绝缘电阻表", "温湿度校准", "质量管理体系", "盐雾试验", "电磁骚扰", "GB/T 17626", "ISO 14001",
            "砝码标准装置", "食用植物油"]
DISTRICTS = ["330102", "330105", "330106", "330108", "330109", "330110", "330111", "330112", "330113",
             "330114", "330122", "330127", "330182"]
KINDS = ["testing", "metrology", "certification"]

WRK_SCRIPT = r"""
local paths = {}
local counter = 0
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  counter = math.random(#paths)
end
function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %.6f %d %d %.3f %.3f\n", summary.requests, summary.duration / 1e6,
    e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000))
end
"""


def q(text: str) -> str:
    return quote(text, safe="")


def scenarios(facility_ids: list[str]) -> list[tuple[str, list[str], list[str]]]:
    """(name, registry paths, Datasette paths): the same requests, in the same order."""
    pairs = [(d, k) for d in DISTRICTS for k in KINDS]
    return [
        ("keyword search (total+facets)",
         [f"/api/v1/capabilities?q={q(k)}&limit=20" for k in KEYWORDS],
         [f"/bench/capabilities.json?_search={q(k)}&_size=20" for k in KEYWORDS]),
        ("keyword search, Datasette +facet",
         [f"/api/v1/capabilities?q={q(k)}&limit=20" for k in KEYWORDS],
         [f"/bench/capabilities.json?_search={q(k)}&_size=20&_facet=discipline" for k in KEYWORDS]),
        ("filtered facility list",
         [f"/api/v1/facilities?district={d}&kind={k}&limit=20" for d, k in pairs],
         [f"/bench/facilities.json?district_code={d}&kind={k}&_size=20" for d, k in pairs]),
        ("facility detail",
         [f"/api/v1/facilities/{q(i)}" for i in facility_ids],
         [f"/bench/facilities/{q(i)}.json" for i in facility_ids]),
        ("all facilities (GeoJSON / JSON)",
         ["/api/v1/facilities.geojson"],
         ["/bench/facilities.json?_size=max"]),
    ]


def wait_for(url: str, seconds: int = 60) -> None:
    for _ in range(seconds * 4):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    sys.exit(f"not answering: {url}")


def warm(base: str, paths: list[str]) -> None:
    for path in paths:
        with urllib.request.urlopen(base + path, timeout=60) as response:
            if response.status != 200:
                sys.exit(f"{base}{path}: {response.status}")
            response.read()


def run_wrk(base: str, paths: list[str], seconds: int, workdir: Path) -> dict:
    paths_file = workdir / "paths.txt"
    paths_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
    script = workdir / "rotate.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    output = subprocess.run(["wrk", "-t", "2", "-c", "8", "-d", f"{seconds}s", "--timeout", "30s",
                             "-s", str(script), base, "--", str(paths_file)],
                            capture_output=True, text=True, check=True).stdout
    match = re.search(r"RESULT (\d+) ([\d.]+) (\d+) (\d+) ([\d.]+) ([\d.]+)", output)
    requests, duration, bad_status, socket_errors, p50, p95 = match.groups()
    return {"rps": int(requests) / float(duration), "p50": float(p50), "p95": float(p95),
            "errors": int(bad_status) + int(socket_errors)}


def load_registry(database_url: str, data: Path) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    for command in (FLASK + ["db", "upgrade"], FLASK + ["import", str(data), "--lang", "en"]):
        subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def load_datasette(venv: Path, data: Path, db: Path) -> None:
    utils = str(venv / "bin" / "sqlite-utils")
    db.unlink(missing_ok=True)
    subprocess.run([utils, "insert", str(db), "facilities", str(data / "facilities.csv"), "--csv",
                    "--pk", "facility_id"], check=True)
    subprocess.run([utils, "insert", str(db), "capabilities", str(data / "capabilities.csv"), "--csv"], check=True)
    subprocess.run([utils, "enable-fts", str(db), "capabilities", "name", "standards", "--fts5",
                    "--tokenize", "trigram"], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True, help="the registry's database (PostgreSQL)")
    parser.add_argument("--data", type=Path, required=True, help="folder with facilities.csv, capabilities.csv")
    parser.add_argument("--load", action="store_true", help="migrate and import --data into the database first")
    parser.add_argument("--datasette-venv", type=Path, default=Path("/tmp/datasette-venv"))
    parser.add_argument("--seconds", type=int, default=15, help="per scenario and side")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="registry-bench-api-"))
    if args.load:
        load_registry(args.database_url, args.data)
    datasette_db = workdir / "bench.db"
    load_datasette(args.datasette_venv, args.data, datasette_db)

    api_port, datasette_port, uncached_port = 18811, 18812, 18813
    env = {**os.environ, "DATABASE_URL": args.database_url, "SECRET_KEY": "bench",
           "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379", "RATELIMIT_KEY_PREFIX": f"bench-{os.getpid()}",
           "API_RATE_LIMIT_ANONYMOUS": "100000000 per minute"}
    servers = [
        subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--bind",
                          f"127.0.0.1:{api_port}", "registry:create_app()"], cwd=ROOT, env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--bind",
                          f"127.0.0.1:{uncached_port}", "registry:create_app()"], cwd=ROOT,
                         env={**env, "API_RESPONSE_CACHE": "0"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen([str(args.datasette_venv / "bin" / "datasette"), "serve", str(datasette_db),
                          "--port", str(datasette_port), "--setting", "max_returned_rows", "2000",
                          "--setting", "sql_time_limit_ms", "20000", "--setting", "facet_time_limit_ms", "20000",
                          "--setting", "suggest_facets", "off"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    ]
    try:
        api, datasette = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{datasette_port}"
        uncached = f"http://127.0.0.1:{uncached_port}"
        wait_for(api + "/api/v1/openapi.json")
        wait_for(uncached + "/api/v1/openapi.json")
        wait_for(datasette + "/bench.json")
        ids = [f"DEMO-F{n:04d}" for n in range(1, 1501, 30)]
        print(f"registry: gunicorn {args.workers} workers on {args.database_url.split('@')[-1]}; "
              f"Datasette on SQLite; wrk 2 threads, 8 connections, {args.seconds} s per run; "
              f"{len(KEYWORDS)} keywords")
        header = f"{'scenario':<34} {'side':<10} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}"
        print(header)
        results = {}
        for name, api_paths, ds_paths in scenarios(ids):
            warm(api, api_paths)
            warm(uncached, api_paths)  # its per-process caches too (search counts), as the others'
            warm(datasette, ds_paths)
            for side, base, paths in (("registry", api, api_paths), ("no cache", uncached, api_paths),
                                      ("datasette", datasette, ds_paths)):
                r = run_wrk(base, paths, args.seconds, workdir)
                results[(name, side)] = r
                print(f"{name:<34} {side:<10} {r['rps']:8.1f} {r['p50']:8.1f} {r['p95']:8.1f} {r['errors']:7d}",
                      flush=True)
        print("\nratio registry/Datasette (req/s; p95 lower is better):")
        for name, _a, _d in scenarios(ids):
            d = results[(name, "datasette")]
            for side in ("registry", "no cache"):
                a = results[(name, side)]
                print(f"  {name:<34} {side:<9} {a['rps'] / d['rps']:6.2f}x req/s, "
                      f"p95 {a['p95']:.0f} vs {d['p95']:.0f} ms")
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
