"""Scope files as they arrive: CSV encodings, odd headers, blank rows, unknown forms, refusals, size."""
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from registry.services.records.scopes import ScopeFileError, open_scope, read_scope

CNAS_HEADER = ["序号,检测对象,项目/参数,,检测标准（方法）名称及编号（含年号）,限制范围,说明",
               ",,序号,名称,,,"]


def write_csv(path, lines, encoding="utf-8"):
    path.write_bytes("\n".join(lines).encode(encoding) + b"\n")
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_csv_scope_in_each_encoding(tmp_path, encoding):
    path = write_csv(tmp_path / "scope.csv", [
        "认可的检测能力范围（演示）,,,,,,", *CNAS_HEADER,
        "1,电线电缆（演示）,1.1,导体直流电阻,GB/T 3048.4-2007,只测：≤35 kV,",
        ",,,,,,",  # a spacer
        ",,1.2,绝缘电阻,\"GB/T 3048.5-2007\nGB/T 3956-2008\",,暂停",
        "2,食品（演示）,2.1,水分,食品中水分的测定 GB 5009.3-2016 第一法,,",
    ], encoding)
    result = read_scope(path)
    assert result.layouts == {"scope.csv": "cnas-testing"}
    assert [(i.object, i.parameter, i.seq, i.status, i.row) for i in result.items] == [
        ("电线电缆（演示）", "导体直流电阻", "1.1", "active", 4),
        ("电线电缆（演示）", "绝缘电阻", "1.2", "suspended", 6),  # object written once, carried down
        ("食品（演示）", "水分", "2.1", "active", 7)]
    assert [m.standard for m in result.items[1].methods] == ["GB/T 3048.5-2007", "GB/T 3956-2008"]
    assert result.problems == []


def test_one_hierarchical_seq_column_object_rows_then_parameter_rows(tmp_path):
    path = write_csv(tmp_path / "cma.csv", [
        "序号,类别（产品/项目/参数）,产品/项目/参数,依据的标准（方法）名称及编号（含年号）,限制范围,说明",
        "1,食品（演示）,,,,",
        "1.1,,水分,GB 5009.3-2016,,",
        "1.2,,灰分,GB 5009.4-2016,,",
        "2,建筑材料（演示）,,,,",
        "2.1,,胶砂强度,GB/T 17671-2021,,"])
    assert [(i.seq, i.object, i.parameter) for i in read_scope(path).items] == [
        ("1.1", "食品（演示）", "水分"), ("1.2", "食品（演示）", "灰分"), ("2.1", "建筑材料（演示）", "胶砂强度")]


def test_an_inspection_bodys_scope_is_inspection(tmp_path):
    path = write_csv(tmp_path / "ib.csv", [
        "序号,检验对象,检验项目,检验依据,限制范围,说明",
        "1,压力容器（演示）,超声检测,NB/T 47013.3-2023,,",
        "2,电梯（演示）,磁粉检测,NB/T 47013.4-2015,只测：曳引钢丝绳,"])
    result = read_scope(path)
    assert result.layouts == {"ib.csv": "cnas-testing"}
    assert [(i.object, i.parameter, i.service, i.methods[0].standard) for i in result.items] == [
        ("压力容器（演示）", "超声检测", "inspection", "NB/T 47013.3-2023"),
        ("电梯（演示）", "磁粉检测", "inspection", "NB/T 47013.4-2015")]


def test_a_calibration_csv_continues_an_item_on_rows_left_blank(tmp_path):
    path = write_csv(tmp_path / "cal.csv", [
        "序号,测量仪器名称,被测量,校准规范名称及编号,测量范围,扩展不确定度（k=2）,说明",
        "1,数字压力计（演示）,压力,JJF 1587-2016,(0～10) MPa,U=0.05%,",
        ",,,,(10～100) MPa,Urel=0.1%,",
        "2,温度计（演示）,温度,JJF 1637-2017,\"-40℃～0℃\n0℃～300℃\",U=0.3 ℃,"])
    first, second = read_scope(path).items
    assert [(s.min, s.max, s.uncertainty.text, s.uncertainty.k) for s in first.ranges] == [
        (0, 10, "U=0.05%", 2), (10, 100, "Urel=0.1%", 2)]
    assert [(s.min, s.max, s.uncertainty.text) for s in second.ranges] == [
        (-40, 0, "U=0.3 ℃"), (0, 300, "U=0.3 ℃")]  # one uncertainty for every line of the range cell


