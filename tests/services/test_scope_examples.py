"""The hand-made example scopes (seeds/examples/) read item by item, and read back after writing.

Expected values are written out by hand from what the files show, not from
what the reader returns: every object, parameter, method (number, title,
clause), limitation, remark, status, range and uncertainty.
"""
import datetime as dt
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from registry.services.records.scopes import (
    Limitation,
    Method,
    RangeSegment,
    ScopeItem,
    Uncertainty,
    read_scope,
    write_scope,
)
from seeds.examples.build_examples import EXAMPLES, HERE, build


def M(standard="", title="", clause="", text=""):
    return Method(standard, title, clause, text)


def R(low, high, unit, text, u=None, min_unit=""):
    return RangeSegment(None if low is None else D(low), None if high is None else D(high), unit, min_unit, text, u)


def U(kind, value, unit, k, text):
    return Uncertainty(kind, None if value is None else D(value), unit, None if k is None else D(k), text)


def T(obj, parameter, seq, methods, limitation=None, remarks="", status="active", field_code="", **more):
    return ScopeItem(more.pop("layout", "cnas-testing"), obj, parameter, seq, tuple(methods), limitation, remarks,
                     status, field_code, more.pop("service", "testing"), **more)


ONLY, EXCEPT, OTHER = (lambda text: Limitation("only", text)), (lambda text: Limitation("except", text)), (
    lambda text: Limitation("other", text))

CNAS_TESTING = [
    T("电线电缆（演示）", "导体直流电阻", "1.1",
      [M("GB/T 3048.4-2007", "电线电缆电性能试验方法 第4部分：导体直流电阻试验")], ONLY("只测：≤35 kV"),
      field_code="030101"),
    T("电线电缆（演示）", "绝缘电阻", "1.2", [M("GB/T 3048.5-2007"), M("IEC 60335-1:2020")],
      EXCEPT("不测：海底电缆"), "扩项", field_code="030102"),
    T("电线电缆（演示）", "工频交流电压试验", "1.3", [M("GB/T 3048.8-2007")], None, "暂停", "suspended",
      field_code="030103"),
    T("食品（演示）", "水分", "2.1", [M("GB 5009.3-2016", "食品中水分的测定", "第一法")]),
    T("食品（演示）", "铅", "2.2", [M("GB 5009.12-2017", "", "第一法、第二法"), M("SN/T 3139-2012")],
      ONLY("只用于：出口食品")),
    T("食品（演示）", "菌落总数", "2.3", [M(text="作业指导书 XX/ZY-012-2020")], None, "变更 2024-03-01"),
    T("塑料（演示）", "拉伸性能", "3.1", [M("ISO 6892-1:2019"), M("ASTM D638-14")], OTHER("≤ 500 kN")),
    T("塑料（演示）", "简支梁冲击", "3.2", [M("GB/T 1043.1-2008", "", "第7章")]),
]
CNAS_TESTING_SHEETS = ["附件1 检测能力"] * 6 + ["附件2 检测能力"] * 2


def C(obj, parameter, seq, methods, ranges, limitation=None, remarks="", status="active", service="calibration"):
    return T(obj, parameter, seq, methods, limitation, remarks, status, layout="cnas-calibration", service=service,
             ranges=tuple(ranges))


CNAS_CALIBRATION = [
    C("数字压力计（演示）", "压力", "1", [M("JJF 1587-2016", "数字压力计校准规范", "5.2条")], [
        R(0, 10, "MPa", "(0～10) MPa", U("relative", "0.05", "%", 2, "U=0.05%")),
        R(10, 100, "MPa", "(10～100) MPa", U("relative", "0.1", "%", 2, "Urel=0.1%"))]),
    C("工业铂电阻温度计（演示）", "温度", "2", [M("JJF 1637-2017")], [
        R(-40, 300, "℃", "-40℃～300℃", U("absolute", "0.3", "℃", 2, "U=0.3 ℃")),
        R(300, "419.527", "℃", "300 ℃~419.527 ℃", U("absolute", "0.5", "℃", 3, "U=0.5 ℃, k=3"))],
      None, "暂停", "suspended"),
    C("频谱分析仪（演示）", "频率", "3", [M("JJF 1396-2013")], [
        R(10, 1, "GHz", "10 Hz～1 GHz", U("relative", "5E-10", "", 2, "Urel=5×10⁻¹⁰"), min_unit="Hz")]),
    C("砝码（演示）", "质量", "4", [M("JJG 99-2022")],
      [R(None, 2, "kg", "≤ 2 kg", U("class", None, "", None, "E2等级"))],
      ONLY("只测：M1等级及以下"), service="verification"),
    C("卡尺（演示）", "长度", "5", [M("JJG 30-2012")], [
        R(0, 300, "mm", "0 mm～300 mm", U("mpe", "0.02", "mm", None, "MPE: ±0.02 mm"))], service="verification"),
    C("线纹尺（演示）", "长度", "6", [M("JJF 1064-2010")], [
        R(0, 1, "m", "(0～1) m", U("formula", None, "", 2, "U=(0.1+0.02L) μm, L: m"))]),
    C("压力变送器（演示）", "压力", "7", [M("JJF 1587-2016")], [
        R(0, 100, "MPa", "0-100 MPa", U("class", "0.05", "", None, "0.05级"))]),
]


def A(obj, parameter, seq, methods, limitation=None, remarks="", status="active", price=None, on_request=False):
    return T(obj, parameter, seq, methods, limitation, remarks, status, layout="cma",
             price=None if price is None else D(price), price_on_request=on_request)


