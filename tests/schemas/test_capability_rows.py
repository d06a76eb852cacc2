"""The capabilities table of DATA_FORMAT.md, column by column, through the import service.

Every test imports facilities F0001 and F0002 (valid) with the capability rows
under test, then looks at the report and at what was stored. Messages are
rendered in English with `force_locale("en")`.
"""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from registry.models import Capability
from tests.factories import (
    capability,
    facility,
    nothing_written,
    problems,
    run,
    write_dataset,
)
from tests.factories import (
    in_english as english,
)

# --- helpers -----------------------------------------------------------------






def import_capabilities(session, tmp_path, *rows, **options):
    return run(session, write_dataset(tmp_path, [facility(1), facility(2)], list(rows)), **options)


def stored(session) -> list[Capability]:
    return session.scalars(select(Capability).order_by(Capability.facility_pk,
                                                       Capability.capability_id)).all()


def accepted(session, tmp_path, **overrides) -> Capability:
    """Import capability(1, 1, **overrides): it must be accepted; the stored row."""
    report = import_capabilities(session, tmp_path, capability(1, 1, **overrides))
    assert not report.errors, problems(report)
    assert report.committed and report.counts["capabilities"]["created"] == 1
    [row] = stored(session)
    return row


def rejected(session, tmp_path, column, **overrides):
    """Import capability(1, 1, **overrides): one error, row 2, `column`; nothing written."""
    report = import_capabilities(session, tmp_path, capability(1, 1, **overrides))
    assert not report.committed
    assert nothing_written(session)
    assert len(report.errors) == 1, problems(report)
    issue = report.errors[0]
    assert (issue.file, issue.row, issue.column) == ("capabilities.csv", 2, column), problems(report)
    return issue


MEASUREMENT = {"kind": "measurement_standard", "name": "0.05级活塞式压力计标准装置",
               "discipline": "mechanics", "standards": None}


# --- facility_id ----------------------------------------------------------------


def test_capability_of_a_facility_in_the_same_import_is_accepted(session, tmp_path):
    report = import_capabilities(session, tmp_path, capability(1, 1), capability(2, 1))
    assert report.committed and report.counts["capabilities"]["created"] == 2


def test_capability_of_a_facility_already_in_the_registry_is_accepted(session, tmp_path):
    run(session, write_dataset(tmp_path / "a", [facility(1)]))
    report = run(session, write_dataset(tmp_path / "b", capabilities=[capability(1, 1)]))
    assert report.committed and report.counts["capabilities"]["created"] == 1


def test_capability_of_an_unknown_facility_is_rejected(session, tmp_path):
    issue = rejected(session, tmp_path, "facility_id", facility_id="F0009")
    assert issue.value == "F0009"
    assert english(issue.message) == "facility F0009 is neither in this import nor in the registry"


def test_capability_of_a_pruned_facility_is_rejected(session, tmp_path):
    run(session, write_dataset(tmp_path / "a", [facility(1), facility(2)]))
    run(session, write_dataset(tmp_path / "b", [facility(1)]), prune=True)
    report = run(session, write_dataset(tmp_path / "c", capabilities=[capability(2, 1)]))
    assert problems(report) == [("capabilities.csv", 2, "facility_id", "F0002",
                                 "facility F0002 is neither in this import nor in the registry")]


def test_capability_of_a_rejected_facility_points_at_the_facility_row(session, tmp_path):
    paths = write_dataset(tmp_path, [facility(1), facility(2, kind="lab")], [capability(2, 1)])
    report = run(session, paths)
    assert ("capabilities.csv", 2, "facility_id", "F0002",
            "facility F0002 was rejected (facilities row 3)") in problems(report)


def test_capability_facility_id_outside_the_pattern_is_rejected(session, tmp_path):
    issue = rejected(session, tmp_path, "facility_id", facility_id="F 1")
    assert "1 to 64 characters" in english(issue.message)


# --- capability_id ----------------------------------------------------------------


@pytest.mark.parametrize("cid", ["C1", "JL-2019.001_a", "x" * 64])
def test_capability_id_matching_the_pattern_is_accepted(session, tmp_path, cid):
    assert accepted(session, tmp_path, capability_id=cid).capability_id == cid