def test_a_header_split_over_three_rows_and_numbers_stored_as_text(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["序号", "类别（产品/项目/参数）", "产品/项目/参数", None, "依据的标准（方法）", "限制范围", "说明"])
    sheet.append([None, None, "序号", "名称", "名称及编号", None, None])
    sheet.append([None, None, None, None, "（含年号）", None, None])
    sheet.append([1, "食品（演示）", 1.1, "水分", "GB 5009.3-2016", None, None])
    sheet.append(["1", None, "1.2", "灰分", "GB 5009.4-2016", None, None])
    workbook.save(tmp_path / "cma.xlsx")
    result = read_scope(tmp_path / "cma.xlsx")
    assert set(result.layouts.values()) == {"cma"}
    assert [(i.object, i.seq, i.parameter, i.methods[0].standard) for i in result.items] == [
        ("食品（演示）", "1.1", "水分", "GB 5009.3-2016"), ("食品（演示）", "1.2", "灰分", "GB 5009.4-2016")]


def test_a_cell_merged_across_two_columns_counts_for_the_first_only(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["序号", "检测对象", "项目/参数", None, "检测标准（方法）名称及编号（含年号）", "限制范围", "说明"])
    sheet.append([None, None, "序号", "名称", None, None, None])
    sheet.append([1, "电线电缆（演示）", "1.1", "导体直流电阻", "GB/T 3048.4-2007", "只测：≤35 kV", None])
    sheet.merge_cells("F3:G3")  # the limitation spread over 说明 as well
    sheet.merge_cells("A1:A2")
    sheet.merge_cells("C1:D1")
    workbook.save(tmp_path / "odd.xlsx")
    result = read_scope(tmp_path / "odd.xlsx")
    (item,) = result.items
    assert (item.limitation.text, item.remarks, item.status) == ("只测：≤35 kV", "", "active")
    (problem,) = result.problems
    assert (problem.reason, problem.row, problem.column, problem.text) == (
        "cell.merged_across", 3, "G (说明)", "只测：≤35 kV")


def test_cells_not_understood_are_kept_verbatim_and_reported_with_their_place(tmp_path):
    path = write_csv(tmp_path / "std.csv", [
        "序号,计量标准名称,测量范围,不确定度或准确度等级或最大允许误差,证书编号,有效期至,计量标准类别,备用列",
        "1,温度标准装置（演示）,见附表,详见证书,浙量标第一号,长期,社会公用计量标准,内部编号7"])
    result = read_scope(path)
    (item,) = result.items
    assert item.ranges[0].text == "见附表" and item.ranges[0].uncertainty.text == "详见证书"
    assert item.certificate_no == "浙量标第一号" and item.valid_until is None and item.public_standard
    assert ("有效期至", "长期") in item.verbatim and ("备用列", "内部编号7") in item.verbatim
    reasons = {(p.reason, p.row, p.column, p.text) for p in result.problems}
    assert {("range.unknown", 2, "C (测量范围)", "见附表"),
            ("uncertainty.unknown", 2, "D (不确定度或准确度等级或最大允许误差)", "详见证书"),
            ("certificate.format", 2, "E (证书编号)", "浙量标第一号"), ("date.unknown", 2, "F (有效期至)", "长期"),
            ("column.unknown", 1, "H (备用列)", "备用列")} <= reasons
    problem = next(p for p in result.problems if p.reason == "range.unknown")
    assert problem.level == "warning"
    assert problem.message("zh") == "std.csv 第 2 行 C (测量范围) 列：无法识别的测量范围写法，已原样保留：见附表"
    assert problem.message("en") == (
        "std.csv row 2, column C (测量范围): measurement range not recognised, kept as written: 见附表")


