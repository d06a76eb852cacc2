"""Starting the app loads no heavy library (issue 16 item 5): every CLI command and every gunicorn worker
would otherwise wait for them. Each is imported where it is first used: maps, geodata and classification
(geopandas, folium, mapclassify, scipy), migrations (Flask-Migrate, alembic: the `db` commands and
/readyz), workbooks (openpyxl, with PIL and lxml), calendars (icalendar), arrays and geodesy (numpy,
pyproj), and redis where it holds the rate limits. `bench/bench_startup.py` measures the start itself."""
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("geopandas", "mapclassify", "folium", "scipy", "matplotlib", "pint", "shapely", "pandas",
         "alembic", "flask_migrate", "openpyxl", "PIL", "lxml", "icalendar", "numpy", "pyproj", "redis")
# Fails only when start-up is several times slower than it should be (bench_startup.py holds the 2 s figure).
ROUTES_BOUND_S = 15


def quiet_env(tmp_path) -> dict:
    """The environment of a plain start: an SQLite file, the limits counted in memory."""
    env = {k: v for k, v in os.environ.items() if k not in ("RATELIMIT_STORAGE_URI", "DATABASE_URL")}
    return {**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "INSTANCE_PATH": str(tmp_path)}


def test_create_app_imports_no_heavy_library(tmp_path):
    code = ("import sys\nimport registry\n"
            f"registry.create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path / 'x.sqlite3'}'}})\n"
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=ROOT, env=quiet_env(tmp_path))
    assert result.stdout.strip() == "", f"imported at start: {result.stdout.strip()}"


def test_flask_routes_answers_in_seconds(tmp_path):
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "registry", "routes"], capture_output=True,
                            text=True, cwd=ROOT, env=quiet_env(tmp_path), timeout=120)
    elapsed = time.perf_counter() - start
    assert result.returncode == 0, result.stderr
    assert "/healthz" in result.stdout
    assert elapsed < ROUTES_BOUND_S, f"`flask routes` took {elapsed:.1f} s"


def test_migration_commands_load_flask_migrate_when_used(tmp_path):
    """The `db` group is Flask-Migrate's own once used: upgrade and current work from the command line."""
    env = quiet_env(tmp_path)
    for args, expected in ((["db", "upgrade"], ""), (["db", "current"], "(head)")):
        result = subprocess.run([sys.executable, "-m", "flask", "--app", "registry", *args], capture_output=True,
                                text=True, cwd=ROOT, env=env, timeout=300)
        assert result.returncode == 0, result.stderr
        assert expected in result.stdout


def test_heavy_libraries_still_load_when_used(tmp_path):
    from geo.classify import classify  # noqa: F401  (mapclassify is imported inside, on first use)
    from geo.distance import distance_m
    from registry import units
    from registry.services.records.scopes.writing import write_scope

    assert units.to_base(1.0, "kPa")[0] == 1000.0
    assert round(distance_m(120.0, 30.0, 120.0, 31.0) / 1000) == 111
    assert write_scope(tmp_path / "empty.xlsx", []).stat().st_size > 0