@pytest.mark.parametrize("cid", ["x" * 65, "C 1", "能力1", "C/1", ""])
def test_capability_id_outside_the_pattern_or_missing_is_rejected(session, tmp_path, cid):
    issue = rejected(session, tmp_path, "capability_id", capability_id=cid)
    message = english(issue.message)
    if cid:
        assert issue.value == cid and "1 to 64 characters" in message
    else:
        assert message == "this required value is missing"


def test_capability_id_must_be_unique_within_its_facility(session, tmp_path):
    report = import_capabilities(session, tmp_path, capability(1, 1), capability(1, 2),
                                 capability(1, 1, name="另一个项目"))
    assert problems(report) == [("capabilities.csv", 2, "capability_id", "C0001",  # both rows (issue 13)
                                 "duplicate capability_id for facility F0001: also in row 4"),
                                ("capabilities.csv", 4, "capability_id", "C0001",
                                 "duplicate capability_id for facility F0001: also in row 2")]
    assert not report.committed and nothing_written(session)


def test_capability_id_may_be_reused_in_another_facility(session, tmp_path):
    report = import_capabilities(session, tmp_path, capability(1, 1), capability(2, 1))
    assert not report.errors
    assert [(c.facility.facility_id, c.capability_id) for c in stored(session)] == [
        ("F0001", "C0001"), ("F0002", "C0001")]


# --- kind, name ---------------------------------------------------------------------


@pytest.mark.parametrize("given, stored_kind", [
    ("test_item", "test_item"), ("检验检测项目", "test_item"),
    ("certification_scope", "certification_scope"), ("认证范围", "certification_scope"),
])
def test_kind_is_accepted_as_key_or_chinese_label(session, tmp_path, given, stored_kind):
    assert accepted(session, tmp_path, kind=given).kind == stored_kind


@pytest.mark.parametrize("given", ["measurement_standard", "计量标准"])
def test_measurement_standard_is_accepted_as_key_or_chinese_label(session, tmp_path, given):
    row = accepted(session, tmp_path, **{**MEASUREMENT, "kind": given})
    assert row.kind == "measurement_standard"


def test_unknown_capability_kind_is_rejected(session, tmp_path):
    issue = rejected(session, tmp_path, "kind", kind="calibration")
    assert english(issue.message) == (
        "must be one of: measurement_standard, test_item, certification_scope")


@pytest.mark.parametrize("column", ["facility_id", "kind", "name"])
def test_empty_required_cell_is_reported_in_its_column(session, tmp_path, column):
    report = import_capabilities(session, tmp_path, capability(1, 1, **{column: ""}))
    assert [(i.row, i.column) for i in report.errors] == [(2, column)], problems(report)
    assert english(report.errors[0].message) == "this required value is missing"


@pytest.mark.parametrize("name", ["0.05级活塞式压力计标准装置", "电线电缆 导体直流电阻",
                                  "质量管理体系认证 ISO 9001"])
def test_name_is_stored_as_written(session, tmp_path, name):
    assert accepted(session, tmp_path, name=f" {name}\u3000").name == name


def test_name_of_300_characters_is_accepted(session, tmp_path):
    assert accepted(session, tmp_path, name="测" * 300).name == "测" * 300


def test_name_longer_than_300_characters_is_rejected(session, tmp_path):
    issue = rejected(session, tmp_path, "name", name="测" * 301)
    assert english(issue.message) == "longer than 300 characters"


# --- discipline ------------------------------------------------------------------------

DISCIPLINES = [
    ("length", "01", "几何量"), ("thermal", "04", "热学"), ("mechanics", "12", "力学"),
    ("electromagnetism", "15", "电磁学"), ("radio", "23", "无线电"),
    ("time_frequency", "25", "时间频率"), ("optics", "28", "光学"), ("acoustics", "33", "声学"),
    ("ionizing_radiation", "37", "电离辐射"), ("physical_chemistry", "46", "物理化学"),
]


def test_discipline_is_accepted_as_key_jjf_code_or_chinese_name(session, tmp_path):
    rows, expected = [], {}
    for key, code, chinese in DISCIPLINES:
        for given in (key, code, chinese):
            cid = f"{key}-{len(rows)}"
            rows.append(capability(1, 1, **{**MEASUREMENT, "discipline": given}, capability_id=cid))
            expected[cid] = key
    report = import_capabilities(session, tmp_path, *rows)
    assert not report.errors, problems(report)
    assert {c.capability_id: c.discipline for c in stored(session)} == expected


