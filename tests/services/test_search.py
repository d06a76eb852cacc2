"""Search service on a real database: each mode, each filter, facets, hostile input."""
from datetime import date

import pytest
from sqlalchemy import select

from registry.models import Capability, Facility
from registry.services.search import (
    SearchQuery,
    facility_capabilities,
    facility_detail,
    facility_points,
    parse_search_args,
    search_facilities,
)
from tests.factories import capability, facility, point_in, run, write_dataset

TODAY = date(2026, 11, 25)


def ids(result):
    return [h.facility["facility_id"] for h in result.hits]


def search(session, **args):
    query, messages = parse_search_args(args)
    result = search_facilities(session, query, TODAY)
    return result, messages + result.messages


@pytest.mark.parametrize("q", ["电阻", "导体直流电阻", "电", "导体 电阻", "直流电阻 电线"])
def test_keywords_are_chinese_substrings(registry, q):
    result, _ = search(registry, q=q)
    assert "F0001" in ids(result)
    assert "F0004" not in ids(result)  # suspended


def test_terms_are_anded(registry):
    assert ids(search(registry, q="电阻 食品")[0]) == []
    assert ids(search(registry, q="食品 铅")[0]) == ["F0003"]


def test_facility_name_and_district_match(registry):
    assert ids(search(registry, q="西湖计量")[0]) == ["F0002"]
    assert ids(search(registry, q="萧山 电阻")[0]) == ["F0001"]


@pytest.mark.parametrize("q", ["GB/T3048.4", "gb/t 3048.4", "ＧＢ／Ｔ　３０４８．４", "GB/T 3048.4-2007"])
def test_standard_numbers_forgiving(registry, q):
    result, _ = search(registry, q=q)
    assert ids(result) == ["F0001"]
    assert [c["capability_id"] for c in result.hits[0].capabilities] == ["C0001"]
    assert result.hits[0].matched == 1


def test_standard_boundary(registry):
    assert ids(search(registry, q="GB/T 3048.41")[0]) == []
    assert ids(search(registry, q="GB/T 3048")[0]) == ["F0001"]


@pytest.mark.parametrize("value, unit, found", [
    ("50", "MPa", True), ("50000", "kPa", True), ("0.05", "MPa", False), ("61", "MPa", False),
])
def test_range_is_unit_aware(registry, value, unit, found):
    result, _ = search(registry, quantity="压力", value=value, unit=unit)
    assert ids(result) == (["F0002"] if found else [])


def test_range_celsius(registry):
    assert ids(search(registry, value="100", unit="℃")[0]) == ["F0002"]
    assert ids(search(registry, value="373.15", unit="K")[0]) == ["F0002"]
    assert ids(search(registry, value="400", unit="℃")[0]) == []


def test_filters(registry):
    assert ids(search(registry, kind="metrology")[0]) == ["F0002"]
    assert set(ids(search(registry, district="330109")[0])) == {"F0001"}
    assert ids(search(registry, ownership="private")[0]) == ["F0002"]
    assert "F0002" not in ids(search(registry, shared="1")[0])
    assert ids(search(registry, accreditation="cma")[0]) == ["F0001"]
    assert ids(search(registry, discipline="thermal")[0]) == ["F0002"]
    assert ids(search(registry, bookable="1")[0]) == ["F0002"]
    assert "F0004" in ids(search(registry, inactive="1")[0])


def test_valid_only_and_expired_flag(registry):
    result, _ = search(registry, q="绝缘电阻")
    assert result.hits[0].capabilities[0]["expired"] is True
    assert ids(search(registry, q="绝缘电阻", valid="1")[0]) == []


def test_near_and_bbox(registry):
    lon, lat = point_in("330109")
    result, _ = search(registry, near=f"{lon},{lat}", radius_km="1", sort="distance")
    assert ids(result) == ["F0001"] and result.hits[0].distance_km < 0.01
    assert ids(search(registry, bbox=f"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}")[0]) == ["F0001"]
    swapped, messages = search(registry, bbox=f"{lon + 0.01},{lat + 0.01},{lon - 0.01},{lat - 0.01}")
    assert ids(swapped) == ["F0001"] and messages


