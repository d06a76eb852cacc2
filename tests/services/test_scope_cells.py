"""Each cell form of SCOPE_LAYOUTS.md read on its own (registry/services/records/scopes/cells.py)."""
import datetime as dt
from decimal import Decimal as D

import pytest

from registry.services.records.scopes import cells
from registry.services.records.scopes.items import Method, Uncertainty


@pytest.mark.parametrize("text, expected", [
    ("GB/T 3048.4-2007", [Method("GB/T 3048.4-2007")]),
    ("《电线电缆电性能试验方法 第4部分：导体直流电阻试验》GB/T 3048.4-2007",
     [Method("GB/T 3048.4-2007", "电线电缆电性能试验方法 第4部分：导体直流电阻试验")]),
    ("食品中水分的测定 GB 5009.3-2016 第一法", [Method("GB 5009.3-2016", "食品中水分的测定", "第一法")]),
    ("GB 5009.12-2017 第一法、第二法", [Method("GB 5009.12-2017", "", "第一法、第二法")]),
    ("JJF 1587-2016 5.2条", [Method("JJF 1587-2016", "", "5.2条")]),
    ("SN/T 3139-2012", [Method("SN/T 3139-2012")]),
    ("ISO 6892-1:2019", [Method("ISO 6892-1:2019")]),
    ("ASTM D638-14", [Method("ASTM D638-14")]),
    ("IEC 60335-1:2020", [Method("IEC 60335-1:2020")]),
    ("作业指导书 XX/ZY-012-2020", [Method(text="作业指导书 XX/ZY-012-2020")]),
    ("GB/T3048.4－2007", [Method("GB/T 3048.4-2007")]),
    ("ＧＢ／Ｔ　３０４８．４－２００７", [Method("GB/T 3048.4-2007")]),
    ("GB 5009.3-2016（第一法）", [Method("GB 5009.3-2016", "", "第一法")]),
    ("GB/T 17671-2021《水泥胶砂强度检验方法（ISO法）》", [Method("GB/T 17671-2021", "水泥胶砂强度检验方法（ISO法）")]),
    ("GB/T 3048.4-2007、GB/T 3956-2008", [Method("GB/T 3048.4-2007"), Method("GB/T 3956-2008")]),
    ("DB33/T 1234-2020；T/ZZB 0001-2018", [Method("DB33/T 1234-2020"), Method("T/ZZB 0001-2018")]),
    ("环境空气 PM2.5的测定 HJ 618-2011", [Method("HJ 618-2011", "环境空气 PM2.5的测定")]),
    ("EN 71-3:2019+A1:2021\nQB/T 1234-2010 附录B",
     [Method("EN 71-3:2019+A1:2021"), Method("QB/T 1234-2010", "", "附录B")]),
])
def test_standard_cells(text, expected):
    assert cells.methods(text) == (tuple(expected), [])


def test_a_method_cell_not_understood_is_kept_verbatim_with_a_warning():
    assert cells.methods("按客户要求\nGB 5009.3-2016") == (
        (Method(text="按客户要求"), Method("GB 5009.3-2016")), [("method.unknown", "按客户要求")])


@pytest.mark.parametrize("text, low, high, unit, min_unit", [
    ("(0～100) MPa", "0", "100", "MPa", ""),
    ("（0～100）MPa", "0", "100", "MPa", ""),
    ("0 MPa～100 MPa", "0", "100", "MPa", ""),
    ("-40℃～300℃", "-40", "300", "℃", ""),
    ("10 Hz～1 GHz", "10", "1", "GHz", "Hz"),
    ("(0~10) kN", "0", "10", "kN", ""),
    ("0-100 MPa", "0", "100", "MPa", ""),
    ("(-0.1～0) MPa", "-0.1", "0", "MPa", ""),
    ("(10～95) %RH", "10", "95", "%RH", ""),
    ("≤ 2 kg", None, "2", "kg", ""),
    ("≥10 MPa", "10", None, "MPa", ""),
    ("50 Hz", "50", "50", "Hz", ""),
    ("(0.001～500) g", "0.001", "500", "g", ""),
])
def test_range_forms(text, low, high, unit, min_unit):
    segment, warnings = cells.range_segment(text)
    assert warnings == []
    assert (segment.min, segment.max, segment.unit, segment.min_unit, segment.text) == (
        None if low is None else D(low), None if high is None else D(high), unit, min_unit, text)


