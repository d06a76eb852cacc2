"""Build the hand-made example scopes, one per published layout (invented, marked （演示）).

    python -m seeds.examples.build_examples      # rewrites seeds/examples/*.xlsx

Written cell by cell (not with registry's own writer), the way a lab's Excel
file looks: title rows above the header, two- and three-row headers, objects
and categories merged over their rows, a blank spacer row, numbers stored as
text, full-width characters, several methods per cell, and every standard-cell
and uncertainty form of SCOPE_LAYOUTS.md. tests/services/test_scope_examples.py
checks every item read from them. The bytes are fixed (zip timestamps), so a
rebuild changes nothing unless this script does.
"""
from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from seeds.files import freeze_zip

HERE = Path(__file__).resolve().parent
STAMP = dt.datetime(2026, 11, 1)
WRAP = Alignment(wrap_text=True, vertical="center")


def put(sheet, ref: str, value) -> None:
    """Write value at the first cell of ref ('B5' or 'B5:B7') and merge the range."""
    first = ref.split(":")[0]
    cell = sheet[first]
    cell.value = value
    cell.alignment = WRAP
    if ":" in ref:
        sheet.merge_cells(ref)


def rows(sheet, start: int, data: list[tuple]) -> None:
    """Plain rows from `start`, None leaving a cell empty (or to a merge made with put)."""
    for offset, values in enumerate(data):
        for col, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(start + offset, col, value).alignment = WRAP


def title(sheet, ref: str, text: str) -> None:
    put(sheet, ref, text)
    sheet[ref.split(":")[0]].font = Font(bold=True, size=14)


def cnas_testing(path: Path) -> None:
    workbook = Workbook()
    cover = workbook.active
    cover.title = "封面"
    cover["A1"] = "认可证书附件（演示）"
    cover["A2"] = "本附件共两页，每页一张工作表"
    sheet = workbook.create_sheet("附件1 检测能力")
    title(sheet, "A1:H1", "中国合格评定国家认可委员会 认可的检测能力范围（演示）")
    sheet["A2"] = "注册号：CNAS L0000（演示）"
    for ref, text in (("A3:A4", "序号"), ("B3:B4", "检测对象"), ("C3:D3", "项目/参数"),
                      ("E3:E4", "领域代码"), ("F3:F4", "检测标准（方法）名称及编号（含年号）"),
                      ("G3:G4", "限制范围"), ("H3:H4", "说明")):
        put(sheet, ref, text)
    sheet["C4"], sheet["D4"] = "序号", "名称"
    put(sheet, "A5:A7", 1)
    put(sheet, "B5:B7", "电线电缆（演示）")
    rows(sheet, 5, [
        (None, None, "1.1", "导体直流电阻", "030101",
         "《电线电缆电性能试验方法 第4部分：导体直流电阻试验》GB/T 3048.4-2007", "只测：≤35 kV", None),
        (None, None, "1.2", "绝缘电阻", "030102", "GB/T 3048.5-2007\nIEC 60335-1:2020", "不测：海底电缆", "扩项"),
        (None, None, "1.3", "工频交流电压试验", "０３０１０３", "ＧＢ／Ｔ　３０４８．８－２００７", None, "暂停"),
    ])
    # row 8: a blank spacer row
    put(sheet, "A9:A11", "2")
    put(sheet, "B9:B11", "食品（演示）")
    rows(sheet, 9, [
        (None, None, "2.1", "水分", None, "食品中水分的测定 GB 5009.3-2016 第一法", None, None),
        (None, None, "2.2", "铅", None, "GB 5009.12-2017 第一法、第二法\nSN/T 3139-2012", "只用于：出口食品", None),
        (None, None, "2.3", "菌落总数", None, "作业指导书 XX/ZY-012-2020", None, "变更 2024-03-01"),
    ])
    second = workbook.create_sheet("附件2 检测能力")
    for ref, text in (("A1:A2", "序号"), ("B1:B2", "检测对象"), ("C1:D1", "项目/参数"),
                      ("E1:E2", "检测标准（方法）名称及编号（含年号）"), ("F1:F2", "限制范围"), ("G1:G2", "说明")):
        put(second, ref, text)
    second["C2"], second["D2"] = "序号", "名称"
    put(second, "A3:A4", 3)
    put(second, "B3:B4", "塑料（演示）")
    rows(second, 3, [
        (None, None, "3.1", "拉伸性能", "ISO 6892-1:2019\nASTM D638-14", "≤ 500 kN", None),
        (None, None, "3.2", "简支梁冲击", "GB/T 1043.1-2008 第7章", None, None),
    ])
    save(workbook, path)


