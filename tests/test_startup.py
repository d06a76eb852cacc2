"""Starting the app loads no map, geodata or classification library (issue 16 item 5): every CLI
command and every gunicorn worker would otherwise wait seconds for geopandas, scipy and folium."""
import subprocess
import sys
from pathlib import Path

HEAVY = ("geopandas", "mapclassify", "folium", "scipy", "matplotlib", "pint", "shapely", "pandas")


def test_create_app_imports_no_heavy_library(tmp_path):
    code = ("import sys\nimport registry\n"
            f"registry.create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path / 'x.sqlite3'}'}})\n"
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.stdout.strip() == "", f"imported at start: {result.stdout.strip()}"


def test_heavy_libraries_still_load_when_used():
    from geo.classify import classify  # noqa: F401  (mapclassify is imported inside, on first use)
    from registry import units

    assert units.to_base(1.0, "kPa")[0] == 1000.0