def test_a_range_not_understood_is_kept_verbatim_with_a_warning():
    segment, warnings = cells.range_segment("见附表")
    assert (segment.min, segment.max, segment.text) == (None, None, "见附表")
    assert warnings == [("range.unknown", "见附表")]
    assert cells.range_segment("(0～10) 斤")[1] == [("unit.unknown", "斤")]


@pytest.mark.parametrize("text, kind, value, unit, k", [
    ("U=0.3 ℃", "absolute", "0.3", "℃", None),
    ("U=0.3℃, k=2", "absolute", "0.3", "℃", "2"),
    ("U＝0.5 μm，k=3", "absolute", "0.5", "μm", "3"),
    ("Urel=0.1%", "relative", "0.1", "%", None),
    ("Urel=0.1%, k=2", "relative", "0.1", "%", "2"),
    ("U=0.05%", "relative", "0.05", "%", None),
    ("Urel=5×10⁻¹⁰, k=2", "relative", "5E-10", "", "2"),
    ("U=1.5 %RH, k=2", "absolute", "1.5", "%RH", "2"),
    ("0.05级", "class", "0.05", "", None),
    ("E2等级", "class", None, "", None),
    ("三等", "class", None, "", None),
    ("MPE: ±0.02 mm", "mpe", "0.02", "mm", None),
    ("MPE：±0.2%", "mpe", "0.2", "%", None),
    ("最大允许误差：±1 km/h", "mpe", "1", "km/h", None),
    ("U=(0.1+0.02L) μm, L: m", "formula", None, "", None),
    ("U=(0.1+0.02L) μm, L: m, k=2", "formula", None, "", "2"),
])
def test_uncertainty_forms(text, kind, value, unit, k):
    assert cells.uncertainty(text) == (
        Uncertainty(kind, None if value is None else D(value), unit, None if k is None else D(k), text), [])


def test_the_header_k_applies_when_the_cell_gives_none():
    assert cells.uncertainty("U=0.3 ℃", D(2))[0].k == D(2)
    assert cells.uncertainty("U=0.3 ℃, k=3", D(2))[0].k == D(3)
    assert cells.uncertainty("0.05级", D(2))[0].k is None


def test_an_uncertainty_not_understood_is_kept_verbatim_with_a_warning():
    value, warnings = cells.uncertainty("详见证书")
    assert (value.kind, value.text) == ("text", "详见证书") and warnings == [("uncertainty.unknown", "详见证书")]


@pytest.mark.parametrize("text, kind", [
    ("只测：导体直流电阻", "only"), ("仅限：出口食品", "only"), ("只用于型式试验", "only"),
    ("不测：海底电缆", "except"), ("除微生物项目外", "except"), ("≤ 35 kV", "other")])
def test_limitations(text, kind):
    assert (cells.limitation(text).kind, cells.limitation(text).text) == (kind, text)
    assert cells.limitation("  ") is None


@pytest.mark.parametrize("text", [
    "[2021]浙量标杭证字第058号", "〔2021〕浙量标杭证字第058号", "［2021］浙量标杭证字第 058 号"])
def test_certificate_numbers(text):
    assert cells.certificate(text) == ("[2021]浙量标杭证字第058号", [])


def test_dates_prices_and_public_flags():
    assert cells.date("2026年5月31日") == (dt.date(2026, 5, 31), [])
    assert cells.date("2026.5.31")[0] == cells.date("2026/05/31")[0] == dt.date(2026, 5, 31)
    assert cells.date(dt.datetime(2026, 5, 31)) == (dt.date(2026, 5, 31), [])
    assert cells.date("长期") == (None, [("date.unknown", "长期")])
    assert cells.price("面议") == (None, True, [])
    assert cells.price("200") == cells.price("200元/项") == cells.price("２００") == (D(200), False, [])
    assert cells.price("优惠") == (None, False, [("price.unknown", "优惠")])
    assert cells.public_standard("社会公用计量标准") and cells.public_standard("是")
    assert not cells.public_standard("最高计量标准") and not cells.public_standard("")


def test_numbers_read_back_from_their_text():
    for text in ("0", "0.001", "-40", "419.527", "100000"):
        assert cells.number_text(cells.number(text)) == text
    assert cells.number("5×10⁻¹⁰") == D("5E-10") and cells.number_text(D("5E-10")) == "5×10⁻¹⁰"
