"""Search over the fields of a published scope (issue 12 item 4): method titles and non-standard method
texts are keywords, range search reads every segment, and capabilities filter by service mode and by
public measurement standard. The example scopes of seeds/examples/ are the data (test_scope_examples)."""
from datetime import date

import pytest
from sqlalchemy import select

from registry.models import Capability, CapabilityRange
from registry.models.capability import SearchDoc
from registry.search_text import scope_text, segment_in_base
from registry.services.records.editing import BOOKING_TERMS, save_capability
from registry.services.search import parse_search_args, search_facilities
from registry.services.search.matching import match_capabilities
from tests.factories import capability, facility, run, user, write_dataset

TODAY = date(2026, 11, 25)


@pytest.fixture
def scopes(scope_examples, tmp_path):
    """The example scopes (tests/conftest.py), and F0004 with a v1 record of one range and no scope fields."""
    report = run(scope_examples, write_dataset(tmp_path / "v1-base", [facility(4, kind="metrology")], [capability(
        4, 1, kind="measurement_standard", name="活塞式压力计标准装置", quantity="压力", discipline="mechanics",
        standards="JJG 59-2007", range_min="0", range_max="60", unit="MPa")]))
    assert report.committed, report.issues
    return scope_examples


def found(session, **args) -> dict[str, list[str]]:
    """facility_id -> names of its listed capabilities, for a search given as the page's query string."""
    query, problems = parse_search_args(args)
    assert not problems, problems
    result = search_facilities(session, query, TODAY)
    return {h.facility["facility_id"]: [c["name"] for c in h.capabilities] for h in result.hits}


def capabilities(session, **args) -> int:
    return match_capabilities(session, parse_search_args(args)[0], TODAY).total


# --- keywords: object, parameter, method titles, standard numbers --------------------------------

@pytest.mark.parametrize("q, facility_id, item", [
    ("导体直流电阻试验", "F0001", "电线电缆（演示） 导体直流电阻"),  # only in the method's title
    ("电性能试验方法", "F0001", "电线电缆（演示） 导体直流电阻"),
    ("食品中水分的测定", "F0001", "食品（演示） 水分"),
    ("水泥胶砂强度检验方法", "F0001", None),  # the CMA example is not imported: nothing
    ("数字压力计校准规范", "F0002", "数字压力计（演示） 压力"),
])
def test_method_titles_are_keywords(scopes, q, facility_id, item):
    hits = found(scopes, q=q)
    if item is None:
        assert hits == {}
    else:
        assert hits == {facility_id: [item]}


def test_a_non_standard_method_is_found_by_its_text(scopes):
    assert found(scopes, q="作业指导书") == {"F0001": ["食品（演示） 菌落总数"]}
    assert found(scopes, q="XX/ZY-012") == {"F0001": ["食品（演示） 菌落总数"]}  # read as a standard, found as text


def test_object_parameter_and_standard_numbers_still_match(scopes):
    assert found(scopes, q="塑料（演示） 拉伸性能") == {"F0001": ["塑料（演示） 拉伸性能"]}
    assert found(scopes, q="ASTM D638") == {"F0001": ["塑料（演示） 拉伸性能"]}
    assert found(scopes, q="GB/T 3048.4 导体直流电阻试验") == {"F0001": ["电线电缆（演示） 导体直流电阻"]}


def test_scope_text_adds_what_the_name_lacks_once():
    methods = [{"title": "食品中水分的测定", "text": None}, {"title": "食品中水分的测定", "text": None},
               {"title": None, "text": "作业指导书 XX/ZY-012-2020"}]
    assert scope_text("食品 水分", "食品", "水分", methods) == "食品中水分的测定 | 作业指导书 xx/zy-012-2020"
    assert scope_text("电线电缆 导体直流电阻", "电线电缆", "导体直流电阻", []) is None
    assert scope_text("导体直流电阻", "ＡＢＣ电缆", "导体直流电阻", None) == "abc电缆"  # folded, as documents are


