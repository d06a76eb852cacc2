"""Recognise a scope table from its header rows and map its columns to fields.

The header starts at the first row with a 序号 cell (title rows above it, such
as 认可的检测能力范围 or the certificate number, are passed over) and takes up
to two more rows while they hold header text (no digits but k=2): a two-row
header (项目/参数 over 序号 | 名称) or a title split over three rows. A
column's label is its header texts from top to bottom joined by '/'.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from registry.services.records.scopes.items import LAYOUTS

HEADER_SEARCH_ROWS = 30
MAX_HEADER_ROWS = 3

# (field, pattern on the label without '/'), tried in order: the first that matches names the column.
# `annotation` is the first column of the registry's annotated workbook (错误说明): read past, so that a
# scope fixed in that workbook can be uploaded again as it is.
_FIELD_RULES = (
    ("annotation", r"^(错误说明|errors)$"),
    ("field_code", r"领域代码|领域编码"),
    ("limitation", r"限制"),
    ("remarks", r"说明|备注"),
    ("price", r"价格|收费|费用"),
    ("certificate", r"证书编号|证书号"),
    ("valid_until", r"有效期"),
    ("public", r"社会公用|标准类别|计量标准类型"),
    ("range", r"测量范围|量程"),
    ("uncertainty", r"不确定度|准确度|最大允许误差"),
    ("object", r"计量标准名称|计量标准/?名称|测量仪器|仪器名称|被校|被检|检测对象|检验对象|类别"),
    ("methods", r"标准|方法|规范|规程|依据"),
    ("parameter", r"被测量|参数|项目|名称"),
)
REQUIRED = {
    "cnas-testing": ("object", "parameter", "methods"),
    "cma": ("object", "parameter", "methods"),
    "cnas-calibration": ("object", "methods", "range", "uncertainty"),
    "standards": ("object", "certificate"),
}


def normal(text) -> str:
    """A header cell as compared: NFKC (full-width folded), no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


@dataclass
class Column:
    index: int
    field: str | None
    label: str  # as written, parts joined by '/'

    @property
    def name(self) -> str:
        """The column as messages name it: 'E (检测标准（方法）名称及编号（含年号）)'."""
        from openpyxl.utils import get_column_letter  # openpyxl loads when a scope file is read

        return f"{get_column_letter(self.index + 1)} ({self.label})"


@dataclass
class SheetLayout:
    sheet: str
    layout: str
    header_rows: tuple[int, ...]
    columns: list[Column]
    default_k: Decimal | None = None
    inspection: bool = False  # 检验对象 / 检验项目: an inspection body's scope
    by_field: dict[str, Column] = field(default_factory=dict)

    def __post_init__(self):
        for column in self.columns:
            if column.field and column.field not in self.by_field:
                self.by_field[column.field] = column


def find_header(rows) -> tuple[list[tuple[int, list]], tuple[int, list] | None]:
    """(header rows, first non-empty row seen) among the first rows of a sheet."""
    seen = None
    buffered = []
    for number, values, _ in rows:
        texts = [normal(v) if isinstance(v, str) else "" for v in values]
        if seen is None and any(texts):
            seen = (number, values)
        if buffered:
            if not any(texts) or len(buffered) == MAX_HEADER_ROWS or not _header_like(texts):
                return buffered, seen
            buffered.append((number, values))
        elif any(t == "序号" or t.startswith("序号/") for t in texts):
            buffered.append((number, values))
        if number >= HEADER_SEARCH_ROWS and not buffered:
            break
    return buffered, seen


_HEADER_WORDS = re.compile(r"序号|名称|对象|参数|项目|标准|方法|规范|规程|依据|范围|说明|备注|限制|不确定度"
                           r"|准确度|误差|证书|有效期|编号|年号|代码|类别|仪器|被测量|[kK]=|\(|\)|/")


def _header_like(texts: list[str]) -> bool:
    """No digits (but k=2) and every cell header words: a category row such as 食品 is data, not header."""
    return all(not re.search(r"\d", re.sub(r"[kK]=\d+(\.\d+)?", "", t)) and _HEADER_WORDS.search(t)
               for t in texts if t)


def column_labels(header: list[tuple[int, list]]) -> list[tuple[str, ...]]:
    width = max(len(values) for _, values in header)
    labels = []
    for index in range(width):
        parts: list[str] = []
        for _, values in header:
            text = values[index].strip() if index < len(values) and isinstance(values[index], str) else ""
            if text and text not in parts:
                parts.append(" ".join(text.split()))
        labels.append(tuple(parts))
    return labels


def _field(parts: tuple[str, ...], seen: set) -> str | None:
    if not parts:
        return None
    last = normal(parts[-1])
    if last == "序号":
        return "param_seq" if len(parts) > 1 and "seq" in seen else "seq"
    label = normal("".join(parts))
    for name, pattern in _FIELD_RULES:
        if re.search(pattern, label):
            return name
    return None


def map_columns(sheet: str, header: list[tuple[int, list]]) -> tuple[list[Column], dict[str, str]]:
    """The columns with their fields, and {field: normalised label} of the first column of each field."""
    columns, labels, seen = [], {}, set()
    for index, parts in enumerate(column_labels(header)):
        name = _field(parts, seen)
        if name in seen and name not in ("methods",):
            name = None  # a second column of the same field is reported, not merged silently
        if name:
            seen.add(name)
            labels[name] = normal("".join(parts))
        if parts:
            columns.append(Column(index, name, "/".join(parts)))
    return columns, labels


def detect(labels: dict[str, str]) -> str | None:
    """Which published layout these fields and labels are."""
    fields = set(labels)
    obj = labels.get("object", "")
    if "certificate" in fields and "计量标准" in obj:
        return "standards"
    if {"range", "uncertainty"} <= fields and ("仪器" in obj or "parameter" in fields):
        return "cnas-calibration"
    if re.search("检测对象|检验对象", obj) and {"parameter", "methods"} <= fields:
        return "cnas-testing"
    if "类别" in obj or "依据" in labels.get("methods", ""):
        return "cma" if {"parameter", "methods"} <= fields else None
    return None


def sheet_layout(sheet: str, header: list[tuple[int, list]], wanted: str | None) -> tuple[SheetLayout | None, str]:
    """The sheet's layout, or None and the reason ('layout.unknown' or 'layout.mismatch')."""
    columns, labels = map_columns(sheet, header)
    layout = detect(labels)
    if wanted:
        if not set(REQUIRED[wanted]) <= set(labels):
            return None, "layout.mismatch"
        layout = wanted
    if layout not in LAYOUTS:
        return None, "layout.unknown"
    k_label = labels.get("uncertainty", "")
    k = re.search(r"k=(\d+(?:\.\d+)?)", k_label)
    inspection = bool(re.search("检验对象|检验项目", labels.get("object", "") + labels.get("parameter", "")))
    return SheetLayout(sheet, layout, tuple(n for n, _ in header), columns,
                       Decimal(k[1]) if k else None, inspection), ""


def header_text(header: list[tuple[int, list]]) -> str:
    return " | ".join(" / ".join(p) for p in column_labels(header) if p)
