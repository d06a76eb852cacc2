"""seeds.generate: deterministic, exact, valid, and the committed demo is what it makes.

No Flask app and no database: the rows are checked with the pure validators
(registry.identifiers, registry.units) and the district boundaries.
"""
import csv
import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from geo.coords import to_wgs84
from registry.identifiers import (
    normalize_cma,
    normalize_cnas,
    normalize_cnca,
    normalize_uscc,
    split_standards,
)
from registry.units import parse_unit, to_base
from registry.vocabulary import DISCIPLINES, DISTRICTS
from seeds import catalog
from seeds.generate import (
    CAPABILITY_COLUMNS,
    DEFAULT_AS_OF,
    DEFAULT_DISTRICTS,
    DEFAULT_OUT,
    DEMO_CAPABILITIES,
    DEMO_FACILITIES,
    FACILITY_COLUMNS,
    generate,
    main,
)

AS_OF = DEFAULT_AS_OF.isoformat()
ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def read(directory: Path, table: str) -> list[dict]:
    with open(directory / f"{table}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    """A fresh generation with the default (demo) arguments, made through the CLI."""
    out = tmp_path_factory.mktemp("demo")
    assert main(["--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def demo(demo_dir):
    return read(demo_dir, "facilities"), read(demo_dir, "capabilities")


@pytest.fixture(scope="module")
def boundaries():
    """District code -> (WGS-84 geometry, metric geometry in EPSG:4549), read directly."""
    to_metric = Transformer.from_crs("EPSG:4326", "EPSG:4549", always_xy=True)
    with open(DEFAULT_DISTRICTS, encoding="utf-8") as f:
        features = json.load(f)["features"]
    result = {}
    for feat in features:
        geom = shape(feat["geometry"])
        metric = shapely.transform(geom, lambda xy: np.column_stack(to_metric.transform(xy[:, 0], xy[:, 1])))
        result[feat["properties"]["code"]] = (geom, metric)
    return result, to_metric


# --- the generator as a tool -------------------------------------------------

def test_committed_demo_equals_a_fresh_generation(demo_dir):
    for name in ("facilities.csv", "capabilities.csv"):
        assert (DEFAULT_OUT / name).read_bytes() == (demo_dir / name).read_bytes(), (
            f"seeds/demo/{name} differs from `python -m seeds.generate`: regenerate it, never edit it")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_same_arguments_give_identical_bytes(tmp_path, fmt):
    for run in ("a", "b"):
        generate(tmp_path / run, 40, 700, seed=11, fmt=fmt)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == (["capabilities.csv", "facilities.csv"] if fmt == "csv" else ["registry.xlsx"])
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_another_seed_gives_another_data_set(tmp_path):
    generate(tmp_path / "a", 20, 100, seed=1)
    generate(tmp_path / "b", 20, 100, seed=2)
    assert (tmp_path / "a/facilities.csv").read_bytes() != (tmp_path / "b/facilities.csv").read_bytes()


@pytest.mark.parametrize("n, m", [(40, 700), (25, 7), (1, 30), (3, 3), (7, 0)])
def test_counts_are_exact_and_ids_valid(tmp_path, n, m):
    generate(tmp_path, n, m, seed=5)
    facilities, capabilities = read(tmp_path, "facilities"), read(tmp_path, "capabilities")
    assert len(facilities) == n and len(capabilities) == m
    ids = [f["facility_id"] for f in facilities]
    assert len(set(ids)) == n and all(ID.fullmatch(i) for i in ids)
    pairs = [(c["facility_id"], c["capability_id"]) for c in capabilities]
    assert len(set(pairs)) == m and all(ID.fullmatch(c) for _, c in pairs)
    assert {f for f, _ in pairs} <= set(ids)


def test_csv_is_utf8_with_english_headers_and_newlines(demo_dir):
    for name, columns in (("facilities", FACILITY_COLUMNS), ("capabilities", CAPABILITY_COLUMNS)):
        data = (demo_dir / f"{name}.csv").read_bytes()
        assert b"\r" not in data and not data.startswith(b"\xef\xbb\xbf")
        assert data.decode("utf-8").split("\n", 1)[0] == ",".join(columns)


def test_xlsx_has_both_sheets_with_typed_cells(tmp_path):
    (path,) = generate(tmp_path, 30, 400, seed=3, fmt="xlsx")
    workbook = openpyxl.load_workbook(path, read_only=True)
    assert workbook.sheetnames == ["facilities", "capabilities"]
    for title, columns, count in (("facilities", FACILITY_COLUMNS, 30), ("capabilities", CAPABILITY_COLUMNS, 400)):
        rows = list(workbook[title].iter_rows(values_only=True))
        assert rows[0] == columns and len(rows) == count + 1
    facility = dict(zip(FACILITY_COLUMNS, next(workbook["facilities"].iter_rows(min_row=2, values_only=True))))
    assert isinstance(facility["uscc"], str) and isinstance(facility["shared"], str)
    valid = [v for r in workbook["capabilities"].iter_rows(min_row=2, values_only=True)
             if (v := dict(zip(CAPABILITY_COLUMNS, r))["valid_until"])]
    assert valid and all(isinstance(v, dt.datetime) for v in valid)


def test_planted_needs_exist_even_in_a_tiny_data_set(tmp_path):
    generate(tmp_path, 3, 3, seed=99)
    assert_needs_answered(read(tmp_path, "facilities"), read(tmp_path, "capabilities"))


# --- the demonstration data set ------------------------------------------------

def test_demo_size_and_spread(demo):
    facilities, capabilities = demo
    assert (len(facilities), len(capabilities)) == (DEMO_FACILITIES, DEMO_CAPABILITIES)
    assert {f["district_code"] for f in facilities} - {""} == set(DISTRICTS)
    assert {f["kind"] for f in facilities} == {"metrology", "testing", "certification"}
    assert {f["ownership"] for f in facilities} == {"state", "private"}
    assert {f["level"] for f in facilities} - {""} == {"national", "provincial", "city", "district"}
    assert {f["status"] for f in facilities} == {"active", "suspended", "revoked", "closed"}
    assert {c["kind"] for c in capabilities} == {"measurement_standard", "test_item", "certification_scope"}
    assert {c["discipline"] for c in capabilities} - {""} == set(DISCIPLINES)
    kinds = Counter(f["kind"] for f in facilities)
    assert kinds["testing"] > kinds["certification"] > kinds["metrology"]
    by_district = Counter(f["district_code"] for f in facilities)
    assert by_district["330109"] > by_district["330127"] and by_district["330110"] > by_district["330182"]
    state_not_shared = [f for f in facilities if f["ownership"] == "state" and f["shared"] == "no"]
    assert 2 <= len(state_not_shared) <= 0.1 * sum(f["ownership"] == "state" for f in facilities)


def test_demo_names_are_marked_as_demonstration(demo):
    facilities, _ = demo
    for f in facilities:
        assert f["name"].endswith(catalog.DEMO_MARKER) and f["org_name"].endswith(catalog.DEMO_MARKER)
        assert f["name_en"].endswith(catalog.DEMO_MARKER_EN)
    assert len({f["name"] for f in facilities}) == len(facilities)
    assert all(f["email"].endswith("example.cn") for f in facilities if f["email"])
    assert all(f["website"].startswith("https://demo.example.cn/") for f in facilities if f["website"])


def test_demo_identifiers_are_valid(demo):
    facilities, _ = demo
    usccs = [f["uscc"] for f in facilities]
    assert [normalize_uscc(u) for u in usccs] == usccs and len(set(usccs)) == len(usccs)
    for f in facilities:
        assert not f["cma_no"] or normalize_cma(f["cma_no"]) == f["cma_no"]
        assert not f["cnas_no"] or normalize_cnas(f["cnas_no"]) == f["cnas_no"]
        assert not f["cnca_no"] or normalize_cnca(f["cnca_no"]) == f["cnca_no"]
        assert bool(f["cnca_no"]) == (f["kind"] == "certification")
    cnas = Counter(f["cnas_no"].split()[1][:1] for f in facilities if f["cnas_no"])
    assert {"L", "I", "C"} <= set(cnas)


def test_demo_rows_follow_the_format(demo):
    _, capabilities = demo
    for c in capabilities:
        if c["kind"] == "measurement_standard":
            assert c["discipline"] in DISCIPLINES
        if c["range_min"] or c["range_max"]:
            assert float(c["range_min"]) <= float(c["range_max"]) and parse_unit(c["unit"]) == c["unit"]
        if c["standards"]:
            assert split_standards(c["standards"]) == c["standards"].split(";")
        if c["bookable"] == "yes":
            assert 1 <= int(c["daily_capacity"]) <= 20
        assert c["bookable"] in ("yes", "no")
        assert not c["price_cny"] or float(c["price_cny"]) >= 0
        assert not c["lead_time_days"] or int(c["lead_time_days"]) >= 0
        if c["kind"] == "test_item" and re.search(r"\bJJ[GF]\b", c["standards"]):
            assert c["name"].startswith("定量包装商品")  # JJG/JJF: metrology's own business


def test_demo_shares_of_expired_and_bookable(demo):
    facilities, capabilities = demo
    expired = sum(c["valid_until"] != "" and c["valid_until"] < AS_OF for c in capabilities)
    assert 0.03 <= expired / len(capabilities) <= 0.08
    bookable = sum(c["bookable"] == "yes" for c in capabilities)
    assert 0.25 <= bookable / len(capabilities) <= 0.36
    dates = [f[k] for f in facilities for k in ("cma_valid_until", "cnas_valid_until") if f[k]]
    assert 0.02 <= sum(d < AS_OF for d in dates) / len(dates) <= 0.10


def test_demo_locations(demo, boundaries):
    """Each point lies at least 1.5 km inside its district; some have none, some are GCJ-02."""
    (districts, to_metric), (facilities, _) = boundaries, demo
    assert set(districts) == set(DISTRICTS)
    crs = Counter(f["crs"] for f in facilities)
    assert crs["gcj02"] >= 3 and crs[""] >= 5
    for f in facilities:
        if not f["lon"]:
            assert f["district_code"] in DISTRICTS and not f["lat"]
            continue
        assert re.fullmatch(r"1[12][0-9]\.[0-9]{6}", f["lon"]) and re.fullmatch(r"[23][0-9]\.[0-9]{6}", f["lat"])
        lon, lat = to_wgs84(float(f["lon"]), float(f["lat"]), f["crs"])
        located = [code for code, (geom, _) in districts.items() if geom.contains(shapely.Point(lon, lat))]
        assert len(located) == 1 and located[0] == (f["district_code"] or located[0]), f["facility_id"]
        inside = districts[located[0]][1].boundary.distance(shapely.Point(*to_metric.transform(lon, lat)))
        assert inside >= 1450, (f["facility_id"], inside)


def test_demo_answers_the_three_example_needs(demo):
    assert_needs_answered(*demo)


def assert_needs_answered(facilities, capabilities):
    active = {f["facility_id"]: f for f in facilities if f["status"] == "active" and f["shared"] == "yes"}

    def usable(c):
        return (c["facility_id"] in active and c["bookable"] == "yes" and int(c["daily_capacity"]) >= 1
                and c["valid_until"] >= AS_OF)

    fifty_mpa = to_base(50, "MPa")
    pressure = [
        c for c in capabilities if usable(c) and c["kind"] == "measurement_standard" and c["quantity"] == "压力"
        and to_base(float(c["range_min"]), c["unit"]) <= fifty_mpa <= to_base(float(c["range_max"]), c["unit"])
        and active[c["facility_id"]]["district_code"] == "330109" and active[c["facility_id"]]["lon"]]
    cable = [c for c in capabilities if usable(c) and "GB/T 3048.4-2007" in c["standards"].split(";")]
    iso = [c for c in capabilities if usable(c) and c["kind"] == "certification_scope"
           and "ISO 9001:2015" in c["standards"] and active[c["facility_id"]]["kind"] == "certification"]
    assert pressure and cable and iso


# --- the vocabulary ------------------------------------------------------------

def test_catalog_covers_the_format():
    assert set(catalog.DISTRICT_PROFILES) == set(DISTRICTS)
    assert {e.discipline for e in catalog.MEASUREMENT_STANDARDS} == set(DISCIPLINES)
    assert 60 <= len(catalog.TEST_ITEMS) <= 100
    assert {e.domain for e in catalog.TEST_ITEMS} == set(catalog.TEST_DOMAINS) | {"metrology"}


def test_catalog_units_and_standards_are_readable():
    for entry in (*catalog.MEASUREMENT_STANDARDS, *catalog.TEST_ITEMS):
        if entry.unit:
            assert parse_unit(entry.unit) == entry.unit
        if entry.standards:
            assert split_standards(entry.standards)
    for scheme in catalog.SCHEMES:
        assert not scheme.standards or split_standards(scheme.standards)
    for standards in catalog.SUBJECT_STANDARDS.values():
        assert split_standards(standards)