def test_facets_counted_by_hand(registry):
    result, _ = search(registry, q="电阻")
    # F0001 (testing, 330109, 2 caps, no discipline), F0002 (metrology, 330106: 铂电阻, thermal)
    assert result.total == 2
    assert result.facets["kind"] == {"metrology": 1, "testing": 1}
    assert result.facets["district"] == {"330106": 1, "330109": 1}
    assert result.facets["discipline"] == {"thermal": 1}
    narrowed, _ = search(registry, q="电阻", kind="testing")
    assert ids(narrowed) == ["F0001"]
    assert narrowed.facets["kind"] == {"metrology": 1, "testing": 1}  # own filter not applied
    assert narrowed.facets["district"] == {"330109": 1}


def test_sorts_and_pagination(registry):
    result, _ = search(registry, sort="fee")
    assert ids(result)[0] == "F0002" and result.hits[0].min_price == 300
    page, _ = search(registry, per_page="1", page="2")
    assert page.total == 3 and len(page.hits) == 1 and page.page == 2


def test_points_detail_capabilities(registry):
    points = facility_points(registry, SearchQuery(), TODAY)
    assert {p["facility_id"] for p in points} == {"F0001", "F0002"}  # F0003 has no location
    detail = facility_detail(registry, "F0001", TODAY)
    assert detail["accreditations"][0]["scheme"] == "cma" and detail["accreditations"][0]["valid"]
    assert facility_detail(registry, "nope", TODAY) is None
    assert facility_detail(registry, "F\x00", TODAY) is None  # PostgreSQL cannot even compare a NUL
    assert facility_capabilities(registry, "F\x00", "", 1, 20, TODAY) == ([], 0)
    rows, total = facility_capabilities(registry, "F0001", "绝缘", 1, 20, TODAY)
    assert total == 1 and rows[0]["capability_id"] == "C0002"
    rows, total = facility_capabilities(registry, "F0001", "", 1, 1, TODAY)
    assert total == 2 and len(rows) == 1


@pytest.mark.parametrize("args", [
    {"q": ""}, {"q": "电" * 10_000}, {"q": '"'}, {"q": "*"}, {"q": "NEAR("}, {"q": "电阻 OR 食品"},
    {"q": "🔥😀"}, {"q": "%_\\"}, {"q": "'; DROP TABLE facilities; --"},
    {"near": "120,30", "radius_km": "-1"}, {"near": "120,30", "radius_km": "1e9"},
    {"bbox": "121,31,120,30"}, {"bbox": "a,b,c"}, {"value": "abc", "unit": "MPa"},
    {"value": "50", "unit": "furlongs per fortnight squared"}, {"value": "50", "unit": "MPa", "quantity": "压力"},
    {"page": "-3", "per_page": "100000"}, {"sort": "distance"}, {"kind": "nonsense", "district": "999999"},
    {"near": "nan,inf"}, {"value": "inf", "unit": "MPa"}, {"q": ["a", "b"], "kind": ["testing", "x"]},
])
def test_hostile_input_never_raises(registry, args):
    query, messages = parse_search_args(args)
    result = search_facilities(registry, query, TODAY)
    assert result.total >= 0
    facility_points(registry, query, TODAY)


def test_hostile_input_gives_messages(registry):
    for args in ({"q": "电" * 10_000}, {"near": "120,30", "radius_km": "-1"}, {"bbox": "121,31,120,30"},
                 {"value": "abc", "unit": "MPa"}, {"value": "5", "unit": "blorbs"},
                 {"page": "x"}, {"sort": "distance"}):
        assert parse_search_args(args)[1], args


def test_fts_syntax_is_text(registry):
    assert ids(search(registry, q='"电阻"')[0]) == ids(search(registry, q="电阻")[0])