def test_discipline_is_required_for_a_measurement_standard(session, tmp_path):
    issue = rejected(session, tmp_path, "discipline", **{**MEASUREMENT, "discipline": None})
    assert english(issue.message) == "required for a measurement standard"


def test_discipline_is_optional_for_test_items(session, tmp_path):
    assert accepted(session, tmp_path, discipline=None).discipline is None


@pytest.mark.parametrize("given", ["化学", "99", "chemistry"])
def test_unknown_discipline_is_rejected(session, tmp_path, given):
    issue = rejected(session, tmp_path, "discipline", **{**MEASUREMENT, "discipline": given})
    assert issue.value == given
    assert english(issue.message).startswith("must be one of: length, thermal, mechanics")


# --- standards -----------------------------------------------------------------------------


@pytest.mark.parametrize("given, expected", [
    ("GB/T 3048.4-2007", "GB/T 3048.4-2007"),
    ("GB/T3048.4-2007", "GB/T 3048.4-2007"),
    ("gb/t 3048.4-2007", "GB/T 3048.4-2007"),
    ("GB/T  3048.4 - 2007", "GB/T 3048.4-2007"),
    ("ＧＢ／Ｔ　３０４８．４－２００７", "GB/T 3048.4-2007"),
    ("GB/T 3048.4\u20142007", "GB/T 3048.4-2007"),
    ("JJG59-2007", "JJG 59-2007"),
    ("DB33/T1234-2020", "DB33/T 1234-2020"),
    ("ISO 9001:2015", "ISO 9001:2015"),
])
def test_standard_codes_are_stored_normalised(session, tmp_path, given, expected):
    assert accepted(session, tmp_path, standards=given).standards == expected


def test_standards_are_split_on_half_and_full_width_semicolons(session, tmp_path):
    row = accepted(session, tmp_path,
                   standards="GB/T3048.4-2007；JJG 52-2013; GB/T 3048.4-2007 ;ISO 9001:2015")
    assert row.standards == "GB/T 3048.4-2007;JJG 52-2013;ISO 9001:2015"


def test_a_line_break_inside_the_cell_separates_standards(session, tmp_path):
    row = accepted(session, tmp_path, standards="GB/T 3048.4-2007\nGB/T 2951.11-2008")
    assert row.standards == "GB/T 3048.4-2007;GB/T 2951.11-2008"


def test_stored_standard_is_found_by_its_glued_spelling(session, tmp_path):
    from registry.identifiers import standard_key_matches, standard_search_key

    row = accepted(session, tmp_path, standards="GB/T 3048.4-2007;GB/T 3048.41-2007")
    keys = [standard_search_key(code) for code in row.standards.split(";")]
    query = standard_search_key("GB/T3048.4")
    assert [standard_key_matches(query, key) for key in keys] == [True, False]


@pytest.mark.parametrize("given", ["电线电缆导体电阻测试方法", "GB/T 3048.4-2007；按客户要求"])
def test_text_that_is_not_a_standard_code_is_rejected(session, tmp_path, given):
    issue = rejected(session, tmp_path, "standards", standards=given)
    assert issue.value == given
    assert "not a standard number such as GB/T 3048.4-2007" in english(issue.message)


# --- range and unit -------------------------------------------------------------------------


def test_range_with_unit_is_stored(session, tmp_path):
    row = accepted(session, tmp_path, quantity="压力", range_min="0", range_max="60", unit="MPa")
    assert (row.quantity, row.range_min, row.range_max, row.unit) == ("压力", 0.0, 60.0, "MPa")


def test_range_of_equal_bounds_and_negative_numbers_are_accepted(session, tmp_path):
    row = accepted(session, tmp_path, range_min="-40", range_max="-40", unit="℃")
    assert (row.range_min, row.range_max) == (-40.0, -40.0)


def test_range_with_only_one_bound_is_accepted(session, tmp_path):
    row = accepted(session, tmp_path, range_max="1e6", unit="Ω")
    assert (row.range_min, row.range_max, row.unit) == (None, 1e6, "Ω")


def test_range_min_greater_than_range_max_is_rejected(session, tmp_path):
    issue = rejected(session, tmp_path, "range_min", range_min="5", range_max="1", unit="MPa")
    assert issue.value == "5"
    assert english(issue.message).startswith("greater than range_max (1")


@pytest.mark.parametrize("column", ["range_min", "range_max"])
@pytest.mark.parametrize("given", ["约10", "10~20", "inf"])
def test_range_bound_that_is_not_a_number_is_rejected(session, tmp_path, column, given):
    issue = rejected(session, tmp_path, column, unit="MPa", **{column: given})
    assert english(issue.message) == "not a number"


