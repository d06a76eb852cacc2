"""What a test plan is made of: its items, read from pasted lines or a spreadsheet column, and the
one schema that bounds them (the /plan page and the API load the same one).

An item is what one line of a product standard's test plan or a type-test list says: a test item
(外观, 绝缘电阻), a standard number (GB/T 3048.4), or both. A leading list number or clause number
("1.", "(2)", "5.3", "一、") is not part of it. Items are bounded in registry/schemas/rules.py; a
NUL character, which no one types, is refused rather than silently removed: it means the file or
request was not text.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from registry.errors import RegistryError
from registry.schemas import rules
from registry.search_text import fold
from registry.services.records.tables import cell_text
from registry.services.search.query import Choice, Point, clean
from registry.services.search.terms import parse_terms
from registry.vocabulary import district_aliases

# "1." "1、" "(2)" "（3）" "5.3" "7.2.1" "一、" "•" "-" before the item itself.
_ENUMERATOR = re.compile(r"^(?:[(（]\s*\d{1,3}\s*[)）]|\d{1,3}(?:\.\d{1,3})*[.、．)）]?(?=\s|[^\d.])"
                         r"|[一二三四五六七八九十]{1,3}[、.．]|[-•·*●○▪■])\s*")
# Header cells that name the column holding the items (English compared case-folded).
ITEM_HEADERS = ("检验项目", "检测项目", "试验项目", "测试项目", "校准项目", "项目", "项目名称", "检验依据",
                "检验内容", "名称", "标准", "标准号", "标准编号", "依据标准", "检测标准", "item", "items",
                "test", "test item", "name", "standard", "standards")
MAX_ROWS = 5_000  # rows of a file looked at (a plan has at most PLAN_ITEMS_MAX items)
MAX_COLUMNS = 30
MAX_UNPACKED_BYTES = 50_000_000  # an XLSX (a zip) that unpacks to more is not a test plan


class PlanProblem(RegistryError):
    """A plan that cannot be read (the file as a whole); `field` names the form field or JSON member."""

    status = 422
    code = "invalid_plan"


def item_text(raw: str) -> str:
    """One item as it is matched: cleaned (NFKC, control characters, spaces) without its list number."""
    text = clean(raw)
    stripped = _ENUMERATOR.sub("", text, count=1).strip()
    return stripped or text


class PlanItem(fields.String):
    """One item of a plan: text with a keyword or a standard number in it."""

    def __init__(self, **kwargs):
        kwargs["metadata"] = {"maxLength": rules.PLAN_ITEM_MAX, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        raw = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in raw:
            raise ValidationError("Contains a NUL character: not text.")
        text = item_text(raw)
        if len(text) > rules.PLAN_ITEM_MAX:
            raise ValidationError(f"Longer than maximum length {rules.PLAN_ITEM_MAX}.")
        terms = parse_terms(text)
        if not any(ch.isalnum() for ch in text) or not (terms.keywords or terms.standards):
            raise ValidationError("Nothing to look for: give a test item or a standard number.")
        return text


class ItemList(fields.List):
    """The items, their number checked before any item is read (a 100,000-item body is refused at once)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, list) and len(value) > rules.PLAN_ITEMS_MAX:
            raise ValidationError(f"At most {rules.PLAN_ITEMS_MAX} items.")
        return super()._deserialize(value, attr, data, **kwargs)


class PlanSchema(Schema):
    """A test plan and where its facilities should be near."""

    items = ItemList(PlanItem(), required=True, validate=validate.Length(min=1, max=rules.PLAN_ITEMS_MAX),
                     metadata={"description": (
                         f"The plan's items, at most {rules.PLAN_ITEMS_MAX}: test items (外观, 绝缘电阻) and/or "
                         "standard numbers however typed (`GB/T 3048.4`), each matched as the search's `q`. "
                         "A leading list or clause number (`5.3`, `(2)`) is left out.")})
    near = Point(60, metadata={"description": "longitude,latitude (WGS-84): rank nearer facilities first "
                                              "among equals, and give distances."})
    district = Choice(district_aliases(), district_aliases(), metadata={
        "description": "A district (code or name) whose centre stands for `near`."})
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 50), metadata={
        "description": "Facilities covering part of the plan to list, at most 50 (all complete ones are "
                       "counted, the first `limit` listed)."})

    @validates_schema
    def _one_place(self, data, **kwargs):
        if "near" in data and "district" in data:
            raise ValidationError("Give near or district, not both.", "district")