def test_long_hostile_queries_are_parsed_in_linear_time():
    """A regular expression with ambiguous repetition backtracks exponentially on a long run
    of letters: one such request would hold a server worker for hours."""
    import signal

    from registry.services.search.terms import parse_terms as _terms

    def too_slow(*_):
        raise TimeoutError("query parsing backtracks")

    signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(5)
    try:
        for hostile in ("x" * 10_000, "a/" * 5_000, "GB" * 5_000 + "1", "/" * 10_000):
            _terms(hostile)
    finally:
        signal.alarm(0)


def test_unfiltered_results_follow_data_changes(registry, tmp_path):
    """With no capability condition the page's capabilities come from a per-facility cache:
    an import that renames a capability or changes its fee shows at once."""
    first, _ = search(registry, district="330109")
    shown = {c["capability_id"]: c["name"] for c in first.hits[0].capabilities}
    assert shown["C0001"] == "电线电缆 导体直流电阻" and first.hits[0].min_price is None
    first.hits[0].capabilities[0]["name"] = "mutated by a caller"

    again, _ = search(registry, district="330109")
    assert {c["capability_id"]: c["name"] for c in again.hits[0].capabilities} == shown

    report = run(registry, write_dataset(tmp_path / "update", [], [
        capability(1, 1, name="电线电缆 导体电阻（新）", price_cny="120")]))
    assert report.committed, report.issues
    after, _ = search(registry, district="330109")
    assert {c["capability_id"]: c["name"] for c in after.hits[0].capabilities}["C0001"] == "电线电缆 导体电阻（新）"
    assert after.hits[0].min_price == 120


def test_a_facility_matched_by_its_name_lists_its_relevant_capabilities_first(session, tmp_path):
    names = ["A 铅含量", "B 食品 添加剂", "C 水质", "D 食品 微生物", "E 土壤", "F 空气", "G 噪声"]
    caps = [capability(1, n, name=name, standards=None, valid_until="2020-01-01" if name.startswith("D") else None)
            for n, name in enumerate(names, start=1)]
    assert run(session, write_dataset(tmp_path, [facility(1, name="临安食品检验中心")], caps)).committed
    result, _ = search(session, q="食品")
    shown = [(c["name"], c["expired"]) for c in result.hits[0].capabilities]
    assert shown == [("B 食品 添加剂", False), ("D 食品 微生物", True), ("A 铅含量", False), ("C 水质", False),
                     ("E 土壤", False)]
    assert result.hits[0].matched == 7


def test_detail_figures_count_live_capabilities_of_that_facility_only(session, tmp_path):
    """The figures of a detail (one grouped count) equal a count of the stored rows, deleted ones left out;
    a facility without capabilities has zeros."""
    capabilities = [capability(1, 1, kind="test_item", bookable="yes", daily_capacity="2"),
                    capability(1, 2, kind="test_item"),
                    capability(1, 3, kind="certification_scope", name="电线电缆 产品认证"),
                    capability(2, 4, kind="test_item", bookable="yes", daily_capacity="1")]
    run(session, write_dataset(tmp_path, [facility(1), facility(2), facility(3)], capabilities))
    stored = session.scalars(select(Capability).join(Facility).where(Facility.facility_id == "F0001")).all()
    stored[0].deleted_at = stored[0].updated_at  # a deleted capability counts for nothing
    session.commit()
    live = [c for c in stored if c.deleted_at is None]
    detail = facility_detail(session, "F0001", TODAY)
    assert detail["capability_counts"] == {k: sum(c.kind == k for c in live) for k in {c.kind for c in live}}
    assert detail["capability_total"] == len(live) == 2
    assert detail["bookable"] is any(c.bookable for c in live) is False
    assert detail["public_standards"] == sum(c.public_standard for c in live)
    empty = facility_detail(session, "F0003", TODAY)
    assert (empty["capability_counts"], empty["capability_total"], empty["bookable"], empty["public_standards"]) == (
        {}, 0, False, 0)
