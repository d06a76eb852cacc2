"""Art. 7 figures (registry/services/audit/public_standards.py) against the hand-built registry of
tests/services/art7_fixture.py, worked out by hand."""
from datetime import timedelta

import pytest

from registry.services.audit import public_standards as art7
from registry.vocabulary import DISCIPLINES
from tests.services.art7_fixture import CODES, load_art7_fixture
from tests.services.test_audit import TODAY


@pytest.fixture
def standards(session, tmp_path):
    load_art7_fixture(session, tmp_path, TODAY)
    return art7.public_standards(session, TODAY)


def test_the_list_holds_the_public_standards_of_active_facilities_with_their_validity(standards):
    assert [(s.facility_id, s.name, s.discipline, s.validity, s.days_left, s.suspended) for s in standards] == [
        ("F0001", "数字多用表校准装置", "electromagnetism", "expiring", 30, True),
        ("F0001", "量块标准装置", "length", "expired", -1, False),
        ("F0001", "活塞式压力计标准装置", "mechanics", "expiring", 90, False),
        ("F0001", "E2等级砝码标准装置", "mechanics", "valid", 91, False),
        ("F0001", "二等铂电阻温度计标准装置", "thermal", "valid", 200, False),
        ("F0002", "一号标准装置", "", "undated", None, False),
        ("F0002", "工作用热电偶标准装置", "thermal", "expiring", 0, False)]
    assert {s.certificate_no for s in standards if s.name == "量块标准装置"} == {"[2024]浙量标杭证字第004号"}
    assert [s.in_force for s in standards] == [False, False, True, True, True, False, True]


def test_validity_is_counted_in_days_from_today():
    assert [art7.validity(TODAY + timedelta(days=n), TODAY) for n in (-1, 0, 90, 91)] == [
        "expired", "expiring", "expiring", "valid"]
    assert art7.validity(None, TODAY) == "undated"


def test_counts_per_district_and_discipline(standards):
    by_district = art7.by_district(standards, CODES)
    assert dict(by_district["330106"]) == {"total": 5, "in_force": 3, "suspended": 1, "valid": 2, "expiring": 2,
                                           "expired": 1, "undated": 0}
    assert dict(by_district["330109"]) == {"total": 2, "in_force": 1, "suspended": 0, "valid": 0, "expiring": 1,
                                           "expired": 0, "undated": 1}
    assert by_district["330127"]["total"] == 0  # its facility is suspended
    cells = art7.counts(standards, CODES)
    assert list(cells["330106"]) == [*DISCIPLINES, art7.UNKNOWN_DISCIPLINE]  # the unrecognised one occurs
    assert (cells["330106"]["mechanics"]["in_force"], cells["330106"]["mechanics"]["total"]) == (2, 2)
    assert (cells["330106"]["length"]["in_force"], cells["330106"]["length"]["expired"]) == (0, 1)
    assert cells["330109"][art7.UNKNOWN_DISCIPLINE]["undated"] == 1
    assert art7.tally(standards)["in_force"] == 4
    assert {k: n["in_force"] for k, n in art7.by_discipline(standards).items() if n["total"]} == {
        "electromagnetism": 0, "length": 0, "mechanics": 2, "thermal": 2, art7.UNKNOWN_DISCIPLINE: 0}


def test_gaps_are_the_districts_without_one_in_force_in_a_discipline(standards):
    gaps = art7.gaps(standards, CODES)
    by_district = {code: {g.discipline: g.not_in_force for g in gaps if g.district_code == code} for code in CODES}
    assert set(by_district["330106"]) == set(DISCIPLINES) - {"thermal", "mechanics"}
    assert by_district["330106"]["length"] == 1 and by_district["330106"]["electromagnetism"] == 1  # lapsed, suspended
    assert set(by_district["330109"]) == set(DISCIPLINES) - {"thermal"}
    assert set(by_district["330127"]) == set(DISCIPLINES) and not any(by_district["330127"].values())
    assert len(gaps) == 8 + 9 + 10


def test_the_map_counts_in_force_per_district_and_marks_each_facility(standards):
    assert art7.in_force_by_district(standards, CODES) == {"330106": 3, "330109": 1, "330127": 0}
    thermal = art7.in_discipline(standards, "thermal")
    assert art7.in_force_by_district(thermal, CODES) == {"330106": 1, "330109": 1, "330127": 0}
    markers = {m["facility_name"]: (m["standards"], m["in_force"]) for m in art7.facility_markers(standards)}
    assert markers == {"测试检测中心1": (5, 3), "测试检测中心2": (2, 1)}


def test_a_district_auditor_sees_only_its_district(session, tmp_path):
    load_art7_fixture(session, tmp_path, TODAY)
    assert {s.facility_id for s in art7.public_standards(session, TODAY, "330109")} == {"F0002"}
    assert art7.public_standards(session, TODAY, "330127") == []
