"""Files as they arrive: encodings, headers, workbooks, and bad input of every kind.

Every bad file must be reported precisely (file, and row/column where it
applies), give a report with errors, and leave the registry exactly as it was:
each test starts from a registry holding one facility and one capability
(the `baseline` fixture) and compares the row counts afterwards.
"""
import random
import time
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from registry.models import Capability
from registry.schemas.interchange import CAPABILITY_COLUMNS, FACILITY_COLUMNS
from registry.services.records.canonical import load_facilities
from tests.factories import (
    capability,
    facility,
    point_in,
    problems,
    row_counts,
    run,
    write_csv,
    write_dataset,
    write_workbook,
)
from tests.factories import (
    in_english as english,
)

REAL_USCC = "91310115MA1K3BTP2B"
FACILITY_HEADER = "facility_id,name,kind,ownership,uscc,district_code,shared"





def snapshot(session) -> dict:
    return {"counts": row_counts(session), "facilities": load_facilities(session)}


@pytest.fixture
def baseline(session, tmp_path):
    """A registry holding F0100 (with an accreditation) and its capability; its snapshot."""
    report = run(session, write_dataset(tmp_path / "baseline", [facility(100, cma_no="201923000123")],
                                        [capability(100, 1)]))
    assert report.committed
    return snapshot(session)


def the_error(report):
    """The one error of a report that must have exactly one."""
    assert not report.committed
    assert len(report.errors) == 1, problems(report)
    return report.errors[0]


def a_name(issue) -> str:
    return Path(issue.file).name


