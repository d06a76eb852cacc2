"""The forgiving main box (issue 14, item 4): a value with its unit becomes the range filter, Chinese unit
names are read, loosely typed standard numbers find their match or a "did you mean", and each change is said."""
import pytest

from registry import units
from registry.clock import today
from registry.services.search import parse_search_args, search_facilities
from registry.services.search.forgiving import value_in_text


@pytest.mark.parametrize("typed, read", [
    ("压力 50 MPa", ("压力", 50.0, "MPa")),
    ("50兆帕", ("", 50.0, "MPa")),
    ("1200℃", ("", 1200.0, "℃")),
    ("0.1 mm", ("", 0.1, "mm")),
    ("温度 -20 摄氏度 杭州", ("温度 杭州", -20.0, "℃")),
])
def test_a_value_with_its_unit_is_read_from_the_text(typed, read):
    assert value_in_text(typed) == read


@pytest.mark.parametrize("typed", ["GB/T 3048.4-2007", "JJG 52 压力表", "电缆 3 个样品", "GB 50 m", "M12 螺栓"])
def test_standard_numbers_and_counts_are_not_ranges(typed):
    assert value_in_text(typed) is None


@pytest.mark.parametrize("chinese, symbol", [("兆帕", "MPa"), ("千克", "kg"), ("摄氏度", "℃"), ("毫米", "mm"),
                                             ("千帕", "kPa"), ("牛·米", "N·m")])
def test_chinese_unit_names_are_read_as_their_symbols_in_a_search(chinese, symbol):
    assert units.parse_typed_unit(chinese) == symbol
    with pytest.raises(units.UnitError):
        units.parse_unit(chinese)  # imported data keeps to symbols


def test_the_main_box_becomes_the_range_filter_and_says_so(registry):
    query, notes = parse_search_args({"q": "压力 50 MPa"})
    assert (query.q, query.value, query.unit) == ("压力", 50.0, "MPa")
    assert [n.field for n in notes] == ["q"] and "50 MPa" in str(notes[0])
    names = {h.facility["name"] for h in search_facilities(registry, query, today()).hits}
    assert names == {"西湖计量所"}  # its 100–60000 kPa piston gauge covers 50 MPa
    query, _ = parse_search_args({"q": "压力 70 MPa"})
    assert search_facilities(registry, query, today()).total == 0  # beyond its range


def test_a_chinese_unit_in_the_unit_field_is_read(registry):
    query, problems = parse_search_args({"quantity": "压力", "value": "50", "unit": "兆帕"})
    assert not problems and query.unit == "MPa"


def test_the_range_fields_win_over_the_text(registry):
    query, notes = parse_search_args({"q": "50 MPa", "value": "1", "unit": "kPa"})
    assert (query.q, query.value, query.unit, notes) == ("50 MPa", 1.0, "kPa", [])


def test_a_standard_without_its_t_or_dot_is_searched_as_the_stored_one(registry):
    for typed in ("GB3048.4", "GB 30484", "gb/t3048 4"):
        query, notes = parse_search_args({"q": typed}, registry)
        assert query.q == "GB/T3048.4", typed
        assert "GB/T3048.4" in str(notes[0])
        assert {h.facility["name"] for h in search_facilities(registry, query, today()).hits} == {"杭州电缆检测中心"}


def test_a_standard_close_to_stored_ones_gets_a_did_you_mean(registry):
    query, notes = parse_search_args({"q": "GB/T 3048.9"}, registry)
    assert query.q == "GB/T 3048.9"  # searched as typed
    assert "GB/T3048.4" in str(notes[0]) and "GB/T3048.5" in str(notes[0])


def test_a_matching_standard_is_left_alone(registry):
    query, notes = parse_search_args({"q": "GB/T 3048.4"}, registry)
    assert query.q == "GB/T 3048.4" and notes == []
