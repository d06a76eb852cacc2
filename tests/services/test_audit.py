"""The district table against figures worked out by hand for the fixture (tests/services/audit_fixture.py)."""
import csv
from datetime import date

import pytest

from registry.config import Config
from registry.services.audit import district_table
from registry.services.audit_figures import FIGURE_KEYS
from tests.services.audit_fixture import load_audit_fixture

TODAY = date(2026, 6, 15)
ZERO = dict.fromkeys(["facilities", "kind_metrology", "kind_testing", "kind_certification", "own_state",
                      "own_private", "level_national", "level_provincial", "level_city", "level_district",
                      "level_none", "shared", "capabilities", "cap_measurement_standard", "cap_test_item",
                      "cap_certification_scope", "disciplines", "certs_expiring_90", "certs_expired"], 0)
# Counted by hand from the fixture's docstring (F0005 is suspended and never counted).
EXPECTED = {
    "330106": {**ZERO, "facilities": 2, "kind_metrology": 1, "kind_testing": 1, "own_state": 1, "own_private": 1,
               "level_city": 1, "level_none": 1, "shared": 1, "shared_pct": 50.0, "capabilities": 5,
               "cap_measurement_standard": 2, "cap_test_item": 3, "disciplines": 2,
               # CMA today+10 and standard today+60 lapse within 90 days; CNAS today-5 and standard today-1 expired
               "certs_expiring_90": 2, "certs_expired": 2},
    "330109": {**ZERO, "facilities": 2, "kind_testing": 1, "kind_certification": 1, "own_state": 1,
               "own_private": 1, "level_district": 1, "level_national": 1, "shared": 1, "shared_pct": 50.0,
               "capabilities": 3, "cap_measurement_standard": 1, "cap_test_item": 1, "cap_certification_scope": 1,
               "disciplines": 1},  # CMA today+100 and standard today+200: neither within 90 days
    "330127": {**ZERO, "facilities": 1, "kind_testing": 1, "own_state": 1, "level_district": 1, "shared": 1,
               "shared_pct": 100.0, "capabilities": 2, "cap_measurement_standard": 1, "cap_test_item": 1,
               "disciplines": 1},
}
TOTAL = {**ZERO, "facilities": 5, "kind_metrology": 1, "kind_testing": 3, "kind_certification": 1, "own_state": 3,
         "own_private": 2, "level_national": 1, "level_city": 1, "level_district": 2, "level_none": 1, "shared": 3,
         "shared_pct": 60.0, "capabilities": 10, "cap_measurement_standard": 4, "cap_test_item": 5,
         "cap_certification_scope": 1, "disciplines": 3, "certs_expiring_90": 2, "certs_expired": 2}


def census() -> dict[str, tuple[int, float]]:
    with open(Config.DISTRICTS_CSV, encoding="utf-8") as stream:
        return {r["code"]: (int(r["population_2020"]), float(r["area_km2"])) for r in csv.DictReader(stream)}


def with_densities(expected: dict, population: int, area: float) -> dict:
    return {**expected, "population": population, "area_km2": area,
            "facilities_per_100k": expected["facilities"] * 100_000 / population,
            "capabilities_per_100k": expected["capabilities"] * 100_000 / population,
            "facilities_per_100km2": expected["facilities"] * 100 / area,
            "capabilities_per_100km2": expected["capabilities"] * 100 / area}


def assert_figures(actual: dict, expected: dict):
    for key in FIGURE_KEYS:
        want = expected.get(key)
        assert actual[key] == (want if want is None else pytest.approx(want, rel=1e-12)), key


@pytest.fixture
def loaded(session, tmp_path):
    load_audit_fixture(session, tmp_path / "data", TODAY)
    return session


def test_every_figure_of_every_district_matches_the_hand_count(loaded):
    table = district_table(loaded, TODAY)
    figures = census()
    assert [r["code"] for r in table.rows] == sorted(figures)
    for row in table.rows:
        expected = EXPECTED.get(row["code"], {**ZERO, "shared_pct": None})
        assert_figures(row, with_densities(expected, *figures[row["code"]]))


def test_city_total_sums_counts_and_recomputes_ratios(loaded):
    table = district_table(loaded, TODAY)
    population = sum(p for p, _a in census().values())
    area = sum(a for _p, a in census().values())
    assert_figures(table.total, with_densities(TOTAL, population, area))


def test_district_scope_limits_rows_and_total_to_that_district(loaded):
    table = district_table(loaded, TODAY, district="330109")
    assert [r["code"] for r in table.rows] == ["330109"]
    expected = with_densities(EXPECTED["330109"], *census()["330109"])
    assert_figures(table.rows[0], expected)
    assert_figures(table.total, expected)


def test_booking_figures_are_absent_until_a_bookings_table_exists(loaded):
    table = district_table(loaded, TODAY)
    assert table.bookings is False
    assert "bookings_requested" not in table.rows[0]


def test_expiry_moves_with_the_date(loaded):
    later = district_table(loaded, date(2026, 6, 26))  # CMA of F0001 (today+10) has lapsed
    xihu = next(r for r in later.rows if r["code"] == "330106")
    assert (xihu["certs_expired"], xihu["certs_expiring_90"]) == (3, 1)


def test_booking_figures_once_a_bookings_table_exists(loaded):
    """The booking branch's table is not here yet: a table with the expected columns stands for it."""
    from datetime import datetime, timedelta

    from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select

    from registry.models import Facility

    bookings = Table("bookings", MetaData(), Column("id", Integer, primary_key=True), Column("facility_pk", Integer),
                     Column("status", String(20)), Column("created_at", DateTime), Column("responded_at", DateTime))
    connection = loaded.connection()
    bookings.create(connection)
    try:
        pk = dict(loaded.execute(select(Facility.facility_id, Facility.id)).all())
        t0 = datetime(2026, 6, 1, 9, 0)
        rows = [("F0001", "completed", 2), ("F0001", "declined", 4), ("F0001", "requested", None),
                ("F0003", "accepted", 1)]
        connection.execute(bookings.insert(), [
            {"facility_pk": pk[f], "status": status, "created_at": t0,
             "responded_at": None if hours is None else t0 + timedelta(hours=hours)} for f, status, hours in rows])
        table = district_table(loaded, TODAY)
        by_code = {r["code"]: r for r in table.rows}
        assert table.bookings is True
        assert (by_code["330106"]["bookings_requested"], by_code["330106"]["bookings_served"],
                by_code["330106"]["booking_median_response_h"]) == (3, 1, 3.0)  # median of 2 h and 4 h
        assert (by_code["330109"]["bookings_requested"], by_code["330109"]["bookings_served"]) == (1, 1)
        assert by_code["330127"]["booking_median_response_h"] is None
        assert (table.total["bookings_requested"], table.total["bookings_served"],
                table.total["booking_median_response_h"]) == (4, 2, 2.0)
    finally:
        loaded.rollback()
        with loaded.get_bind().begin() as ddl:
            bookings.drop(ddl, checkfirst=True)