def write_chinese(folder: Path, facilities=(), capabilities=(), encoding="utf-8") -> list[Path]:
    """Like write_dataset(chinese=True), with each table's own Chinese headers."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, rows, headers in (("facilities", facilities, FACILITY_COLUMNS),
                                ("capabilities", capabilities, CAPABILITY_COLUMNS)):
        if rows:
            translated = [{headers.get(k, k): v for k, v in row.items()} for row in rows]
            paths.append(write_csv(folder / f"{name}.csv", translated, encoding=encoding))
    return paths


def valid_facility_rows(n=2):
    return [facility(i) for i in range(1, n + 1)]


# --- encodings ------------------------------------------------------------------


def latin1_facilities(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = write_csv(folder / "facilities.csv",
                     [facility(1, name="Prüflabor Müller & Söhne ÿ", name_en="Ærø")],
                     encoding="cp1252")
    data = path.read_bytes()
    for codec in ("utf-8", "gb18030"):  # premise: the bytes are invalid in both
        with pytest.raises(UnicodeDecodeError):
            data.decode(codec)
    return path


def test_latin1_file_is_rejected_as_neither_utf8_nor_gb18030(session, tmp_path, baseline):
    report = run(session, [latin1_facilities(tmp_path)])
    issue = the_error(report)
    assert a_name(issue) == "facilities.csv"
    message = english(issue.message)
    assert "neither UTF-8 nor GB18030" in message and "--encoding" in message
    assert snapshot(session) == baseline


def test_latin1_file_imports_with_an_encoding_override(session, tmp_path, baseline):
    report = run(session, [latin1_facilities(tmp_path)], encoding="cp1252")
    assert not report.errors and report.committed
    record = load_facilities(session)["F0001"][2]
    assert (record["name"], record["name_en"]) == ("Prüflabor Müller & Söhne ÿ", "Ærø")


def test_unknown_encoding_name_is_rejected(session, tmp_path, baseline):
    report = run(session, write_dataset(tmp_path, valid_facility_rows()), encoding="klingon")
    issue = the_error(report)
    assert a_name(issue) == "facilities.csv"
    assert english(issue.message) == "unknown encoding klingon"
    assert snapshot(session) == baseline


def test_encoding_override_that_does_not_fit_is_reported_at_the_row_holding_the_bad_bytes(
        session, tmp_path, baseline):
    # ASCII header, Chinese from row 2 on: read as UTF-8, row 2 is the first that fails.
    paths = write_dataset(tmp_path, valid_facility_rows(), encoding="gbk")
    report = run(session, paths, encoding="utf-8")
    issue = the_error(report)
    assert (a_name(issue), issue.row) == ("facilities.csv", 2)
    assert "not readable as CSV" in english(issue.message)
    assert snapshot(session) == baseline


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_gbk_file_with_chinese_headers_imports(session, tmp_path, encoding):
    paths = write_chinese(
        tmp_path,
        [facility(1, kind="检验检测机构", ownership="民营", district_code="西湖区", shared="是",
                  level="市级", fields="新能源；集成电路")],
        [capability(1, 1, kind="计量标准", name="0.05级活塞式压力计标准装置", discipline="力学",
                    range_min="0", range_max="60", unit="MPa", bookable="否")],
        encoding=encoding)
    assert "机构编号".encode(encoding) in paths[0].read_bytes()
    report = run(session, paths)
    assert not report.errors and report.committed, problems(report)
    record = load_facilities(session)["F0001"][2]
    assert (record["name"], record["kind"], record["ownership"], record["district_code"],
            record["fields"]) == ("测试检测中心1", "testing", "private", "330106", "新能源;集成电路")
    cap = session.scalars(select(Capability)).one()
    assert (cap.kind, cap.name, cap.discipline) == (
        "measurement_standard", "0.05级活塞式压力计标准装置", "mechanics")


def test_gb18030_file_with_characters_outside_gbk_imports(session, tmp_path):
    name = "𠮷㐀检测中心"  # U+20BB7 and U+3400 are GB18030 but not GBK
    with pytest.raises(UnicodeEncodeError):
        name.encode("gbk")
    paths = write_chinese(tmp_path, [facility(1, name=name)], encoding="gb18030")
    report = run(session, paths)
    assert not report.errors and report.committed
    assert load_facilities(session)["F0001"][2]["name"] == name


@pytest.mark.parametrize("writer", [write_dataset, write_chinese])
def test_utf8_with_bom_imports(session, tmp_path, writer):
    paths = writer(tmp_path, [facility(1, name="带BOM的文件")], [capability(1, 1)],
                   encoding="utf-8-sig")
    assert paths[0].read_bytes().startswith(b"\xef\xbb\xbf")
    report = run(session, paths)
    assert not report.errors and report.committed, problems(report)
    assert not report.issues  # the BOM does not turn the first header into an unknown column
    assert load_facilities(session)["F0001"][2]["name"] == "带BOM的文件"


def test_encoding_override_reads_a_gbk_file(session, tmp_path):
    paths = write_chinese(tmp_path, valid_facility_rows(), encoding="gbk")
    report = run(session, paths, encoding="gbk")
    assert not report.errors and report.committed


# --- headers -----------------------------------------------------------------------


@pytest.mark.parametrize("table, column, chinese", [
    ("facilities", "facility_id", "机构编号"), ("facilities", "name", "机构名称"),
    ("facilities", "kind", "类型"), ("facilities", "ownership", "性质"),
    ("facilities", "uscc", "统一社会信用代码"), ("facilities", "shared", "是否共享"),
    ("capabilities", "facility_id", "机构编号"), ("capabilities", "capability_id", "能力编号"),
    ("capabilities", "kind", "能力类型"), ("capabilities", "name", "名称"),
])
def test_missing_required_column_rejects_the_file_naming_it(session, tmp_path, baseline, table,
                                                             column, chinese):
    facilities, capabilities = [facility(1)], [capability(1, 1)]
    rows = facilities if table == "facilities" else capabilities
    for row in rows:
        del row[column]
    report = run(session, write_dataset(tmp_path, facilities, capabilities))
    issue = the_error(report)
    assert (a_name(issue), issue.row) == (f"{table}.csv", 1)
    assert english(issue.message) == f"required columns missing: {column} ({chinese})"
    assert snapshot(session) == baseline


def test_several_missing_columns_are_named_together(session, tmp_path):
    path = tmp_path / "facilities.csv"
    path.write_text("facility_id,name,kind\nF0001,x,testing\n", encoding="utf-8")
    issue = the_error(run(session, [path]))
    assert english(issue.message) == (
        "required columns missing: ownership (性质), uscc (统一社会信用代码), shared (是否共享)")


def test_unknown_column_is_a_warning_and_is_ignored(session, tmp_path):
    paths = write_dataset(tmp_path, [facility(1, 备注="某备注", colour="blue")])
    report = run(session, paths)
    assert report.committed and not report.errors
    warnings = [(i.file, i.row, i.level, english(i.message)) for i in report.issues]
    assert warnings == [("facilities.csv", 1, "warning", "unknown column 备注 is ignored"),
                        ("facilities.csv", 1, "warning", "unknown column colour is ignored")]
    assert load_facilities(session)["F0001"][2]["name"] == "测试检测中心1"


@pytest.mark.parametrize("header", [
    FACILITY_HEADER + ",name", FACILITY_HEADER + ",机构名称", FACILITY_HEADER + ", NAME "])
def test_duplicated_column_rejects_the_file(session, tmp_path, baseline, header):
    path = tmp_path / "facilities.csv"
    path.write_text(header + "\n", encoding="utf-8")
    issue = the_error(run(session, [path]))
    assert (a_name(issue), issue.row) == ("facilities.csv", 1)
    assert english(issue.message).startswith("the column ")
    assert english(issue.message).endswith(" appears twice")
    assert snapshot(session) == baseline


def test_column_order_does_not_matter(session, tmp_path):
    row = facility(1)
    path = write_csv(tmp_path / "facilities.csv", [row], columns=list(reversed(row)))
    report = run(session, [path])
    assert report.committed and not report.errors


def test_chinese_header_is_named_as_written_in_the_report(session, tmp_path):
    paths = write_chinese(tmp_path, [facility(1, uscc="123")])
    assert problems(run(session, paths)) == [
        ("facilities.csv", 2, "统一社会信用代码", "123", "a Unified Social Credit Code has 18 characters")]


# --- empty files -----------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"\r\n\r\n", b"\xef\xbb\xbf", b" , ,\n"])
def test_empty_file_is_rejected(session, tmp_path, baseline, content):
    path = tmp_path / "facilities.csv"
    path.write_bytes(content)
    issue = the_error(run(session, [path]))
    assert a_name(issue) == "facilities.csv"
    assert english(issue.message) == "the file is empty: no header row"
    assert snapshot(session) == baseline


@pytest.mark.parametrize("name, header", [
    ("facilities.csv", FACILITY_HEADER),
    ("capabilities.csv", "facility_id,capability_id,kind,name"),
])
@pytest.mark.parametrize("prune", [False, True])
def test_header_only_file_is_rejected(session, tmp_path, baseline, name, header, prune):
    # Not silently "nothing to do": with --prune it would tombstone the whole table.
    path = tmp_path / name
    path.write_text(header + "\n", encoding="utf-8")
    report = run(session, [path], prune=prune)
    assert snapshot(session) == baseline
    issue = the_error(report)
    assert a_name(issue) == name and english(issue.message)


# --- workbooks --------------------------------------------------------------------------


def test_workbook_without_the_two_sheets_is_rejected_naming_its_sheets(session, tmp_path,
                                                                       baseline):
    path = write_workbook(tmp_path / "data.xlsx", {"Sheet1": [facility(1)], "说明": [{"a": 1}]})
    issue = the_error(run(session, [path]))
    assert issue.file == "data.xlsx"
    assert english(issue.message) == (
        "the workbook has no sheet named facilities or capabilities (it has: Sheet1, 说明)")
    assert snapshot(session) == baseline


@pytest.mark.parametrize("content", [b"facility_id,name\nF1,x\n", b"", b"PK\x03\x04garbage"])
def test_file_that_is_not_a_zip_renamed_xlsx_is_rejected(session, tmp_path, baseline, content):
    path = tmp_path / "data.xlsx"
    path.write_bytes(content)
    issue = the_error(run(session, [path]))
    assert issue.file == "data.xlsx"
    assert english(issue.message).startswith("not a valid XLSX workbook")
    assert snapshot(session) == baseline


def test_zip_that_is_not_a_workbook_is_rejected(session, tmp_path, baseline):
    path = tmp_path / "data.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    issue = the_error(run(session, [path]))
    assert issue.file == "data.xlsx"
    assert english(issue.message).startswith("not a valid XLSX workbook")
    assert snapshot(session) == baseline


def test_workbook_sheet_without_a_header_row_is_rejected(session, tmp_path, baseline):
    path = tmp_path / "data.xlsx"
    workbook = Workbook()
    workbook.active.title = "facilities"
    workbook.save(path)
    issue = the_error(run(session, [path]))
    assert issue.file == "data.xlsx [facilities]"
    assert english(issue.message) == "the sheet is empty: no header row"
    assert snapshot(session) == baseline


def test_workbook_sheet_missing_a_required_column_names_sheet_and_column(session, tmp_path,
                                                                         baseline):
    cap = capability(1, 1)
    del cap["kind"]
    path = write_workbook(tmp_path / "data.xlsx", {"facilities": [facility(1)], "capabilities": [cap]})
    issue = the_error(run(session, [path]))
    assert (issue.file, issue.row) == ("data.xlsx [capabilities]", 1)
    assert english(issue.message) == "required columns missing: kind (能力类型)"
    assert snapshot(session) == baseline


def test_xlsx_with_chinese_headers_and_typed_cells_imports(session, tmp_path):
    lon, lat = point_in("330106")
    facilities = [
        {"机构编号": "F0001", "机构名称": "杭州市计量检定测试院", "类型": "计量技术机构",
         "性质": "国有", "层级": "市级", "统一社会信用代码": REAL_USCC, "所属区县": "西湖区",
         "经度": lon, "纬度": lat, "是否共享": True, "CMA证书编号": 201923000123,
         "CMA有效期至": date(2027, 6, 30), "CNAS注册号": "CNAS L1234",
         "CNAS有效期至": datetime(2026, 12, 31)},
        {"机构编号": 2002, "机构名称": "淳安县检测站", "类型": "检验检测机构", "性质": "民营",
         "统一社会信用代码": REAL_USCC.lower(), "所属区县": 330127, "是否共享": False},
    ]
    capabilities = [
        {"机构编号": "F0001", "能力编号": 1001, "能力类型": "计量标准",
         "名称": "0.05级活塞式压力计标准装置", "计量专业": 12, "测量范围下限": 0,
         "测量范围上限": 60.5, "单位": "MPa", "有效期至": datetime(2028, 1, 31),
         "参考价格": 1200.5, "周期天数": 5.0, "可预约": True, "日容量": 3},
        {"机构编号": 2002, "能力编号": "C0001", "能力类型": "检验检测项目",
         "名称": "电线电缆 导体直流电阻", "测量范围下限": -40, "测量范围上限": 150,
         "单位": "℃", "参考价格": 0, "可预约": False},
    ]
    path = write_workbook(tmp_path / "data.xlsx",
                          {"facilities": facilities, "capabilities": capabilities})
    report = run(session, [path])
    assert not report.errors and report.committed, problems(report)
    stored = load_facilities(session)
    first, second = stored["F0001"][2], stored["2002"][2]
    assert (first["kind"], first["level"], first["district_code"], first["shared"]) == (
        "metrology", "city", "330106", True)
    assert (first["lon"], first["lat"]) == (lon, lat)
    assert (first["cma_no"], first["cma_valid_until"]) == ("201923000123", date(2027, 6, 30))
    assert first["cnas_valid_until"] == date(2026, 12, 31)
    assert (second["district_code"], second["shared"], second["uscc"], second["lon"]) == (
        "330127", False, REAL_USCC, None)
    caps = {c.capability_id: c for c in session.scalars(select(Capability))}
    standard = caps["1001"]
    assert (standard.discipline, standard.range_min, standard.range_max, standard.valid_until,
            standard.price_cny, standard.lead_time_days, standard.bookable,
            standard.daily_capacity) == (
        "mechanics", 0.0, 60.5, date(2028, 1, 31), Decimal("1200.50"), 5, True, 3)
    item = caps["C0001"]
    assert (item.range_min, item.range_max, item.unit, item.price_cny, item.bookable) == (
        -40.0, 150.0, "℃", Decimal("0.00"), False)


def test_xlsx_errors_name_the_sheet_and_the_spreadsheet_row(session, tmp_path, baseline):
    path = write_workbook(tmp_path / "data.xlsx", {
        "facilities": [facility(1), facility(2, uscc="91330106MA27XXXXXX")],
        "capabilities": [capability(1, 1), capability(1, 2), capability(9, 1)]})
    report = run(session, [path])
    assert [(i.file, i.row, i.column, i.value) for i in report.errors] == [
        ("data.xlsx [facilities]", 3, "uscc", "91330106MA27XXXXXX"),
        ("data.xlsx [capabilities]", 4, "facility_id", "F0009")]
    assert snapshot(session) == baseline


# --- bad rows ---------------------------------------------------------------------------


def test_row_with_a_bad_uscc_is_reported_and_nothing_is_written(session, tmp_path, baseline):
    paths = write_dataset(tmp_path, [facility(1), facility(2, uscc="91330106MA27XXXXXX"),
                                     facility(3)], [capability(1, 1)])
    assert problems(run(session, paths)) == [
        ("facilities.csv", 3, "uscc", "91330106MA27XXXXXX", "the final check character is wrong")]
    assert snapshot(session) == baseline


def test_duplicate_facility_ids_are_reported_naming_the_first_row(session, tmp_path, baseline):
    paths = write_dataset(tmp_path, [facility(1), facility(2), facility(1, name="重复")])
    assert problems(run(session, paths)) == [
        ("facilities.csv", 4, "facility_id", "F0001", "duplicate facility_id: also in row 2"),
        ("facilities.csv", 2, "facility_id", "F0001", "duplicate facility_id: also in row 4")]  # both (issue 13)
    assert snapshot(session) == baseline


def test_duplicate_capability_ids_are_reported_naming_the_first_row(session, tmp_path, baseline):
    paths = write_dataset(tmp_path, [facility(1)],
                          [capability(1, 1), capability(1, 2), capability(1, 2, name="重复")])
    assert problems(run(session, paths)) == [
        ("capabilities.csv", 3, "capability_id", "C0002",  # both rows (issue 13)
         "duplicate capability_id for facility F0001: also in row 4"),
        ("capabilities.csv", 4, "capability_id", "C0002",
         "duplicate capability_id for facility F0001: also in row 3")]
    assert snapshot(session) == baseline


def test_capability_of_a_facility_that_does_not_exist_is_rejected(session, tmp_path, baseline):
    paths = write_dataset(tmp_path, [facility(1)], [capability(1, 1), capability(7, 1)])
    assert problems(run(session, paths)) == [
        ("capabilities.csv", 3, "facility_id", "F0007",
         "facility F0007 is neither in this import nor in the registry")]
    assert snapshot(session) == baseline


def test_row_numbers_are_those_a_spreadsheet_shows(session, tmp_path, baseline):
    # A quoted cell spanning two lines is one row; a blank line is a row too.
    path = tmp_path / "facilities.csv"
    rows = valid_facility_rows(3)
    rows[0]["address"] = "杭州市西湖区\n天目山路 1 号"
    rows[2]["kind"] = "lab"
    write_csv(path, rows)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:3] + ["\r\n"] + lines[3:]), encoding="utf-8")
    assert problems(run(session, [path])) == [
        ("facilities.csv", 5, "kind", "lab", "must be one of: metrology, testing, certification")]
    assert snapshot(session) == baseline


# --- hostile files ----------------------------------------------------------------------


def test_fifty_megabytes_of_random_bytes_is_rejected_quickly(session, tmp_path, baseline):
    path = tmp_path / "facilities.csv"
    path.write_bytes(random.Random(20250601).randbytes(50 * 1024 * 1024))
    started = time.monotonic()
    report = run(session, [path])
    elapsed = time.monotonic() - started
    issue = the_error(report)
    assert a_name(issue) == "facilities.csv"
    assert "neither UTF-8 nor GB18030" in english(issue.message)
    assert elapsed < 5, f"took {elapsed:.1f} s"
    assert snapshot(session) == baseline


@pytest.mark.parametrize("column", ["name", "facility_id"])
def test_csv_with_a_nul_byte_is_rejected_naming_file_and_row(session, tmp_path, baseline, column):
    rows = valid_facility_rows(3)
    rows[1][column] = rows[1][column][:2] + "\x00" + rows[1][column][2:]
    paths = write_dataset(tmp_path, rows)
    assert b"\x00" in paths[0].read_bytes()
    report = run(session, paths)
    assert report.errors and not report.committed
    issue = report.errors[0]
    assert (a_name(issue), issue.row) == ("facilities.csv", 3)
    assert issue.column in (None, column)
    assert snapshot(session) == baseline


@pytest.mark.parametrize("table", ["facilities", "capabilities"])
def test_cell_larger_than_the_field_limit_is_rejected_naming_the_row(session, tmp_path, baseline,
                                                                     table):
    facilities, capabilities = valid_facility_rows(3), [capability(1, i) for i in range(1, 4)]
    rows = facilities if table == "facilities" else capabilities
    rows[2]["name"] = "长" * 100_001
    paths = write_dataset(tmp_path, facilities, capabilities)
    issue = the_error(run(session, paths))
    assert (a_name(issue), issue.row) == (f"{table}.csv", 4)
    assert "field larger than field limit" in english(issue.message)
    assert snapshot(session) == baseline


# --- which files ------------------------------------------------------------------------


def test_file_whose_name_names_no_table_is_rejected(session, tmp_path, baseline):
    path = write_csv(tmp_path / "export-2025.csv", [facility(1)])
    issue = the_error(run(session, [path]))
    assert a_name(issue) == "export-2025.csv"
    assert "name the files facilities.csv and capabilities.csv" in english(issue.message)
    assert snapshot(session) == baseline


def test_missing_file_is_rejected(session, tmp_path, baseline):
    issue = the_error(run(session, [tmp_path / "facilities.csv"]))
    assert a_name(issue) == "facilities.csv" and english(issue.message) == "no such file"
    assert snapshot(session) == baseline


def test_two_facilities_tables_are_rejected(session, tmp_path, baseline):
    csv_path = write_csv(tmp_path / "facilities.csv", [facility(1)])
    xlsx_path = write_workbook(tmp_path / "data.xlsx", {"facilities": [facility(2)]})
    issue = the_error(run(session, [csv_path, xlsx_path]))
    assert issue.file == "data.xlsx [facilities]"
    assert english(issue.message) == "a second facilities table; give one only"
    assert snapshot(session) == baseline


def test_a_folder_holding_the_two_csv_files_is_imported(session, tmp_path):
    write_dataset(tmp_path, [facility(1)], [capability(1, 1)])
    report = run(session, [tmp_path])
    assert report.committed and report.counts["capabilities"]["created"] == 1


# --- progress ---------------------------------------------------------------------------


def test_progress_is_reported_up_to_the_total(session, tmp_path):
    calls = []
    paths = write_dataset(tmp_path, valid_facility_rows(5),
                          [capability(1, i) for i in range(1, 8)])
    run(session, paths, chunk_rows=3, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 12) and calls[-1] == (12, 12)
    assert [done for done, _total in calls] == sorted(done for done, _total in calls)
    assert len(calls) >= 4  # facilities, then capabilities chunk by chunk


def test_csv_of_utf8_rows_with_one_gb18030_row_is_refused_naming_that_row(session, tmp_path, baseline):
    paths = write_dataset(tmp_path, [facility(1, name="压压检测中心"), facility(2, name="杭州检测中心"),
                                     facility(3, name="余杭计量所")])
    lines = paths[0].read_bytes().split(b"\n")
    lines[2] = lines[2].decode("utf-8").encode("gb18030")  # row 3, as another program saved it
    paths[0].write_bytes(b"\n".join(lines))
    report = run(session, paths)
    issue = the_error(report)
    assert (a_name(issue), issue.row) == ("facilities.csv", 3)
    assert "mixes UTF-8 and GB18030" in english(issue.message)
    assert snapshot(session) == baseline


def test_csv_of_gb18030_rows_with_one_utf8_row_is_refused_too(session, tmp_path, baseline):
    paths = write_dataset(tmp_path, [facility(1, name="压压检测中心"), facility(2, name="杭州检测中心")],
                          encoding="gb18030")
    lines = paths[0].read_bytes().split(b"\n")
    lines[2] = lines[2].decode("gb18030").encode("utf-8")
    paths[0].write_bytes(b"\n".join(lines))
    issue = the_error(run(session, paths))
    assert issue.row == 3 and "GB18030" in english(issue.message)


def test_utf8_file_with_accented_latin_and_chinese_still_reads_as_utf8(session, tmp_path):
    paths = write_dataset(tmp_path, [facility(1, name_en="Prüflabor Müller"), facility(2, name="压压检测中心")])
    report = run(session, paths)
    assert not report.errors and report.committed
    assert load_facilities(session)["F0002"][2]["name"] == "压压检测中心"
