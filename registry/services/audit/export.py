"""Audit tables as CSV (UTF-8 with BOM, for Excel) and XLSX, formula-like text neutralised as in
registry/services/records/exporting.py. Each builder turns computed figures into (header, rows) in the
reader's language; the writers know nothing of audit figures."""
from __future__ import annotations

import csv
import io
from datetime import date

from flask_babel import lazy_gettext as _l

from registry import vocabulary
from registry.services.audit import public_standards as art7
from registry.services.audit.figures import BOOKING_FIGURES, EXPIRY_WINDOWS, FIGURES
from registry.services.records.exporting import neutralise, xlsx_cell
from registry.vocabulary import DISCIPLINES

TABLES = ("districts", "disciplines", "art6", "certificates", "certificate_summary", "certificate_facilities",
          "access", "spread", "spread_weighted")
ART7_TABLES = ("standards", "counts", "gaps")  # /audit/public-standards/export/<table>.<fmt>
CERTIFICATE_NAMES = {"cma": "CMA", "cnas": "CNAS", "cnca": "CNCA", "measurement_standard": _l("Measurement standard")}
REASONS = {"state_not_shared": _l("State-owned, offers no shared services"),
           "shared_not_bookable": _l("Shared, but no bookable capability")}


def district_name(code: str, lang: str) -> str:
    return str(_l("Total")) if code == "total" else vocabulary.district_name(code, lang)


def districts_table(table, lang: str) -> tuple[list, list]:
    figures = FIGURES + BOOKING_FIGURES
    header = [str(_l("Code")), str(_l("District"))] + [str(f.label) for f in figures]
    # the total has no code (its key, "total", is no word for a reader)
    rows = [[None if r["code"] == "total" else r["code"], district_name(r["code"], lang)]
            + [r.get(f.key) for f in figures] for r in table.rows + [table.total]]
    return header, rows


def disciplines_table(matrix, lang: str, names: dict) -> tuple[list, list]:
    header = [str(_l("Code")), str(_l("District"))]
    for key in DISCIPLINES:
        header += [str(_l("%(discipline)s: standards", discipline=names[key])),
                   str(_l("%(discipline)s: nearest (km)", discipline=names[key]))]
    rows = []
    for code, cells in matrix.items():
        row = [code, district_name(code, lang)]
        for key in DISCIPLINES:
            cell = cells[key]
            row += [cell.standards, None if cell.nearest_km is None else round(cell.nearest_km, 1)]
        rows.append(row)
    return header, rows


def art6_table(rows: list[dict], lang: str) -> tuple[list, list]:
    """Kind and ownership as the interchange files write them: 检验检测机构, 国有 (the keys in English)."""
    header = [str(h) for h in (_l("District"), _l("Facility ID"), _l("Facility"), _l("Kind"), _l("Ownership"),
                               _l("Finding"))]
    return header, [[district_name(r["district_code"], lang), r["facility_id"],
                     r["name"] if lang == "zh" or not r["name_en"] else r["name_en"],
                     vocabulary.written(vocabulary.FACILITY_KINDS, r["kind"], lang),
                     vocabulary.written(vocabulary.OWNERSHIPS, r["ownership"], lang),
                     str(REASONS[r["reason"]])] for r in rows]


def certificates_table(rows: list[dict], lang: str) -> tuple[list, list]:
    header = [str(h) for h in (_l("District"), _l("Facility ID"), _l("Facility"), _l("Certificate"), _l("Number"),
                               _l("Capability ID"), _l("Valid until"), _l("Days left"))]
    return header, [[district_name(r["district_code"], lang), r["facility_id"],
                     r["name"] if lang == "zh" or not r["name_en"] else r["name_en"],
                     str(CERTIFICATE_NAMES.get(r["certificate"], r["certificate"])), r["number"], r["capability_id"],
                     r["valid_until"], r["days_left"]] for r in rows]


def certificate_facilities_table(lines: list[dict], lang: str) -> tuple[list, list]:
    header = [str(h) for h in (_l("District"), _l("Facility ID"), _l("Facility"), _l("Certificates"),
                               _l("First lapses"), _l("Which"))]
    return header, [[district_name(e["district_code"], lang), e["facility_id"],
                     e["name"] if lang == "zh" or not e["name_en"] else e["name_en"], e["certificates"], e["first"],
                     ", ".join(str(CERTIFICATE_NAMES.get(k, k)) for k in sorted(e["kinds"]))] for e in lines]


def certificate_summary_table(summary: dict, codes: list[str], lang: str) -> tuple[list, list]:
    header = [str(_l("District")), str(_l("Expired"))] + [str(_l("≤ %(days)s days", days=w)) for w in EXPIRY_WINDOWS]
    rows = []
    for code in codes:
        counts = summary.get(code, {})
        rows.append([district_name(code, lang), counts.get("expired", 0)] + [counts.get(w, 0) for w in EXPIRY_WINDOWS])
    return header, rows