CMA = [
    A("建筑材料（演示）", "胶砂强度", "1.1", [M("GB/T 17671-2021", "水泥胶砂强度检验方法（ISO法）")], on_request=True),
    A("建筑材料（演示）", "甲醛释放量", "1.2", [M("GB/T 17657-2022"), M("DB33/T 1234-2020")], ONLY("只测：人造板"),
      price="200"),
    A("建筑材料（演示）", "燃烧性能", "1.3", [M("T/ZZB 0001-2018")], None, "暂停", "suspended", price="1500"),
    A("环境与环保（演示）", "化学需氧量", "2.1", [M("HJ 828-2017", "水质 化学需氧量的测定 重铬酸盐法")], price="120"),
    A("环境与环保（演示）", "氨氮", "2.2", [M("HJ 535-2009"), M("GB/Z 1234-2020")], EXCEPT("不测：海水")),
]


def S(obj, seq, methods, ranges, certificate, valid_until, public, remarks="", status="active",
      service="verification"):
    return T(obj, "", seq, methods, None, remarks, status, layout="standards", service=service,
             ranges=tuple(ranges), certificate_no=certificate, valid_until=valid_until, public_standard=public)


STANDARDS = [
    S("二等铂电阻温度计标准装置（演示）", "1", [M("JJG 229-2010")],
      [R(-60, 300, "℃", "(-60～300) ℃", U("absolute", "0.03", "℃", 2, "U=0.03 ℃, k=2"))],
      "[2021]浙量标杭证字第058号", dt.date(2027, 5, 31), True),
    S("0.05级活塞式压力计标准装置（演示）", "2", [M("JJG 59-2022")],
      [R("0.1", 60, "MPa", "(0.1～60) MPa", U("class", "0.05", "", None, "0.05级"))],
      "[2020]浙量标杭证字第012号", dt.date(2026, 12, 31), True),
    S("E2等级砝码标准装置（演示）", "3", [M("JJG 99-2022")],
      [R(1, 500, "g", "1 mg～500 g", U("class", None, "", None, "E2等级"), min_unit="mg")],
      "[2022]浙量标杭企证字第101号", dt.date(2027, 1, 15), False),
    S("卡尺检定装置（演示）", "4", [M("JJG 30-2012")],
      [R(0, 300, "mm", "(0～300) mm", U("mpe", "0.02", "mm", None, "MPE: ±0.02 mm"))],
      "[2019]浙量标杭证字第007号", dt.date(2024, 6, 30), False, "暂停", "suspended"),
    S("数字多用表校准装置（演示）", "5", [M("JJF 1587-2016")], [
        R(0, 1000, "V", "(0～1000) V", U("relative", "0.005", "%", 2, "Urel=0.005%, k=2")),
        R(0, 10, "A", "(0～10) A", U("absolute", "0.01", "A", 2, "U=0.01 A, k=2"))],
      "[2023]浙量标杭证字第120号", dt.date(2028, 3, 1), True, service="calibration"),
]

EXPECTED = {"cnas-testing": CNAS_TESTING, "cnas-calibration": CNAS_CALIBRATION, "cma": CMA, "standards": STANDARDS}


def path_of(layout):
    return HERE / EXAMPLES[layout][0]


@pytest.mark.parametrize("layout", list(EXPECTED))
def test_every_item_of_the_example_is_read_as_written(layout):
    result = read_scope(path_of(layout))
    assert set(result.layouts.values()) == {layout}
    assert len(result.items) == len(EXPECTED[layout])
    for got, want in zip(result.items, EXPECTED[layout]):
        assert got == want, (got.sheet, got.row)
    assert [p for p in result.problems if p.reason != "sheet.skipped"] == []


def test_each_item_says_which_sheet_and_row_it_came_from():
    result = read_scope(path_of("cnas-testing"))
    assert [i.sheet for i in result.items] == CNAS_TESTING_SHEETS
    assert [i.row for i in result.items] == [5, 6, 7, 9, 10, 11, 3, 4]
    (cover,) = result.problems
    assert (cover.reason, cover.sheet, cover.level) == ("sheet.skipped", "封面", "warning")


@pytest.mark.parametrize("layout", list(EXPECTED))
def test_the_layout_given_reads_the_same_items(layout):
    assert read_scope(path_of(layout), layout=layout).items == EXPECTED[layout]


@pytest.mark.parametrize("layout", list(EXPECTED))
def test_write_then_read_gives_the_same_items(tmp_path, layout):
    items = read_scope(path_of(layout)).items
    written = write_scope(tmp_path / "scope.xlsx", items, title="能力范围（演示）")
    again = read_scope(written)
    assert again.items == items and again.problems == []
    assert [i.sheet for i in again.items] == [i.sheet for i in items]
    assert write_scope(tmp_path / "twice.xlsx", again.items) and read_scope(tmp_path / "twice.xlsx").items == items


def test_written_workbook_has_merged_cells_and_a_two_row_header(tmp_path):
    write_scope(tmp_path / "scope.xlsx", read_scope(path_of("cnas-testing")).items)
    sheet = load_workbook(tmp_path / "scope.xlsx")["附件1 检测能力"]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A1:A2", "B1:B2", "C1:D1", "A3:A5", "B3:B5", "A6:A8", "B6:B8"} <= merged
    assert (sheet["C2"].value, sheet["D2"].value) == ("序号", "名称")
    assert sheet["F3"].value == "《电线电缆电性能试验方法 第4部分：导体直流电阻试验》GB/T 3048.4-2007"


def test_examples_rebuild_byte_for_byte(tmp_path):
    for path in build(tmp_path):
        assert path.read_bytes() == (HERE / path.name).read_bytes(), f"rebuild seeds/examples/{path.name}"
