"""The district table against figures worked out by hand for the fixture (tests/services/audit_fixture.py)."""
import csv
from datetime import date

import pytest

from registry.config import Config
from registry.services.audit.district_table import district_table
from registry.services.audit.figures import FIGURE_KEYS
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


def test_booking_figures_are_zero_without_bookings(loaded):
    table = district_table(loaded, TODAY)
    assert all(r["bookings_requested"] == 0 and r["booking_median_response_h"] is None for r in table.rows)


def test_expiry_moves_with_the_date(loaded):
    later = district_table(loaded, date(2026, 6, 26))  # CMA of F0001 (today+10) has lapsed
    xihu = next(r for r in later.rows if r["code"] == "330106")
    assert (xihu["certs_expired"], xihu["certs_expiring_90"]) == (3, 1)


def test_booking_figures_count_requests_grants_and_the_median_answer_time(loaded):
    """Bookings of F0001 (西湖区): one completed (answered after 2 h), one declined (after 4 h), one still
    requested; of F0003 (余杭区): one accepted after 1 h. Served = accepted, in progress or completed."""
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import select

    from registry.models import Booking, BookingEvent, Capability, Facility
    from tests.factories import user

    enterprise = user(loaded, "enterprise")
    t0 = datetime(2026, 6, 1, 9, 0, tzinfo=timezone.utc)
    for facility_id, path, hours in [("F0001", ["accepted", "in_progress", "completed"], 2),
                                     ("F0001", ["declined"], 4), ("F0001", [], None), ("F0003", ["accepted"], 1)]:
        facility_pk, capability_pk = loaded.execute(
            select(Facility.id, Capability.id).join(Capability, Capability.facility_pk == Facility.id)
            .where(Facility.facility_id == facility_id).limit(1)).one()
        booking = Booking(capability_pk=capability_pk, facility_pk=facility_pk, enterprise_id=enterprise.id,
                          org_name=enterprise.org_name, uscc=enterprise.uscc, service_date=TODAY, quantity=1,
                          description="-", contact_name="-", contact_phone="-", state=(path or ["requested"])[-1],
                          created_at=t0)
        loaded.add(booking)
        loaded.flush()
        states = ["requested", *path]
        for step, (before, after) in enumerate(zip(states, states[1:])):
            at = t0 + timedelta(hours=hours + step)
            loaded.add(BookingEvent(booking_id=booking.id, at=at, actor_role="operator", from_state=before,
                                    to_state=after))
    loaded.commit()
    table = district_table(loaded, TODAY)
    by_code = {r["code"]: r for r in table.rows}
    assert (by_code["330106"]["bookings_requested"], by_code["330106"]["bookings_served"],
            by_code["330106"]["booking_median_response_h"]) == (3, 1, 3.0)  # median of 2 h and 4 h
    assert (by_code["330109"]["bookings_requested"], by_code["330109"]["bookings_served"]) == (1, 1)
    assert by_code["330127"]["booking_median_response_h"] is None
    assert (table.total["bookings_requested"], table.total["bookings_served"],
            table.total["booking_median_response_h"]) == (4, 2, 2.0)