def cnas_calibration(path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "校准能力"
    title(sheet, "A1:H1", "认可的校准能力范围（演示）")
    for ref, text in (("A2:A3", "序号"), ("B2:B3", "测量仪器名称"), ("C2:C3", "被测量"),
                      ("D2:D3", "校准规范名称及编号"), ("E2:F2", "校准和测量能力"), ("G2:G3", "限制范围"),
                      ("H2:H3", "说明")):
        put(sheet, ref, text)
    sheet["E3"], sheet["F3"] = "测量范围", "扩展不确定度（k=2）"
    put(sheet, "A4:A5", 1)
    put(sheet, "B4:B5", "数字压力计（演示）")
    put(sheet, "C4:C5", "压力")
    put(sheet, "D4:D5", "《数字压力计校准规范》JJF 1587-2016 5.2条")
    rows(sheet, 4, [
        (None, None, None, None, "(0～10) MPa", "U=0.05%", None, None),
        (None, None, None, None, "(10～100) MPa", "Urel=0.1%", None, None),
    ])
    put(sheet, "A6:A7", 2)
    put(sheet, "B6:B7", "工业铂电阻温度计（演示）")
    rows(sheet, 6, [
        (None, None, "温度", "JJF 1637-2017", "-40℃～300℃", "U=0.3 ℃", None, None),
        (None, None, None, None, "300 ℃~419.527 ℃", "U=0.5 ℃, k=3", None, "暂停"),  # blank: continues 2
    ])
    rows(sheet, 8, [
        ("3", "频谱分析仪（演示）", "频率", "JJF 1396-2013", "10 Hz～1 GHz", "Urel=5×10⁻¹⁰", None, None),
        ("4", "砝码（演示）", "质量", "JJG 99-2022", "≤ 2 kg", "E2等级", "只测：M1等级及以下", None),
        ("5", "卡尺（演示）", "长度", "JJG 30-2012", "0 mm～300 mm", "MPE: ±0.02 mm", None, None),
        ("6", "线纹尺（演示）", "长度", "JJF 1064-2010", "(0～1) m", "U=(0.1+0.02L) μm, L: m", None, None),
        ("7", "压力变送器（演示）", "压力", "JJF 1587-2016", "0-100 MPa", "0.05级", None, None),
    ])
    save(workbook, path)


def cma(path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "检验检测能力"
    title(sheet, "A1:H1", "检验检测机构资质认定证书附表（演示）")
    sheet["A2"] = "证书编号：261112000000（演示）"
    for ref, text in (("A3:A5", "序号"), ("B3:B5", "类别（产品/项目/参数）"), ("C3:D3", "产品/项目/参数"),
                      ("C4:C5", "序号"), ("D4:D5", "名称"), ("G3:G5", "说明"), ("F3:F5", "限制范围"),
                      ("H3:H5", "参考价格（元）")):
        put(sheet, ref, text)
    sheet["E3"], sheet["E4"], sheet["E5"] = "依据的标准（方法）", "名称及编号", "（含年号）"
    put(sheet, "A6:A8", "1")
    put(sheet, "B6:B8", "建筑材料（演示）")
    rows(sheet, 6, [
        (None, None, "1.1", "胶砂强度", "GB/T 17671-2021《水泥胶砂强度检验方法（ISO法）》", None, None, "面议"),
        (None, None, "1.2", "甲醛释放量", "GB/T 17657-2022；DB33/T 1234-2020", "只测：人造板", None, "200"),
        (None, None, "1.3", "燃烧性能", "T/ZZB 0001-2018", None, "暂停", "1500元/项"),
    ])
    rows(sheet, 9, [(None,) * 8])  # a spacer row
    rows(sheet, 10, [("序号", "类别（产品/项目/参数）", "序号", "名称", "依据的标准（方法）名称及编号（含年号）",
                      "限制范围", "说明", "参考价格（元）")])  # the header repeated after a page break
    put(sheet, "A11:A12", "2")
    put(sheet, "B11:B12", "环境与环保（演示）")
    rows(sheet, 11, [
        (None, None, "2.1", "化学需氧量", "水质 化学需氧量的测定 重铬酸盐法 HJ 828-2017", None, None, "120"),
        (None, None, "2.2", "氨氮", "HJ 535-2009\nGB/Z 1234-2020", "不测：海水", None, None),
    ])
    save(workbook, path)


def standards(path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "计量标准"
    title(sheet, "A1:I1", "计量标准一览表（演示）")
    for ref, text in (("A2:A3", "序号"), ("B2:D2", "计量标准"), ("E2:F2", "计量标准考核证书"),
                      ("G2:G3", "计量标准类别"), ("H2:H3", "依据的检定规程或校准规范"), ("I2:I3", "说明")):
        put(sheet, ref, text)
    for ref, text in (("B3", "名称"), ("C3", "测量范围"), ("D3", "不确定度或准确度等级或最大允许误差"),
                      ("E3", "证书编号"), ("F3", "有效期至")):
        sheet[ref] = text
    rows(sheet, 4, [
        (1, "二等铂电阻温度计标准装置（演示）", "(-60～300) ℃", "U=0.03 ℃, k=2", "[2021]浙量标杭证字第058号",
         dt.date(2027, 5, 31), "社会公用计量标准", "JJG 229-2010", None),
        (2, "0.05级活塞式压力计标准装置（演示）", "(0.1～60) MPa", "0.05级", "〔2020〕浙量标杭证字第012号",
         "2026年12月31日", "社会公用计量标准", "JJG 59-2022", None),
        (3, "E2等级砝码标准装置（演示）", "1 mg～500 g", "E2等级", "[2022]浙量标杭企证字第101号",
         dt.date(2027, 1, 15), "最高计量标准", "JJG 99-2022", None),
        (4, "卡尺检定装置（演示）", "(0～300) mm", "MPE: ±0.02 mm", "[2019]浙量标杭证字第007号",
         "2024/6/30", "最高计量标准", "JJG 30-2012", "暂停"),
    ])
    put(sheet, "A8:A9", 5)
    put(sheet, "B8:B9", "数字多用表校准装置（演示）")
    put(sheet, "E8:E9", "[2023]浙量标杭证字第120号")
    put(sheet, "F8:F9", dt.date(2028, 3, 1))
    put(sheet, "G8:G9", "社会公用计量标准")
    put(sheet, "H8:H9", "JJF 1587-2016")
    rows(sheet, 8, [(None, None, "(0～1000) V", "Urel=0.005%, k=2"), (None, None, "(0～10) A", "U=0.01 A, k=2")])
    save(workbook, path)


def save(workbook: Workbook, path: Path) -> None:
    workbook.properties.creator = "seeds.examples.build_examples"
    for sheet in workbook.worksheets:
        for column in "BCDEFGH":
            sheet.column_dimensions[column].width = 24
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.xlsx"
        workbook.save(raw)
        freeze_zip(raw, path, STAMP)


EXAMPLES = {"cnas-testing": ("cnas_testing.xlsx", cnas_testing),
            "cnas-calibration": ("cnas_calibration.xlsx", cnas_calibration),
            "cma": ("cma.xlsx", cma), "standards": ("standards.xlsx", standards)}


def build(out: Path = HERE) -> list[Path]:
    paths = []
    for file_name, make in EXAMPLES.values():
        make(out / file_name)
        paths.append(out / file_name)
    return paths


if __name__ == "__main__":
    for written in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(written)