def test_a_file_whose_layout_is_not_recognised_is_refused_naming_the_header(tmp_path):
    path = write_csv(tmp_path / "other.csv", ["序号,名称,数量", "1,螺丝,3"])
    with pytest.raises(ScopeFileError) as caught:
        open_scope(path)
    problem = caught.value.problem
    assert (problem.reason, problem.row, problem.text) == ("layout.unknown", 1, "序号 | 名称 | 数量")
    assert "序号 | 名称 | 数量" in problem.message("zh") and caught.value.status == 400


def test_a_file_without_a_header_row_is_refused_naming_the_first_row(tmp_path):
    path = write_csv(tmp_path / "x.csv", ["", "机构名称,地址", "某某公司,杭州"])
    with pytest.raises(ScopeFileError) as caught:
        open_scope(path)
    assert (caught.value.problem.reason, caught.value.problem.row, caught.value.problem.text) == (
        "layout.unknown", 2, "机构名称 | 地址")


def test_a_layout_given_that_the_header_does_not_fit_is_refused(tmp_path):
    path = write_csv(tmp_path / "t.csv", [*CNAS_HEADER, "1,线缆,1.1,电阻,GB/T 3048.4-2007,,"])
    assert read_scope(path, layout="cma").layouts == {"t.csv": "cma"}  # the same columns: taken as given
    with pytest.raises(ScopeFileError) as caught:
        open_scope(path, layout="standards")
    assert caught.value.problem.reason == "layout.mismatch"
    with pytest.raises(ScopeFileError) as caught:
        open_scope(path, layout="nonsense")
    assert caught.value.problem.reason == "layout.unknown_name"


def test_files_that_are_not_scopes_are_refused(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(b"not a zip")
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    (tmp_path / "a.csv").write_bytes(b"\xff\xfe\x00\x81\x30\xff\xff")
    with zipfile.ZipFile(tmp_path / "b.xlsx", "w") as z:
        z.writestr("x", "y")
    reasons = []
    for name in ("a.xlsx", "a.pdf", "a.csv", "b.xlsx"):
        with pytest.raises(ScopeFileError) as caught:
            read_scope(tmp_path / name)
        reasons.append(caught.value.problem.reason)
    assert reasons == ["file.unreadable", "file.type", "file.encoding", "file.unreadable"]


def test_a_header_with_no_items_is_refused(tmp_path):
    with pytest.raises(ScopeFileError) as caught:
        read_scope(write_csv(tmp_path / "empty.csv", CNAS_HEADER))
    assert caught.value.problem.reason == "scope.empty"


STREAM_CHECK = """
import resource, sys
from registry.services.records.scopes import open_scope
scope = open_scope(sys.argv[1])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
count = sum(1 for _ in scope.items())
print(count, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
"""


def test_a_10_mb_scope_streams(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as f:
        f.write("\n".join(CNAS_HEADER) + "\n")
        n = 0
        while f.tell() < 10_000_000:
            n += 1
            f.write(f"{n},检测对象{n}（演示）,{n}.1,参数{n},"
                    f"\"《某产品检测方法 第{n % 9 + 1}部分》GB/T {n}.1-2020 第一法\nGB {n}-2019\","
                    f"只测：对象{n},说明{n}\n")
    # a process of its own, so that its peak memory is the reader's (ru_maxrss is in KiB on Linux)
    done = subprocess.run([sys.executable, "-c", STREAM_CHECK, str(path)], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).resolve().parents[2])
    count, grown_kib = map(int, done.stdout.split())
    assert count == n > 50_000
    assert grown_kib < 40_000, grown_kib  # the items of a 10 MB file are not all held in memory


def test_a_workbook_with_a_cover_sheet_is_refused_naming_the_header_of_its_scope_sheet():
    """The cover (no header row) is passed over; the refusal names the header of the sheet that has one."""
    with pytest.raises(ScopeFileError) as caught:
        open_scope(Path(__file__).parents[2] / "seeds" / "examples" / "cnas_testing.xlsx", "standards")
    problem = caught.value.problem
    assert (problem.reason, problem.sheet, problem.row) == ("layout.mismatch", "附件1 检测能力", 3)
    assert problem.text.startswith("序号 | 检测对象 | 项目/参数 / 序号")
