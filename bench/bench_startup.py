"""Start-up time (issue 16 item 5: under 2 s): `flask --app registry routes`, and a gunicorn worker's boot.

  routes_s     wall time of `flask --app registry routes` (a fresh interpreter: imports, create_app, the table)
  routes_cpu   its user + system CPU seconds (what a busy machine cannot inflate as much as the wall time)
  worker_s     a gunicorn worker, fork to ready: gunicorn's pre_fork hook (in the master, just before the
               fork) to post_worker_init (in the worker, once it has imported the app and run create_app())
  healthz_s    gunicorn started to the first 200 on /healthz (master start, one worker boot, one request)

Byte-code is cached (in a temporary PYTHONPYCACHEPREFIX, so no tree gets __pycache__ folders) as an
installed wheel has it; --no-bytecode-cache compiles every module at every start instead
(PYTHONDONTWRITEBYTECODE=1, a shell's setting that makes every start slower).

Each figure is the median of --runs. This checkout and a baseline are measured side by side, with the same
interpreter and packages (this checkout's), alternating runs: the baseline is a directory holding
another checkout, or a git ref checked out for the run into a temporary worktree (default: main).

    python bench/bench_startup.py [--runs 5] [--baseline main|DIR|none] [--port 20400] [--no-bytecode-cache]

Exit code 1 when this checkout's median routes_s or worker_s is 2 s or more.
"""
import argparse
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 2.0
HOOKS = '''import os, time
def pre_fork(server, worker):
    with open(os.environ["BENCH_BOOT_LOG"], "a") as f:
        f.write(f"fork {time.time()}\\n")
def post_worker_init(worker):
    with open(os.environ["BENCH_BOOT_LOG"], "a") as f:
        f.write(f"ready {time.time()}\\n")
'''


def environment(work: Path, bytecode_cache: bool) -> dict:
    """A plain start: an SQLite file in a temporary folder, limits in memory, a fixed key."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "DATABASE_REPLICA_URL", "RATELIMIT_STORAGE_URI", "PYTHONPATH",
                        "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    env.update({"PYTHONPYCACHEPREFIX": str(work / "pycache")} if bytecode_cache else {"PYTHONDONTWRITEBYTECODE": "1"})
    return {**env, "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}", "INSTANCE_PATH": str(work),
            "SECRET_KEY": "bench-startup", "LOG_JSON": "0"}


def time_routes(tree: Path, env: dict) -> tuple[float, float]:
    """(wall, CPU) seconds of `flask routes` run from `tree` (its `registry` comes first on sys.path)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "registry", "routes"], cwd=tree, env=env,
                            capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0 or "/healthz" not in result.stdout:
        raise SystemExit(f"`flask routes` failed in {tree}:\n{result.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def time_worker(tree: Path, env: dict, work: Path, port: int) -> tuple[float, float]:
    """(fork to ready, start to first 200 on /healthz) of one gunicorn worker serving `tree`."""
    hooks, log = work / "bench_hooks.py", work / "boot.log"
    hooks.write_text(HOOKS)
    log.unlink(missing_ok=True)
    start = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(hooks), "--workers", "1", "--bind", f"127.0.0.1:{port}",
         "--chdir", str(tree), "--log-level", "warning", "registry:create_app()"],
        cwd=tree, env={**env, "BENCH_BOOT_LOG": str(log)}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        healthz = None
        deadline = time.perf_counter() + 120
        while healthz is None and time.perf_counter() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        healthz = time.perf_counter() - start
            except OSError:
                if server.poll() is not None:
                    raise SystemExit(f"gunicorn stopped:\n{server.stderr.read().decode()[-2000:]}") from None
                time.sleep(0.01)
        marks = dict(line.split() for line in log.read_text().splitlines())
        return float(marks["ready"]) - float(marks["fork"]), healthz
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def free_port(port: int) -> int:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise SystemExit(f"port {port} is in use: pass --port")
    return port


def baseline_tree(spec: str, keep: list) -> Path | None:
    if spec == "none":
        return None
    if Path(spec).is_dir():
        return Path(spec).resolve()
    folder = Path(tempfile.mkdtemp(prefix="bench-startup-base-"))
    added = subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(folder / "tree"), spec],
                           capture_output=True, text=True)
    if added.returncode != 0:
        print(f"(no baseline: {spec!r} is neither a directory nor a git ref here)")
        return None
    keep.append(folder / "tree")
    return folder / "tree"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", default="main", help="a git ref, a directory holding a checkout, or none")
    parser.add_argument("--port", type=int, default=20400)
    parser.add_argument("--no-bytecode-cache", action="store_true", help="compile every module at every start")
    args = parser.parse_args()
    worktrees: list[Path] = []
    trees = {"this checkout": ROOT}
    base = baseline_tree(args.baseline, worktrees)
    if base is not None:
        trees[f"baseline ({args.baseline})"] = base
    figures = {name: {"routes_s": [], "routes_cpu": [], "worker_s": [], "healthz_s": []} for name in trees}
    port = free_port(args.port)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-startup-") as folder:
            work = Path(folder)
            env = environment(work, bytecode_cache=not args.no_bytecode_cache)
            for name, tree in trees.items():  # warm the disk cache and byte-code of both before timing
                time_routes(tree, env)
            for _ in range(args.runs):
                for name, tree in trees.items():  # alternating: a busy spell hits both alike
                    wall, cpu = time_routes(tree, env)
                    worker, healthz = time_worker(tree, env, work, port)
                    for key, value in (("routes_s", wall), ("routes_cpu", cpu), ("worker_s", worker),
                                       ("healthz_s", healthz)):
                        figures[name][key].append(value)
    finally:
        for tree in worktrees:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], capture_output=True)
    load = os.getloadavg()[0]
    cache = "no byte-code cache" if args.no_bytecode_cache else "byte-code cached"
    print(f"start-up, median of {args.runs} runs, {cache} (target < {TARGET_S:.0f} s; load average {load:.1f} "
          f"on {os.cpu_count()} CPUs)")
    print(f"{'':24} {'routes_s':>9} {'routes_cpu':>11} {'worker_s':>9} {'healthz_s':>10}")
    for name, values in figures.items():
        medians = {key: statistics.median(found) for key, found in values.items()}
        print(f"{name:24} {medians['routes_s']:9.2f} {medians['routes_cpu']:11.2f} {medians['worker_s']:9.2f} "
              f"{medians['healthz_s']:10.2f}")
    ours = figures["this checkout"]
    return 0 if max(statistics.median(ours["routes_s"]), statistics.median(ours["worker_s"])) < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
