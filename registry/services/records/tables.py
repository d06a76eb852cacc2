"""Read the two tables of an interchange data set from CSV files or an XLSX workbook.

Rows stream one at a time (a 300,000-row file is never held in memory) as
(row number as a spreadsheet shows it, {canonical column: text}). Headers may
be English or the Chinese aliases; cells are trimmed and empty ones dropped.
"""
import codecs
import csv
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

from flask_babel import lazy_gettext as _l

from registry.errors import RegistryError
from registry.schemas.interchange import (
    CAPABILITY_COLUMNS,
    FACILITY_COLUMNS,
    CapabilityRowSchema,
    FacilityRowSchema,
)

TABLE_COLUMNS = {"facilities": FACILITY_COLUMNS, "capabilities": CAPABILITY_COLUMNS}
REQUIRED_COLUMNS = {
    name: [column for column, f in schema._declared_fields.items() if f.required]
    for name, schema in (("facilities", FacilityRowSchema), ("capabilities", CapabilityRowSchema))
}
SHEET_ALIASES = {"facilities": ("facilities", "机构"), "capabilities": ("capabilities", "能力")}
FORMULA_START = tuple("=+-@\t\r")
FORMULA_CHARACTERS = frozenset(FORMULA_START)
CSV_FIELD_LIMIT = 100_000


class FileProblem(RegistryError):
    """The file as a whole cannot be read: nothing in it is imported."""

    def __init__(self, file: str, message, row: int | None = None):
        super().__init__(message, file=file, row=row)
        self.file, self.row = file, row


@dataclass
class Table:
    name: str  # facilities | capabilities
    label: str  # the file (and sheet) as named in messages
    header_labels: dict[str, str]  # canonical column -> header as written in the file
    rows: Iterator[tuple[int, dict[str, str]]]
    positions: dict[int, str] = field(default_factory=dict)  # cell index -> canonical column
    estimated_rows: int = 0
    warnings: list = field(default_factory=list)


def open_tables(paths: list[Path], encoding: str | None = None) -> tuple[dict[str, Table], list]:
    """The tables found in `paths` (a CSV pair, one CSV, a workbook, or a folder of them),
    and warnings about files in a folder that were left aside."""
    files: list[Path] = []
    warnings = []
    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.iterdir()):
                suffix = candidate.suffix.lower()
                if suffix == ".xlsx" or (suffix == ".csv" and table_name_for(candidate)):
                    files.append(candidate)
                elif suffix == ".csv":
                    warnings.append(_l("%(file)s is not facilities.csv or capabilities.csv: "
                                       "left aside", file=candidate.name))
        elif path.exists():
            files.append(path)
        else:
            raise FileProblem(path.name, _l("no such file"))
    tables: dict[str, Table] = {}
    for path in files:
        found = _open_workbook(path) if path.suffix.lower() == ".xlsx" else [_open_csv(path, encoding)]
        for table in found:
            if table.name in tables:
                raise FileProblem(table.label, _l("a second %(table)s table; give one only",
                                                  table=table.name))
            tables[table.name] = table
    if not tables:
        raise FileProblem(", ".join(p.name for p in paths) or "-",
                          _l("no facilities.csv, capabilities.csv or .xlsx workbook found"))
    return tables, warnings


def sheet_name(table: str, lang: str) -> str:
    """The sheet a workbook of `lang` gives `table` (机构 or facilities …): a name import recognises."""
    english, chinese = SHEET_ALIASES[table]
    return chinese if lang == "zh" else english


def table_name_for(path: Path) -> str | None:
    """facilities.csv, 2026_facilities.csv, 机构.csv … — one table named, as a whole word."""
    stem = path.stem.lower()
    words = set(re.split(r"[\s_.\-]+", stem))
    named = {name for name, (english, chinese) in SHEET_ALIASES.items()
             if english in words or chinese in stem}
    return named.pop() if len(named) == 1 else None


