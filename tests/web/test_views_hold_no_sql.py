"""Views translate HTTP to a service call and back: no SQL in registry/web or registry/api."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "registry"
SQL = re.compile(r"from sqlalchemy|\bselect\(|session\.(execute|scalars?|query)\(")
NOT_YET: set[str] = set()  # every view is clear now


def test_no_view_runs_sql():
    offenders = []
    for folder in ("web", "api"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            name = str(path.relative_to(ROOT))
            if name not in NOT_YET and SQL.search(path.read_text(encoding="utf-8")):
                offenders.append(name)
    assert offenders == []
