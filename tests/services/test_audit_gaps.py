"""Gaps and compliance lists against the fixture, worked out by hand (tests/services/audit_fixture.py)."""
from datetime import timedelta

import pytest

from geo.distance import distance_m
from registry.services.audit.gaps import (
    art6_list,
    certificate_rows,
    certificate_summary,
    certificates_by_facility,
    discipline_matrix,
)
from registry.services.districts import district_points
from tests.factories import point_in
from tests.services.audit_fixture import load_audit_fixture
from tests.services.test_audit import TODAY


@pytest.fixture
def loaded(session, tmp_path):
    load_audit_fixture(session, tmp_path / "data", TODAY)
    return session


def test_matrix_counts_valid_public_standards_and_measures_reach(loaded, app):
    centres = district_points(app.config["DISTRICTS_GEOJSON"])
    matrix = discipline_matrix(loaded, TODAY, centres)
    # Xihu: F0001's mechanics standard (its thermal one has expired); Chun'an: F0006's length standard.
    assert (matrix["330106"]["mechanics"].standards, matrix["330106"]["mechanics"].gap) == (1, False)
    assert matrix["330106"]["thermal"].standards == 0 and matrix["330106"]["thermal"].gap
    assert matrix["330106"]["thermal"].nearest_km is None  # no valid thermal standard anywhere
    assert (matrix["330127"]["length"].standards, matrix["330127"]["length"].nearest_km) == (1, 0.0)
    # F0003's mechanics standard in Xiaoshan is not shared: Xiaoshan relies on Xihu's, if within 30 km.
    expected = distance_m(*centres["330109"], *point_in("330106")) / 1000
    cell = matrix["330109"]["mechanics"]
    assert cell.standards == 0
    assert cell.nearest_km == pytest.approx(expected)
    assert cell.gap == (expected > 30)
    assert discipline_matrix(loaded, TODAY, centres, reach_km=expected - 0.1)["330109"]["mechanics"].gap


def test_matrix_for_one_quantity_shows_which_district_has_no_pressure_standard_within_reach(loaded, app):
    centres = district_points(app.config["DISTRICTS_GEOJSON"])
    pressure = discipline_matrix(loaded, TODAY, centres, quantity="压力")
    assert pressure["330106"]["mechanics"].standards == 1  # F0001's 活塞式压力计标准装置
    assert pressure["330127"]["length"].standards == 0 and pressure["330127"]["length"].gap  # 量块 is no pressure
    assert discipline_matrix(loaded, TODAY, centres, quantity="50%_")["330106"]["mechanics"].standards == 0


def test_matrix_scope_is_one_district(loaded, app):
    centres = district_points(app.config["DISTRICTS_GEOJSON"])
    assert list(discipline_matrix(loaded, TODAY, centres, district="330127")) == ["330127"]


def test_art6_lists_state_facilities_not_sharing_and_shared_ones_with_nothing_bookable(loaded):
    rows = art6_list(loaded, TODAY)
    assert [(r["facility_id"], r["reason"]) for r in rows] == [
        ("F0003", "state_not_shared"), ("F0004", "shared_not_bookable")]
    assert art6_list(loaded, TODAY, district="330106") == []


def test_a_shared_facility_whose_bookable_capabilities_expired_joins_the_art6_list(loaded):
    later = TODAY + timedelta(days=61)  # F0001's only bookable capability was valid until today+60
    assert [(r["facility_id"], r["reason"]) for r in art6_list(loaded, later, district="330106")] == [
        ("F0001", "shared_not_bookable")]


def test_certificates_lapsing_in_each_window(loaded):
    def ids(window, **kw):
        rows = certificate_rows(loaded, TODAY, window, **kw)
        return [(r["facility_id"], r["certificate"], r["days_left"]) for r in rows]

    assert ids(30) == [("F0001", "cma", 10)]
    assert ids(90) == [("F0001", "cma", 10), ("F0001", "measurement_standard", 60)]
    assert ids(180) == [("F0001", "cma", 10), ("F0001", "measurement_standard", 60), ("F0003", "cma", 100)]
    assert ids(180, include_expired=True) == [
        ("F0001", "cnas", -5), ("F0001", "measurement_standard", -1), ("F0001", "cma", 10),
        ("F0001", "measurement_standard", 60), ("F0003", "cma", 100)]
    assert ids(180, district="330109") == [("F0003", "cma", 100)]


def test_certificate_summary_and_facility_lines(loaded):
    rows = certificate_rows(loaded, TODAY, 180, include_expired=True)
    assert certificate_summary(rows) == {"330106": {"expired": 2, 30: 1, 90: 2, 180: 2},
                                         "330109": {"expired": 0, 30: 0, 90: 0, 180: 1}}
    lines = certificates_by_facility(certificate_rows(loaded, TODAY, 90))
    assert [(line["facility_id"], line["certificates"], line["first"], sorted(line["kinds"])) for line in lines] == [
        ("F0001", 2, TODAY + timedelta(days=10), ["cma", "measurement_standard"])]