# --- CSV -------------------------------------------------------------------

def detect_encoding(path: Path) -> tuple[str, int]:
    """UTF-8 (with or without BOM) or GB18030, and the number of lines.

    A file that is UTF-8 throughout is known in one fast pass. Otherwise it is read line by line: a
    file whose rows mix the two (one row saved from another program) is refused at the first row in
    the other encoding, rather than read whole as GB18030, which decodes UTF-8 too, into nonsense."""
    with path.open("rb") as stream:
        bom = stream.read(3) == codecs.BOM_UTF8
        stream.seek(3 if bom else 0)
        decoder, lines = codecs.getincrementaldecoder("utf-8")(), 0
        try:
            while chunk := stream.read(1 << 20):
                lines += chunk.count(b"\n")
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return ("utf-8-sig" if bom else "utf-8"), lines
        except UnicodeDecodeError:
            stream.seek(3 if bom else 0)
        decided = "utf-8" if bom else None  # set by the first line only one of the two reads as text
        lines = 0
        for number, line in enumerate(stream, start=1):
            lines += line.endswith(b"\n")
            if line.isascii():
                continue
            fits = line_encodings(line)
            if not fits:
                raise FileProblem(path.name, _l("the file is neither UTF-8 nor GB18030 text; is it a CSV "
                                                "file? (give --encoding if you know its encoding)"))
            if decided is not None and decided not in fits:
                raise FileProblem(path.name, _l(
                    "row %(row)s is not in the encoding of the rows before it (%(before)s): the file mixes "
                    "UTF-8 and GB18030; save it again in one encoding", row=number,
                    before=ENCODING_NAMES[decided]), row=number)
            if decided is None and len(fits) == 1:
                decided = fits[0]
    return decided or "gb18030", lines


ENCODING_NAMES = {"utf-8": "UTF-8", "gb18030": "GB18030"}
_BEYOND_TWO_UTF8_BYTES = re.compile("[\u0800-\U0010ffff]")


def line_encodings(line: bytes) -> tuple[str, ...]:
    """The encodings a line with non-ASCII bytes reads in. GB18030 decodes almost any bytes, so a
    line that is valid UTF-8 with characters of three or more bytes (all Chinese ones) is UTF-8
    only; valid UTF-8 of two-byte characters only (é, or a rare accident of GB18030) is either."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    try:
        line.decode("gb18030")
        gb = True
    except UnicodeDecodeError:
        gb = False
    if text is not None and (not gb or _BEYOND_TWO_UTF8_BYTES.search(text)):
        return ("utf-8",)
    return (("utf-8",) if text is not None else ()) + (("gb18030",) if gb else ())


def count_lines(path: Path) -> int:
    with path.open("rb") as stream:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b""))


def _open_csv(path: Path, encoding: str | None) -> Table:
    name = table_name_for(path)
    if name is None:
        raise FileProblem(path.name, _l("cannot tell which table this is: name the files "
                                        "facilities.csv and capabilities.csv"))
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise FileProblem(path.name, _l("unknown encoding %(name)s", name=encoding)) from None
        lines = count_lines(path)
    else:
        encoding, lines = detect_encoding(path)
    csv.field_size_limit(CSV_FIELD_LIMIT)
    stream = path.open("rb")
    # Decoded line by line, so that a decoding error names its row. Neither UTF-8 nor
    # GB18030 has a line-feed byte inside a multi-byte character.
    reader = csv.reader(line.decode(encoding) for line in stream)
    label = path.name
    try:
        header = next(reader, None)
    except (csv.Error, UnicodeDecodeError) as exc:
        stream.close()
        raise FileProblem(label, _l("not readable as CSV: %(error)s", error=str(exc)), row=1) from None
    if not header or not any(cell.strip() for cell in header):
        stream.close()
        raise FileProblem(label, _l("the file is empty: no header row"))
    table = _table_from_header(name, label, header)

    def rows():
        number = 1
        try:
            for number, cells in enumerate(reader, start=2):
                row = table_row(cells, table.positions)
                if row:
                    yield number, row
        except (csv.Error, UnicodeDecodeError) as exc:
            raise FileProblem(label, _l("not readable as CSV: %(error)s", error=str(exc)),
                              row=number + 1) from None
        finally:
            stream.close()

    table.rows = require_rows(label, rows())
    table.estimated_rows = max(lines - 1, 0)
    return table


# --- XLSX ------------------------------------------------------------------

def _open_workbook(path: Path) -> list[Table]:
    from openpyxl import load_workbook  # openpyxl loads when a workbook is read, not at start
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise FileProblem(path.name, _l("not a valid XLSX workbook (%(error)s)",
                                        error=str(exc) or type(exc).__name__)) from None
    tables = []
    for sheet_name in workbook.sheetnames:
        name = next((n for n, aliases in SHEET_ALIASES.items()
                     if sheet_name.strip().casefold() in aliases), None)
        if name is None:
            continue
        sheet = workbook[sheet_name]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        label = f"{path.name} [{sheet_name}]"
        if not header or not any(cell not in (None, "") for cell in header):
            raise FileProblem(label, _l("the sheet is empty: no header row"))
        table = _table_from_header(name, label, [cell_text(c) for c in header])

        def sheet_rows(rows=rows, table=table):
            for number, values in enumerate(rows, start=2):
                row = table_row([cell_text(v) for v in values], table.positions)
                if row:
                    yield number, row

        table.rows = require_rows(label, sheet_rows())
        table.estimated_rows = max((sheet.max_row or 1) - 1, 0)
        tables.append(table)
    if not tables:
        raise FileProblem(path.name, _l("the workbook has no sheet named facilities or "
                                        "capabilities (it has: %(sheets)s)",
                                        sheets=", ".join(workbook.sheetnames)))
    return tables


def cell_text(value) -> str:
    """A workbook cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


