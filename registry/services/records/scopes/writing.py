"""Write ScopeItems back in the published layouts: XLSX, two-row headers, merged cells.

What `read_scope` reads, `write_scope` writes, so that write -> read gives the
same items: an object (or category) is one cell merged over all its rows, an
item with several range segments has one row per segment with its 序号,
parameter, methods, limitation and remarks merged over them, and several
methods go on separate lines of one cell. Items keep the sheet they came from.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from itertools import groupby
from pathlib import Path
from types import SimpleNamespace

from registry.services.records.scopes.cells import fold, method_text, number_text, range_text, uncertainty_text
from registry.services.records.scopes.items import ScopeItem

# Per layout: header columns as (top label, sub label or None, field). A run of equal top labels is merged.
HEADERS: dict[str, list[tuple[str, str | None, str]]] = {
    "cnas-testing": [
        ("序号", None, "seq"), ("检测对象", None, "object"), ("项目/参数", "序号", "param_seq"),
        ("项目/参数", "名称", "parameter"), ("领域代码", None, "field_code"),
        ("检测标准（方法）名称及编号（含年号）", None, "methods"), ("限制范围", None, "limitation"),
        ("说明", None, "remarks"), ("参考价格（元）", None, "price")],
    "cma": [
        ("序号", None, "seq"), ("类别（产品/项目/参数）", None, "object"), ("产品/项目/参数", "序号", "param_seq"),
        ("产品/项目/参数", "名称", "parameter"), ("依据的标准（方法）名称及编号（含年号）", None, "methods"),
        ("限制范围", None, "limitation"), ("说明", None, "remarks"), ("参考价格（元）", None, "price")],
    "cnas-calibration": [
        ("序号", None, "seq"), ("测量仪器名称", None, "object"), ("被测量", None, "parameter"),
        ("校准规范名称及编号", None, "methods"), ("校准和测量能力", "测量范围", "range"),
        ("校准和测量能力", "扩展不确定度（k=2）", "uncertainty"), ("限制范围", None, "limitation"),
        ("说明", None, "remarks")],
    "standards": [
        ("序号", None, "seq"), ("计量标准", "名称", "object"), ("计量标准", "测量范围", "range"),
        ("计量标准", "不确定度或准确度等级或最大允许误差", "uncertainty"),
        ("计量标准考核证书", "证书编号", "certificate"), ("计量标准考核证书", "有效期至", "valid_until"),
        ("计量标准类别", None, "public"), ("依据的检定规程或校准规范", None, "methods"), ("说明", None, "remarks")],
}
HEADER_K = {"cnas-calibration": Decimal(2)}
OPTIONAL = {"field_code": "field_code", "price": "price"}  # columns written only when an item has a value


@cache
def _openpyxl():
    """openpyxl's pieces used here and the two alignments, made once when a scope is first written."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.cell_range import CellRange
    from openpyxl.worksheet.merge import MergedCellRange

    wrap = Alignment(wrap_text=True, vertical="center")
    head = Alignment(wrap_text=True, vertical="center", horizontal="center")
    return SimpleNamespace(Font=Font, CellRange=CellRange, MergedCellRange=MergedCellRange,
                           get_column_letter=get_column_letter, WRAP=wrap, HEAD=head)


def write_scope(path: Path, items: Iterable[ScopeItem], layout: str | None = None, title: str | None = None) -> Path:
    """Write the items into an XLSX workbook, one sheet per item.sheet (in order of first appearance)."""
    from openpyxl import Workbook  # openpyxl loads when a workbook is written, not at start

    workbook = Workbook()
    workbook.remove(workbook.active)
    sheets: dict[str, list[ScopeItem]] = {}
    for item in items:
        sheets.setdefault(item.sheet or "能力范围", []).append(item)
    for name, sheet_items in sheets.items():
        _write_sheet(workbook.create_sheet(name[:31]), sheet_items, layout or sheet_items[0].layout, title)
    if not sheets:  # nothing to list: the layout's header alone, so the file says which table is empty
        _write_sheet(workbook.create_sheet("能力范围"), [], layout or "cnas-testing", title)
    workbook.save(path)
    return Path(path)


def _columns(layout: str, items: list[ScopeItem]):
    wanted = []
    for top, sub, field in HEADERS[layout]:
        if field == "field_code" and not any(i.field_code for i in items):
            continue
        if field == "price" and not any(i.price is not None or i.price_on_request for i in items):
            continue
        wanted.append((top, sub, field))
    return wanted