def facility_name(row, lang: str) -> str:
    """A facility's name in the reader's language (the Chinese one when no English one is given)."""
    return row.facility_name if lang == "zh" or not row.facility_name_en else row.facility_name_en


def public_standards_table(standards: list, lang: str, names: dict) -> tuple[list, list]:
    """Art. 7: every public measurement standard with its certificate and validity."""
    header = [str(h) for h in (_l("District"), _l("Facility ID"), _l("Facility"), _l("Measurement standard"),
                               _l("Discipline"), _l("Certificate number"), _l("Valid until"), _l("Days left"),
                               _l("Validity of the certificate"), _l("Suspended"))]
    return header, [[district_name(s.district_code, lang), s.facility_id, facility_name(s, lang), s.name,
                     names.get(s.discipline, s.discipline), s.certificate_no, s.valid_until, s.days_left,
                     str(art7.VALIDITY_LABELS[s.validity]), str(_l("yes")) if s.suspended else ""]
                    for s in standards]


ART7_COUNTS = {"total": _l("Public standards"), "in_force": _l("In force"), "valid": art7.VALIDITY_LABELS["valid"],
               "expiring": art7.VALIDITY_LABELS["expiring"], "expired": art7.VALIDITY_LABELS["expired"],
               "undated": art7.VALIDITY_LABELS["undated"], "suspended": _l("Suspended")}


def public_standard_counts_table(counts: dict, lang: str, names: dict) -> tuple[list, list]:
    """Art. 7: one row per district and discipline (zeros included: they are the gaps)."""
    header = [str(_l("Code")), str(_l("District")), str(_l("Discipline"))] + [str(h) for h in ART7_COUNTS.values()]
    return header, [[code, district_name(code, lang), names.get(key, key)] + [n[k] for k in ART7_COUNTS]
                    for code, cells in counts.items() for key, n in cells.items()]


def public_standard_gaps_table(gaps: list, lang: str, names: dict) -> tuple[list, list]:
    """Art. 7: the districts with no public standard in force in a discipline."""
    header = [str(h) for h in (_l("Code"), _l("District"), _l("Discipline"),
                               _l("Public standards not in force (expired, undated or suspended)"))]
    return header, [[g.district_code, district_name(g.district_code, lang), names.get(g.discipline, g.discipline),
                     g.not_in_force] for g in gaps]


def access_table(means: dict, codes: list[str], lang: str, demand: str = "", setting: str = "") -> tuple[list, list]:
    """The district means; `demand` (the demand layer and year) and `setting` (supply, catchment, decay)
    repeated on every row, so that a copied table still says what it was computed with."""
    header = [str(_l("Code")), str(_l("District")), str(_l("Mean accessibility (per 100,000 people)"))]
    rows = [[c, district_name(c, lang), None if means.get(c) is None else round(means[c], 3)] for c in codes]
    if demand or setting:
        header += [str(_l("Demand")), str(_l("Setting"))]
        rows = [row + [demand, setting] for row in rows]
    return header, rows


def spread_weighted_table(spreads: list) -> tuple[list, list]:
    """The weighted spread beside the unweighted one, with the leave-one-district-out range."""
    header = [str(h) for h in (_l("Figure"), _l("Gini"), _l("Weighted Gini"), _l("Weighted Gini (lowest)"),
                               _l("Weighted Gini (highest)"), _l("Theil"), _l("Weighted Theil"),
                               _l("Theil between core and outer"), _l("Theil within groups"))]

    def r(v):
        return None if v is None else round(v, 4)

    return header, [[str(label), r(s.gini), r(s.weighted_gini), r(s.gini_range.low if s.gini_range else None),
                     r(s.gini_range.high if s.gini_range else None), r(s.theil), r(s.weighted_theil),
                     r(s.weighted_between), r(s.weighted_within)] for label, s in spreads]


def spread_table(spreads: list) -> tuple[list, list]:
    header = [str(h) for h in (_l("Figure"), _l("Gini"), _l("Theil"), _l("Theil between core and outer"),
                               _l("Theil within groups"))]
    return header, [[str(label), round(s.gini, 4), round(s.theil, 4), round(s.between, 4), round(s.within, 4)]
                    for label, s in spreads]


def to_csv(header: list, rows: list) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(str(h)) for h in header])
    for row in rows:
        writer.writerow([csv_value(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(round(value, 6))
    if isinstance(value, (int, date)):
        return str(value)
    return neutralise(str(value))


def to_xlsx(sheet_name: str, header: list, rows: list, note: str = "") -> bytes:
    from openpyxl import Workbook  # openpyxl loads when a workbook is written, not at start

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name[:31])
    if note:
        sheet.append([xlsx_cell(sheet, note)])
    sheet.append([xlsx_cell(sheet, str(h)) for h in header])
    for row in rows:
        sheet.append([xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