# --- reading a plan -------------------------------------------------------------------------------

def items_from_text(text: str) -> list[str]:
    """The items of pasted text: one a line, blank lines and repeats left out (as typed, not yet checked)."""
    if "\x00" in text:
        raise PlanProblem(_l("The text contains a NUL character: it is not a plan typed or pasted."), field="items")
    return _distinct(text.splitlines())


def items_from_file(filename: str, data: bytes) -> list[str]:
    """The items of an uploaded XLSX, CSV or text file: its item column (by header, else the first column
    holding text), one a row."""
    if len(data) > rules.PLAN_FILE_MAX_BYTES:
        raise PlanProblem(_l("The file is larger than %(mb)s MB.", mb=rules.PLAN_FILE_MAX_BYTES // 1_000_000),
                          field="file")
    if not data.strip():
        raise PlanProblem(_l("The file is empty."), field="file")
    name = (filename or "").lower()
    if name.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        rows = _workbook_rows(data)
    else:
        rows = _text_rows(data, csv_file=name.endswith(".csv"))
    return _distinct(_item_column(rows))


def _workbook_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook  # openpyxl loads when a plan workbook is read, not at start
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(member.file_size for member in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise PlanProblem(_l("The workbook unpacks to more than %(mb)s MB: not a test plan.",
                                     mb=MAX_UNPACKED_BYTES // 1_000_000), field="file")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            rows = []
            for values in sheet.iter_rows(max_row=MAX_ROWS, max_col=MAX_COLUMNS, values_only=True):
                rows.append([cell_text(v).strip() for v in values])
            return rows
        finally:
            workbook.close()
    except PlanProblem:
        raise
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, IndexError, TypeError,
            AttributeError, EOFError) as exc:
        raise PlanProblem(_l("Not a readable XLSX workbook (%(error)s).", error=type(exc).__name__),
                          field="file") from None


def _text_rows(data: bytes, *, csv_file: bool) -> list[list[str]]:
    if b"\x00" in data:
        raise PlanProblem(_l("The file is not text (it contains NUL bytes): upload an XLSX, CSV or text file."),
                          field="file")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise PlanProblem(_l("The file is neither UTF-8 nor GB18030 text."), field="file")
    lines = text.splitlines()[:MAX_ROWS]
    if not csv_file:
        return [[line] for line in lines]
    try:
        return [row[:MAX_COLUMNS] for row in csv.reader(lines)]
    except csv.Error as exc:
        raise PlanProblem(_l("Not readable as CSV: %(error)s", error=str(exc)), field="file") from None


def _item_column(rows: list[list[str]]) -> list[str]:
    """The cells of the column naming test items or standards in its header, else of the first column
    whose cells are mostly not numbers (a 序号 column is skipped)."""
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        return []
    header = [fold(cell) for cell in rows[0]]
    for name in ITEM_HEADERS:
        if name in header:
            column = header.index(name)
            return [row[column] for row in rows[1:] if column < len(row)]
    width = max(len(row) for row in rows)
    for column in range(width):
        cells = [row[column].strip() for row in rows if column < len(row) and row[column].strip()]
        if cells and sum(1 for c in cells if not _NUMBER.fullmatch(c)) * 2 > len(cells):
            return [row[column] for row in rows if column < len(row)]
    return [row[0] for row in rows]


_NUMBER = re.compile(r"[\d.,\s]+")


def _distinct(lines) -> list[str]:
    """Non-blank lines, each once (compared as search compares text), in their order."""
    seen, out = set(), []
    for line in lines:
        text = str(line).strip()
        key = fold(item_text(text)) if "\x00" not in text else text
        if text and key not in seen:
            seen.add(key)
            out.append(text)
    return out