# --- shared ----------------------------------------------------------------

def _table_from_header(name: str, label: str, header: list[str]) -> Table:
    columns = TABLE_COLUMNS[name]
    aliases = {}
    for canonical, chinese in columns.items():
        aliases[canonical.casefold()] = canonical
        aliases[unicodedata.normalize("NFKC", chinese).casefold()] = canonical
    positions: dict[int, str] = {}
    labels: dict[str, str] = {}
    warnings = []
    for index, raw in enumerate(header):
        text = unicodedata.normalize("NFKC", raw.replace("\ufeff", "")).strip()
        if not text:
            continue
        canonical = aliases.get(text.casefold())
        if canonical is None:
            warnings.append(_l("unknown column %(column)s is ignored", column=raw))
            continue
        if canonical in labels:
            raise FileProblem(label, _l("the column %(column)s appears twice", column=raw), row=1)
        positions[index] = canonical
        labels[canonical] = raw.strip()
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in labels]
    if missing:
        raise FileProblem(label, _l("required columns missing: %(columns)s", columns=", ".join(
            f"{c} ({columns[c]})" for c in missing)), row=1)
    return Table(name, label, labels, iter(()), positions=positions, warnings=warnings)


def require_rows(label: str, rows):
    """A table with a header and no rows is a mistake, and with --prune a costly one."""
    empty = True
    for item in rows:
        empty = False
        yield item
    if empty:
        raise FileProblem(label, _l("the table has a header but no data rows"))


def table_row(cells: list[str], positions: dict[int, str]) -> dict[str, str]:
    """The non-empty cells by canonical column; this runs once per row, so it is lean."""
    row = {}
    count = len(cells)
    for index, canonical in positions.items():
        if index < count:
            value = cells[index].strip()
            if value:
                if value[0] == "'" and value[1:2] in FORMULA_CHARACTERS:
                    value = value[1:]  # written by export to neutralise spreadsheet formulas
                row[canonical] = value
    return row
