"""geo/ is a small pure library: no Flask, no registry imports, no district table of its own (district names and
codes arrive as data; their one table is registry/vocabulary.py, which the seed files agree with)."""
import ast
import csv
import json
from pathlib import Path

from registry import vocabulary

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_geo_imports_neither_flask_nor_the_registry():
    for path in sorted((ROOT / "geo").glob("*.py")):
        assert not imported_modules(path) & {"flask", "flask_babel", "registry"}, path.name


def test_geo_holds_no_district_table():
    for path in sorted((ROOT / "geo").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "西湖区" not in text and "Xihu" not in text, path.name


def test_seed_files_name_the_districts_as_the_vocabulary_does():
    with open(ROOT / "seeds" / "districts.csv", encoding="utf-8") as stream:
        from_csv = {row["code"]: (row["name"], row["name_en"]) for row in csv.DictReader(stream)}
    features = json.loads((ROOT / "seeds" / "districts.geojson").read_text(encoding="utf-8"))["features"]
    from_geojson = {f["properties"]["code"]: (f["properties"]["name"], f["properties"]["name_en"]) for f in features}
    assert from_csv == from_geojson == vocabulary.DISTRICTS


def test_district_name_in_either_language():
    assert vocabulary.district_name("330106", "zh") == "西湖区"
    assert vocabulary.district_name("330106", "en") == "Xihu"
    assert vocabulary.district_name("999999", "en") == "999999" and vocabulary.district_name(None, "zh") == ""