@pytest.mark.parametrize("bounds", [{"range_min": "0", "range_max": "60"}, {"range_min": "0"},
                                    {"range_max": "60"}])
def test_unit_is_required_with_a_range(session, tmp_path, bounds):
    issue = rejected(session, tmp_path, "unit", **bounds)
    assert issue.value is None
    assert english(issue.message) == "required when a range is given"


@pytest.mark.parametrize("unit", ["MPa", "kPa", "℃", "mm", "kN", "Ω", "Hz", "dB", "μm", "%RH",
                                  "m3/h", "r/min"])
def test_readable_units_are_accepted_as_written(session, tmp_path, unit):
    assert accepted(session, tmp_path, range_min="0", range_max="1", unit=unit).unit == unit


def test_unit_capitalisation_slip_is_corrected(session, tmp_path):
    assert accepted(session, tmp_path, range_min="0", range_max="1", unit="Mpa").unit == "MPa"


@pytest.mark.parametrize("unit", ["公斤", "xyz", "MPaa", "帕"])
def test_unknown_unit_is_rejected(session, tmp_path, unit):
    issue = rejected(session, tmp_path, "unit", range_min="0", range_max="1", unit=unit)
    assert issue.value == unit
    assert english(issue.message) == (
        "not a unit that can be read (examples: MPa, kPa, ℃, mm, kN, Ω, Hz, dB)")


# --- free text: category, quantity, uncertainty, certificate_no ---------------------------


def test_optional_text_columns_are_stored(session, tmp_path):
    row = accepted(session, tmp_path, category="电线电缆", quantity="电阻",
                   uncertainty="U=0.05%, k=2", certificate_no="[2019]浙量标杭法证字第001号")
    assert (row.category, row.quantity, row.uncertainty, row.certificate_no) == (
        "电线电缆", "电阻", "U=0.05%, k=2", "[2019]浙量标杭法证字第001号")


def test_absent_optional_columns_are_stored_empty(session, tmp_path):
    row = accepted(session, tmp_path, standards=None)
    for column in ("discipline", "category", "standards", "quantity", "range_min", "range_max",
                   "unit", "uncertainty", "certificate_no", "valid_until", "price_cny",
                   "lead_time_days", "daily_capacity"):
        assert getattr(row, column) is None, column


# --- valid_until ----------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["2028-01-31", "2028/1/31", "2028年1月31日", "20280131"])
def test_valid_until_is_read_as_a_date(session, tmp_path, given):
    assert accepted(session, tmp_path, valid_until=given).valid_until == date(2028, 1, 31)


def test_expired_valid_until_is_accepted_not_an_error(session, tmp_path):
    report = import_capabilities(session, tmp_path, capability(1, 1, valid_until="2001-01-01"))
    assert report.issues == [] and report.committed
    assert stored(session)[0].valid_until == date(2001, 1, 1)


@pytest.mark.parametrize("given", ["长期", "2028-13-01", "31.01.2028", "202811"])
def test_valid_until_that_is_not_a_date_is_rejected(session, tmp_path, given):
    issue = rejected(session, tmp_path, "valid_until", valid_until=given)
    assert english(issue.message) == "not a date (write it as 2025-06-30)"


# --- price, lead time ------------------------------------------------------------------------


@pytest.mark.parametrize("given, expected", [
    ("120", "120.00"), ("99.5", "99.50"), ("0", "0.00"), ("1,200.25", "1200.25"),
    ("１５０", "150.00"),
])
def test_price_is_stored_in_yuan_with_two_decimals(session, tmp_path, given, expected):
    assert accepted(session, tmp_path, price_cny=given).price_cny == Decimal(expected)


def test_negative_price_is_rejected(session, tmp_path):
    issue = rejected(session, tmp_path, "price_cny", price_cny="-0.01")
    assert english(issue.message) == "must be at least 0"


def test_price_with_more_than_two_decimals_is_rejected_not_rounded(session, tmp_path):
    issue = rejected(session, tmp_path, "price_cny", price_cny="12.345")
    assert english(issue.message) == "at most two decimals (yuan and fen)"


