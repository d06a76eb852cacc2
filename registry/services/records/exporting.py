"""Export the registry in the interchange format: a CSV pair or an XLSX workbook.

What `export` writes, `import` reads back to the same records. The file speaks one language: by default
Chinese headers and values as people write them (类型 检验检测机构, 性质 国有, 是否共享 是, 参考价格 面议), or
English headers and keys on request (`lang="en"`); import reads either. Text that a spreadsheet would
take for a formula is neutralised: in CSV with a leading apostrophe (which import removes again), in XLSX
as a text cell with Excel's hidden quote prefix. CSV carries a BOM so that Excel reads it as UTF-8.
"""
import csv
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from registry.errors import RegistryError
from registry.models import Capability, Facility
from registry.schemas.interchange import CapabilityRowSchema, FacilityRowSchema, headers, written_row
from registry.services.records.canonical import CAPABILITY_ATTRS, capability_record, load_facilities
from registry.services.records.tables import FORMULA_START, sheet_name


def export_dataset(session, target: Path, lang: str = "zh") -> dict[str, int]:
    """Write to `target`: a folder gets facilities.csv and capabilities.csv, a .xlsx a workbook (sheets 机构 and
    能力, or facilities and capabilities); headers and values in `lang` (zh or en)."""
    tables = {"facilities": (FacilityRowSchema, facility_rows(session)),
              "capabilities": (CapabilityRowSchema, capability_rows(session))}
    counts = {}
    if target.suffix and target.suffix.lower() != ".xlsx":
        raise RegistryError(_l("export to a folder (for CSV files) or to a .xlsx file, not %(name)s",
                               name=target.name))
    if target.suffix.lower() == ".xlsx":
        from openpyxl import Workbook  # openpyxl loads when a workbook is written, not at start

        workbook = Workbook(write_only=True)
        for name, (schema, rows) in tables.items():
            sheet = workbook.create_sheet(sheet_name(name, lang))
            sheet.append(headers(schema, lang))
            counts[name] = 0
            for row in rows:
                sheet.append([xlsx_cell(sheet, value) for value in written_row(schema, row, lang)])
                counts[name] += 1
        target.parent.mkdir(parents=True, exist_ok=True)
        workbook.save(target)
        return counts
    target.mkdir(parents=True, exist_ok=True)
    for name, (schema, rows) in tables.items():
        with (target / f"{name}.csv").open("w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(headers(schema, lang))
            counts[name] = 0
            for row in rows:
                writer.writerow([csv_cell(value) for value in written_row(schema, row, lang)])
                counts[name] += 1
    return counts


def facility_rows(session):
    for _fid, (_pk, _deleted, record) in load_facilities(session, include_deleted=False).items():
        yield {**record, "crs": "wgs84" if record["lon"] is not None else None}


def capability_rows(session):
    query = (
        select(Facility.facility_id.label("fid"), *[getattr(Capability, a) for a in CAPABILITY_ATTRS])
        .join(Facility, Capability.facility_pk == Facility.id)
        .where(Capability.deleted_at.is_(None), Facility.deleted_at.is_(None))
        .order_by(Facility.facility_id, Capability.capability_id)
        .execution_options(yield_per=5000)
    )
    for row in session.execute(query):
        yield capability_record(row, row.fid)


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (date, Decimal, int)):
        return str(value)
    return neutralise(value)


@cache
def _openpyxl_cells():
    """openpyxl's write-only cell and the characters XLSX cannot hold, imported once on first use."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return WriteOnlyCell, ILLEGAL_CHARACTERS_RE


def xlsx_cell(sheet, value):
    """Numbers and dates stay typed for spreadsheet users; formula-like text stays text; control
    characters, which XLSX cannot hold, are shown as their symbols (NUL as ␀)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        WriteOnlyCell, ILLEGAL_CHARACTERS_RE = _openpyxl_cells()
        value = ILLEGAL_CHARACTERS_RE.sub(lambda m: chr(0x2400 + ord(m.group())), value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # openpyxl took it for a formula
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
        return cell
    return value


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text