def test_records_of_the_v1_format_keep_their_documents(scopes):
    """No scope text: the document of a v1 record is what it was before scope items had one."""
    row = scopes.scalar(select(Capability).where(Capability.capability_id == "C0001"))
    doc = scopes.get(SearchDoc, row.search_doc_id)
    assert doc.text == "活塞式压力计标准装置 | 压力 | jjg 59-2007"


def test_an_edit_of_the_booking_terms_keeps_the_titles_findable(scopes):
    row = scopes.scalar(select(Capability).where(Capability.parameter == "水分"))
    admin = user(scopes, "admin")
    changed = save_capability(scopes, "F0001", row.capability_id, {"price_cny": "180", "lead_time_days": "5"},
                              row.version, user=admin, only=BOOKING_TERMS)
    assert changed
    assert found(scopes, q="食品中水分的测定") == {"F0001": ["食品（演示） 水分"]}


def test_a_v1_import_over_a_scope_item_keeps_its_titles_findable(scopes, tmp_path):
    row = scopes.scalar(select(Capability).where(Capability.parameter == "导体直流电阻"))
    report = run(scopes, write_dataset(tmp_path / "v1", capabilities=[capability(
        1, capability_id=row.capability_id, kind=row.kind, name=row.name, standards=row.standards,
        price_cny="250")]))
    assert report.counts["capabilities"]["updated"] == 1, report.issues
    assert found(scopes, q="导体直流电阻试验") == {"F0001": ["电线电缆（演示） 导体直流电阻"]}


# --- range search over every segment ------------------------------------------------------------

@pytest.mark.parametrize("value, unit, expected", [
    ("50", "MPa", {"F0002": ["压力变送器（演示） 压力", "数字压力计（演示） 压力"],  # 数字压力计: 2nd segment
                   "F0003": ["0.05级活塞式压力计标准装置（演示）"], "F0004": ["活塞式压力计标准装置"]}),
    ("5", "MPa", {"F0002": ["压力变送器（演示） 压力", "数字压力计（演示） 压力"],
                  "F0003": ["0.05级活塞式压力计标准装置（演示）"], "F0004": ["活塞式压力计标准装置"]}),
    ("350", "℃", {"F0002": ["工业铂电阻温度计（演示） 温度"]}),  # only the 2nd segment (300～419.527 ℃)
    ("5", "A", {"F0003": ["数字多用表校准装置（演示）"]}),  # the 2nd segment, another quantity than the 1st
    ("500", "MHz", {"F0002": ["频谱分析仪（演示） 频率"]}),  # 10 Hz～1 GHz: a lower end in another unit
    ("5", "Hz", {}),
    ("1500", "g", {"F0002": ["砝码（演示） 质量"]}),  # ≤ 2 kg
])
def test_a_value_is_covered_by_any_segment(scopes, value, unit, expected):
    assert found(scopes, value=value, unit=unit) == expected


def test_segments_are_stored_in_base_units(scopes):
    rows = scopes.execute(select(CapabilityRange.text, CapabilityRange.min_base, CapabilityRange.max_base,
                                 CapabilityRange.dimension)).all()
    by_text = {r.text: r for r in rows}
    assert by_text["(10～100) MPa"].min_base == pytest.approx(1e7)
    assert by_text["(10～100) MPa"].max_base == pytest.approx(1e8)
    assert by_text["10 Hz～1 GHz"][1:3] == pytest.approx((10.0, 1e9))
    assert by_text["(0～10) A"].dimension == "[current]"
    assert by_text["≤ 2 kg"].min_base is None and by_text["≤ 2 kg"].max_base == pytest.approx(2.0)


def test_segment_in_base_refuses_ends_it_cannot_read():
    assert segment_in_base("10", "1", "GHz", "Hz") == pytest.approx((10.0, 1e9, "1 / [time]"), rel=1e-9)
    assert segment_in_base("1", "10", "GHz", "furlongs") == (None, None, None)  # never open at the lower end
    assert segment_in_base("1", "10", "MPa", "mm") == (None, None, None)  # two quantities: not a range


def test_a_removed_item_is_not_found_by_its_segments(scopes):
    assert found(scopes, value="350", unit="℃") == {"F0002": ["工业铂电阻温度计（演示） 温度"]}
    scopes.execute(Capability.__table__.update().where(Capability.object == "工业铂电阻温度计（演示）")
                   .values(deleted_at=TODAY))
    scopes.commit()
    assert found(scopes, value="350", unit="℃") == {}


