"""Writing a generated data set: the interchange CSV pair, or one XLSX workbook with typed cells and
fixed timestamps (the same arguments give the same bytes)."""
from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from openpyxl import Workbook

FACILITY_COLUMNS = (
    "facility_id", "name", "name_en", "kind", "ownership", "level", "uscc", "org_name",
    "district_code", "address", "lon", "lat", "crs", "phone", "email", "website", "shared",
    "fields", "cma_no", "cma_valid_until", "cnas_no", "cnas_valid_until", "cnca_no", "status",
)
CAPABILITY_COLUMNS = (
    "facility_id", "capability_id", "kind", "name", "discipline", "category", "standards",
    "quantity", "range_min", "range_max", "unit", "uncertainty", "certificate_no", "valid_until",
    "price_cny", "lead_time_days", "bookable", "daily_capacity",
)
_XLSX_NUMBERS = {"lon", "lat", "range_min", "range_max", "price_cny", "lead_time_days", "daily_capacity"}
_XLSX_DATES = {"cma_valid_until", "cnas_valid_until", "valid_until"}


def write_csv(path: Path, columns, rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row[c] for c in columns])


def typed(column: str, value: str):
    """A spreadsheet cell as a bureau's Excel would hold it: numbers and dates typed."""
    if value == "":
        return None
    if column in _XLSX_NUMBERS:
        number = float(value)
        return int(number) if number.is_integer() and "." not in value else number
    if column in _XLSX_DATES:
        return dt.date.fromisoformat(value)
    return value


def write_xlsx(path: Path, facility_rows, capability_rows, as_of: dt.date) -> None:
    workbook = Workbook(write_only=True)
    stamp = dt.datetime.combine(as_of, dt.time())
    workbook.properties.creator = "seeds.generate"
    for title, columns, rows in (("facilities", FACILITY_COLUMNS, facility_rows),
                                 ("capabilities", CAPABILITY_COLUMNS, capability_rows)):
        sheet = workbook.create_sheet(title)
        sheet.append(list(columns))
        for row in rows:
            sheet.append([typed(c, row[c]) for c in columns])
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.xlsx"
        workbook.save(raw)
        freeze_zip(raw, path, stamp)


def freeze_zip(src: Path, dst: Path, stamp: dt.datetime) -> None:
    """Copy an xlsx with fixed timestamps (zip entries and document properties)."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type, fixed.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            if info.filename == "docProps/core.xml":
                text = zin.read(info).decode("utf-8")
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*", rf"\g<1>{iso}", text)
                zout.writestr(fixed, text.encode("utf-8"))
                continue
            with zin.open(info) as fin, zout.open(fixed, "w") as fout:
                shutil.copyfileobj(fin, fout, 1 << 20)