@pytest.mark.parametrize("given", ["面议", "议价", "协商", "On request", " 面议 "])
def test_mianyi_is_a_price_on_request(session, tmp_path, given):
    """面议 was refused as "not a number" before issue 14 asked for it: no amount, the price on request."""
    row = accepted(session, tmp_path, price_cny=given)
    assert (row.price_cny, row.price_on_request) == (None, True)


def test_a_price_is_not_on_request(session, tmp_path):
    row = accepted(session, tmp_path, price_cny="120")
    assert (row.price_cny, row.price_on_request) == (Decimal("120.00"), False)


@pytest.mark.parametrize("again, expected", [
    ({"price_cny": "80"}, ("电线电缆 导体直流电阻", Decimal("80.00"), False)),  # a price ends it
    ({"name": "新名称"}, ("新名称", None, True)),  # a file without a price column keeps it
])
def test_a_later_file_ends_a_price_on_request_only_with_a_price(session, tmp_path, again, expected):
    accepted(session, tmp_path, price_cny="面议")
    report = import_capabilities(session, tmp_path / "again", capability(1, 1, **again))
    assert report.counts["capabilities"]["updated"] == 1
    session.expire_all()
    [row] = stored(session)
    assert (row.name, row.price_cny, row.price_on_request) == expected


@pytest.mark.parametrize("given", ["面议价", "100元", "NaN", "1,5", "12,50.5", "1_000"])
def test_price_that_is_not_a_number_is_rejected(session, tmp_path, given):
    issue = rejected(session, tmp_path, "price_cny", price_cny=given)
    assert english(issue.message) == "not a number"


@pytest.mark.parametrize("given, expected", [("0", 0), ("15", 15), ("7.0", 7)])
def test_lead_time_is_a_whole_number_of_days(session, tmp_path, given, expected):
    assert accepted(session, tmp_path, lead_time_days=given).lead_time_days == expected


@pytest.mark.parametrize("given, message", [("2.5", "not a whole number"), ("一周", "not a whole number"),
                                            ("-1", "must be at least 0")])
def test_lead_time_that_is_not_a_whole_number_at_least_0_is_rejected(session, tmp_path, given,
                                                                      message):
    issue = rejected(session, tmp_path, "lead_time_days", lead_time_days=given)
    assert english(issue.message) == message


# --- bookable, daily_capacity -------------------------------------------------------------


def test_bookable_defaults_to_no(session, tmp_path):
    row = accepted(session, tmp_path)
    assert row.bookable is False and row.daily_capacity is None


@pytest.mark.parametrize("given, expected", [("yes", True), ("是", True), ("1", True),
                                             ("true", True), ("no", False), ("否", False),
                                             ("0", False), ("false", False)])
def test_bookable_accepts_yes_no_in_both_languages(session, tmp_path, given, expected):
    assert accepted(session, tmp_path, bookable=given, daily_capacity="3").bookable is expected


def test_bookable_that_is_not_yes_or_no_is_rejected(session, tmp_path):
    issue = rejected(session, tmp_path, "bookable", bookable="可以")
    assert english(issue.message) == "must be yes or no (also true/false, 1/0, 是/否)"


def test_daily_capacity_is_required_when_bookable(session, tmp_path):
    issue = rejected(session, tmp_path, "daily_capacity", bookable="yes")
    assert english(issue.message) == "required when the capability is bookable"


def test_daily_capacity_of_one_is_accepted(session, tmp_path):
    row = accepted(session, tmp_path, bookable="yes", daily_capacity="1")
    assert (row.bookable, row.daily_capacity) == (True, 1)


@pytest.mark.parametrize("given, message", [("0", "must be at least 1"), ("-2", "must be at least 1"),
                                            ("2.5", "not a whole number")])
def test_daily_capacity_below_one_or_fractional_is_rejected(session, tmp_path, given, message):
    issue = rejected(session, tmp_path, "daily_capacity", bookable="yes", daily_capacity=given)
    assert english(issue.message) == message


# --- every error ----------------------------------------------------------------------------


def test_every_error_of_a_capability_row_is_reported(session, tmp_path):
    report = import_capabilities(
        session, tmp_path, capability(1, 1),
        capability(1, 2, kind="measurement_standard", range_min="9", range_max="1",
                   price_cny="-5", bookable="yes"))
    assert {(i.row, i.column) for i in report.errors} == {
        (3, "discipline"), (3, "range_min"), (3, "unit"), (3, "price_cny"), (3, "daily_capacity")}
    assert not report.committed and nothing_written(session)
