"""Raw rows of a scope file, streamed: XLSX sheets (with their merged cells) or one CSV.

A row is (row number as a spreadsheet shows it, values, merged) where `merged`
maps the column indexes whose value was copied from the top-left cell of a
merged range to that cell's column index: the reader needs to know that a 序号 or an object was merged
over the row (the row continues an item) rather than written again.
openpyxl's read-only mode streams rows but does not read merged ranges, so
those are found by a streaming byte scan of the sheet's XML (only the
<mergeCell> references are kept).
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from registry.errors import RegistryError
from registry.services.records.scopes.items import Problem

Row = tuple[int, list, dict]
CSV_FIELD_LIMIT = 100_000


class ScopeFileError(RegistryError):
    """The file as a whole cannot be read (or its layout is not recognised): nothing in it is used."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message("en"), sheet=problem.sheet, row=problem.row, reason=problem.reason)
        self.problem = problem


def refuse(reason: str, sheet: str, row: int | None = None, text: str = "", detail: str = "") -> ScopeFileError:
    return ScopeFileError(Problem("error", reason, sheet, row, "", text, detail))


def cell_value(value):
    """A workbook value as text, except dates, which stay dates (a 有效期至 cell is read as a date)."""
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


@dataclass
class Sheet:
    """One table of the file: its name as used in messages and a way to stream its rows (again)."""

    name: str
    rows: callable  # () -> Iterator[Row]
    merges: callable = list  # () -> [(min_col, min_row, max_col, max_row)] of its merged ranges


def open_sheets(path: Path, encoding: str | None = None, label: str | None = None) -> list[Sheet]:
    label = label or path.name
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _workbook_sheets(path, label)
    if suffix in (".csv", ".txt"):
        encoding = encoding or detect_encoding(path, label)
        return [Sheet(label, lambda: _csv_rows(path, encoding, label))]
    raise refuse("file.type", label, text=path.name)


# --- XLSX ----------------------------------------------------------------------

def _workbook_sheets(path: Path, label: str) -> list[Sheet]:
    from openpyxl import load_workbook  # openpyxl loads when a workbook is read, not at start
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise refuse("file.unreadable", label, detail=str(exc) or type(exc).__name__) from None
    sheets = []
    for name in workbook.sheetnames:
        worksheet = workbook[name]
        if not hasattr(worksheet, "_worksheet_path"):  # a chartsheet
            continue
        merges: list = []  # read once, on first use, for both passes (header and items)
        sheets.append(Sheet(name, lambda ws=worksheet, wb=workbook, m=merges: _sheet_rows(wb, ws, m),
                            lambda ws=worksheet, wb=workbook, m=merges: _merges(wb, ws, m)))
    return sheets


def _merges(workbook, worksheet, merges: list) -> list[tuple[int, int, int, int]]:
    if not merges:
        merges.append(_merged_ranges(workbook, worksheet))
    return merges[0]


_MERGE_CELL = re.compile(rb'<(?:[A-Za-z]+:)?mergeCell\b[^>]*?\bref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')


def _merged_ranges(workbook, worksheet) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of each merged range, found by scanning the sheet XML as a stream.

    A byte scan rather than an XML parse: <mergeCell ref="A3:A7"/> cannot occur inside cell text (which
    would be escaped), and scanning is several times faster than parsing every cell a second time.
    """
    from openpyxl.utils import range_boundaries

    ranges = []
    tail = b""
    # openpyxl keeps the archive open in read-only mode; the sheet's part name is not public API.
    with workbook._archive.open(worksheet._worksheet_path) as source:
        while chunk := source.read(1 << 20):
            data = tail + chunk
            cut = max(0, len(data) - 256)  # a match that may be cut off is looked at again with the next chunk
            for match in _MERGE_CELL.finditer(data):
                if match.start() < cut:
                    ranges.append(range_boundaries(match[1].decode("ascii")))
            tail = data[cut:]
        for match in _MERGE_CELL.finditer(tail):
            ranges.append(range_boundaries(match[1].decode("ascii")))
    return ranges


def _sheet_rows(workbook, worksheet, merges: list) -> Iterator[Row]:
    starts: dict[int, list] = {}
    for bounds in _merges(workbook, worksheet, merges):
        starts.setdefault(bounds[1], []).append(bounds)
    active: list[tuple[tuple, object]] = []  # (bounds, top-left value)
    expected = 1
    for row in worksheet.iter_rows():
        cells = [c for c in row if getattr(c, "row", None)]
        number = cells[0].row if cells else expected
        for gap in range(expected, number):  # rows openpyxl skips (entirely empty) still close merges
            yield from _merge_row(gap, [], starts, active)
        values = [""] * (max((c.column for c in cells), default=0))
        for c in cells:
            values[c.column - 1] = cell_value(c.value)
        yield from _merge_row(number, values, starts, active)
        expected = number + 1


def _merge_row(number: int, values: list, starts: dict, active: list) -> Iterator[Row]:
    for bounds in starts.pop(number, ()):
        min_col = bounds[0]
        active.append((bounds, values[min_col - 1] if min_col <= len(values) else ""))
    merged: dict[int, int] = {}
    still = []
    for bounds, value in active:
        min_col, min_row, max_col, max_row = bounds
        if number > max_row:
            continue
        still.append((bounds, value))
        if len(values) < max_col:
            values.extend([""] * (max_col - len(values)))
        for col in range(min_col, max_col + 1):
            if (col, number) != (min_col, min_row):
                values[col - 1] = value
                merged[col - 1] = min_col - 1
    active[:] = still
    yield number, values, merged


# --- CSV -----------------------------------------------------------------------

def detect_encoding(path: Path, label: str) -> str:
    """UTF-8 (with or without BOM) or GB18030, checked over the whole file in one streaming pass."""
    with path.open("rb") as stream:
        if stream.read(3) == codecs.BOM_UTF8:
            return "utf-8-sig"
        stream.seek(0)
        decoders = {name: codecs.getincrementaldecoder(name)() for name in ("utf-8", "gb18030")}
        while chunk := stream.read(1 << 20):
            for name in list(decoders):
                try:
                    decoders[name].decode(chunk)
                except UnicodeDecodeError:
                    del decoders[name]
            if not decoders:
                break
    for name, decoder in decoders.items():
        try:
            decoder.decode(b"", final=True)
            return name
        except UnicodeDecodeError:
            continue
    raise refuse("file.encoding", label)


def _csv_rows(path: Path, encoding: str, label: str) -> Iterator[Row]:
    csv.field_size_limit(CSV_FIELD_LIMIT)
    with path.open("r", encoding=encoding, newline="") as stream:
        reader = csv.reader(stream)
        try:
            for number, values in enumerate(reader, start=1):
                yield number, values, {}
        except (csv.Error, UnicodeDecodeError) as exc:
            raise refuse("file.unreadable", label, reader.line_num, detail=str(exc)) from None
