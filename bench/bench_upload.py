"""Benchmark of a large web upload (issue 7): validation with preview, then the confirmed apply.

The steps run as the background worker runs them (`flask upload work --once`, the same functions
the app's worker thread calls), each as its own process on a fresh SQLite database seeded with the
districts and the demo data; beside them, for comparison, the CLI's `import --dry-run` and `import`
of the same files on a database in the same state. Prints wall time and peak memory (max RSS).

    python bench/bench_upload.py [--facilities 1500] [--capabilities 300000] [--database-url URL]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLASK = [sys.executable, "-m", "flask", "--app", "registry"]
ADMIN = "bench-admin@example.cn"

CREATE_JOB = """
import sys
from pathlib import Path
from sqlalchemy import select
from registry import create_app
from registry.extensions import db
from registry.models import User
from registry.services.records.uploads import create_job
app = create_app()
with app.app_context():
    admin = db.session.scalar(select(User).where(User.email == sys.argv[1]))
    paths = [Path(p) for p in sys.argv[2:]]
    files = [(p.name, p.open("rb")) for p in paths]
    print(create_job(db.session, admin, files, upload_dir=app.config["UPLOAD_DIR"]).id)
"""
CONFIRM_JOB = """
import sys
from registry import create_app
from registry.extensions import db
from registry.models import UploadJob
from registry.services.records.uploads import confirm_job
app = create_app()
with app.app_context():
    job = db.session.get(UploadJob, int(sys.argv[1]))
    print(job.status, job.preview["counts"])
    confirm_job(db.session, job)
"""
STATUS = """
import sys
from registry import create_app
from registry.extensions import db
from registry.models import UploadJob
with create_app().app_context():
    job = db.session.get(UploadJob, int(sys.argv[1]))
    print(job.status, job.change_set_id, job.message or "")
"""


def timed(command: list[str], env: dict) -> tuple[float, float, str]:
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    output = process.stdout.read().decode()
    if os.waitstatus_to_exitcode(status) not in (0, 3):
        sys.exit(f"failed: {' '.join(command)}\n{output}")
    return elapsed, usage.ru_maxrss / 1024, output


def fresh_database(env: dict) -> None:
    timed(FLASK + ["db", "downgrade", "base"], env)
    timed(FLASK + ["db", "upgrade"], env)
    timed(FLASK + ["seed"], env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--facilities", type=int, default=1500)
    parser.add_argument("--capabilities", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--workdir", type=Path, help="default: a temporary folder")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="registry-bench-upload-"))
    data = workdir / "data"
    env = {**os.environ, "DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}",
           "UPLOAD_DIR": str(workdir / "uploads")}
    if not data.exists():
        timed([sys.executable, "-m", "seeds.generate", "--facilities", str(args.facilities), "--capabilities",
               str(args.capabilities), "--seed", str(args.seed), "--out", str(data)], env)
    files = [str(data / "facilities.csv"), str(data / "capabilities.csv")]
    size = sum(Path(f).stat().st_size for f in files) / 2**20
    print(f"data set: {args.facilities:,} facilities + {args.capabilities:,} capabilities, {size:.1f} MiB of CSV")
    print(f"{'step':<28} {'seconds':>8} {'peak MiB':>9}")

    def show(name, seconds, peak):
        print(f"{name:<28} {seconds:8.1f} {peak:9.0f}", flush=True)

    fresh_database(env)
    show("cli import --dry-run", *timed(FLASK + ["import", *files, "--dry-run", "--lang", "en"], env)[:2])
    timed(FLASK + ["user", "create", "--email", ADMIN, "--password", "bench password 1", "--role", "admin"], env)
    seconds, peak, out = timed([sys.executable, "-c", CREATE_JOB, ADMIN, *files], env)
    job = out.strip().splitlines()[-1]
    show("upload: store files", seconds, peak)
    show("upload: validate + preview", *timed(FLASK + ["upload", "work", "--once"], env)[:2])
    print("   ", timed([sys.executable, "-c", CONFIRM_JOB, job], env)[2].strip().splitlines()[-1])
    show("upload: confirmed apply", *timed(FLASK + ["upload", "work", "--once"], env)[:2])
    print("   ", timed([sys.executable, "-c", STATUS, job], env)[2].strip().splitlines()[-1])
    fresh_database(env)
    show("cli import", *timed(FLASK + ["import", *files, "--lang", "en"], env)[:2])


if __name__ == "__main__":
    main()