def _write_sheet(sheet, items: list[ScopeItem], layout: str, title: str | None) -> None:
    columns = _columns(layout, items)
    row = 1
    if title:
        sheet.cell(1, 1, title).font = _openpyxl().Font(bold=True, size=14)
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
        row = 2
    two_rows = any(sub for _, sub, _ in columns)
    _write_header(sheet, columns, row, two_rows)
    row += 2 if two_rows else 1
    index = {field: i + 1 for i, (_, _, field) in enumerate(columns)}
    for object_number, (obj, group) in enumerate(groupby(items, key=lambda i: i.object), start=1):
        group = list(group)
        first = row
        for item in group:
            row = _write_item(sheet, item, layout, index, row)
        seqs = {i.seq.split(".")[0] if "param_seq" in index else i.seq for i in group}
        _merged(sheet, first, row - 1, index["object"], obj)
        if "param_seq" in index:
            _merged(sheet, first, row - 1, index["seq"], group[0].seq.split(".")[0] or str(object_number))
        elif len(seqs) == 1:
            _merged(sheet, first, row - 1, index["seq"], group[0].seq)
        else:
            top = first
            for item in group:
                rows = max(1, len(item.ranges))
                _merged(sheet, top, top + rows - 1, index["seq"], item.seq)
                top += rows
    for i, (_, _, field) in enumerate(columns, start=1):
        width = {"methods": 46, "object": 18, "parameter": 18, "range": 22, "uncertainty": 26}.get(field, 12)
        sheet.column_dimensions[_openpyxl().get_column_letter(i)].width = width


def _write_header(sheet, columns, row: int, two_rows: bool) -> None:
    xl = _openpyxl()
    col = 1
    for top, run in groupby(columns, key=lambda c: c[0]):
        run = list(run)
        for offset, (_, sub, _) in enumerate(run):
            cell = sheet.cell(row, col + offset, top)
            cell.alignment, cell.font = xl.HEAD, xl.Font(bold=True)
            if two_rows and sub:
                sub_cell = sheet.cell(row + 1, col + offset, sub)
                sub_cell.alignment, sub_cell.font = xl.HEAD, xl.Font(bold=True)
        if len(run) > 1:
            sheet.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + len(run) - 1)
        elif two_rows and not run[0][1]:
            sheet.merge_cells(start_row=row, start_column=col, end_row=row + 1, end_column=col)
        col += len(run)


def _merged(sheet, first: int, last: int, column: int, value) -> None:
    xl = _openpyxl()
    sheet.cell(first, column, value if value != "" else None).alignment = xl.WRAP
    if last > first:
        # What sheet.merge_cells does, without its check against every range merged so far (quadratic:
        # 20 s for a 3,000-item scope); the ranges written here never overlap.
        cells = xl.CellRange(min_col=column, min_row=first, max_col=column, max_row=last)
        merged = xl.MergedCellRange(sheet, cells.coord)
        sheet.merged_cells.ranges.add(merged)
        sheet._clean_merge_range(merged)


def _write_item(sheet, item: ScopeItem, layout: str, index: dict[str, int], row: int) -> int:
    rows = max(1, len(item.ranges))
    values = {
        "param_seq": item.seq, "parameter": item.parameter, "field_code": item.field_code,
        "methods": "\n".join(method_text(m) for m in item.methods),
        "limitation": item.limitation.text if item.limitation else "", "remarks": item.remarks,
        "certificate": item.certificate_no, "valid_until": item.valid_until,
        "public": "社会公用计量标准" if item.public_standard else ("最高计量标准" if layout == "standards" else ""),
        "price": "面议" if item.price_on_request else ("" if item.price is None else number_text(item.price)),
    }
    for field, value in values.items():
        if field in index and field not in ("seq", "object"):
            _merged(sheet, row, row + rows - 1, index[field], value)
            if isinstance(value, dt.date):
                sheet.cell(row, index[field]).number_format = "yyyy-mm-dd"
    for offset, segment in enumerate(item.ranges):
        if "range" in index:
            sheet.cell(row + offset, index["range"], range_text(segment) or None).alignment = _openpyxl().WRAP
        if "uncertainty" in index and segment.uncertainty is not None:
            text = uncertainty_text(segment.uncertainty)
            k = segment.uncertainty.k
            if k is not None and k != HEADER_K.get(layout) and "k=" not in fold(text).replace(" ", "").lower():
                text += f", k={k}"
            sheet.cell(row + offset, index["uncertainty"], text).alignment = _openpyxl().WRAP
    return row + rows