def test_range_and_keywords_combine(scopes):
    assert found(scopes, q="数字压力计", value="50", unit="MPa") == {"F0002": ["数字压力计（演示） 压力"]}
    assert capabilities(scopes, value="50", unit="MPa") == 4
    assert capabilities(scopes, value="50", unit="MPa", q="数字压力计校准规范") == 1


def capability_ids(session, **args) -> set[int]:
    conditions = match_capabilities(session, parse_search_args(args)[0], TODAY).conditions
    return set(session.scalars(select(Capability.id).where(*conditions)))


@pytest.mark.parametrize("value, unit, quantity", [
    ("50", "MPa", "压力"), ("5", "MPa", "压力计"), ("350", "℃", "温度"), ("350", "℃", "压力"), ("5", "A", "电流"),
    ("5", "A", "数字多用表"), ("1500", "g", "质量"), ("500", "MHz", "频率"), ("50", "MPa", "pressure"),
])
def test_range_with_a_quantity_is_the_range_among_capabilities_of_that_quantity(scopes, value, unit, quantity):
    """The quantity is tested inside the range's id set (matching.range_condition): the same capabilities
    as the range's and the quantity's found apart, over own ranges and every segment."""
    both = capability_ids(scopes, value=value, unit=unit, quantity=quantity)
    assert both == capability_ids(scopes, value=value, unit=unit) & capability_ids(scopes, quantity=quantity)


def test_range_with_a_quantity_over_segments_and_own_ranges(scopes):
    assert found(scopes, value="50", unit="MPa", quantity="压力") == found(scopes, value="50", unit="MPa")
    assert found(scopes, value="50", unit="MPa", quantity="压力计") == {
        "F0002": ["数字压力计（演示） 压力"], "F0003": ["0.05级活塞式压力计标准装置（演示）"],
        "F0004": ["活塞式压力计标准装置"]}
    assert found(scopes, value="350", unit="℃", quantity="温度") == {"F0002": ["工业铂电阻温度计（演示） 温度"]}
    assert found(scopes, value="350", unit="℃", quantity="压力") == {}
    assert capabilities(scopes, value="50", unit="MPa", quantity="压力", q="数字压力计校准规范") == 1
    # an unknown unit drops the range, not the quantity
    assert capabilities(scopes, value="50", unit="florps", quantity="压力") == capabilities(scopes, quantity="压力")


# --- service mode and public measurement standards ----------------------------------------------

def test_service_filter_takes_keys_and_chinese_names(scopes):
    verification = {"F0002": ["卡尺（演示） 长度", "砝码（演示） 质量"],
                    "F0003": ["0.05级活塞式压力计标准装置（演示）", "E2等级砝码标准装置（演示）",
                              "二等铂电阻温度计标准装置（演示）", "卡尺检定装置（演示）"]}
    assert found(scopes, service="verification") == verification
    assert found(scopes, service="检定") == verification
    assert capabilities(scopes, service="检定") == 6
    assert capabilities(scopes, service="calibration") == 5 + 1
    assert capabilities(scopes, service=["calibration", "verification"]) == 12
    assert capabilities(scopes, service="testing") == 8  # the CNAS testing example
    assert capabilities(scopes, service="inspection") == 0  # and never a v1 record, which has no service mode


def test_public_standard_filter(scopes):
    assert found(scopes, public_standard="1") == {"F0003": [
        "0.05级活塞式压力计标准装置（演示）", "二等铂电阻温度计标准装置（演示）", "数字多用表校准装置（演示）"]}
    assert capabilities(scopes, public_standard="true") == 3
    assert capabilities(scopes, public_standard="true", service="calibration") == 1
    assert capabilities(scopes, public_standard="true", value="5", unit="A") == 1
    assert capabilities(scopes, public_standard="false") == capabilities(scopes)


def test_unknown_service_is_refused_by_name():
    query, problems = parse_search_args({"service": ["verification", "测绘"]})
    assert query.services == ("verification",)
    assert [p.field for p in problems] == ["service"]
