"""Workbooks to fill in, one per upload kind: the interchange format's headers (Chinese by default), one
filled example row written the way people write (检验检测机构, 国有, 是) as `export` writes it, a frozen header,
and a 说明 sheet that says for each column whether it is required and what it takes (read from the import's
own schema, so the explanation cannot drift from what the import accepts). The importer ignores the 说明 sheet."""
import io
from datetime import date
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from registry.identifiers import make_uscc
from registry.schemas import fields as cells
from registry.schemas.interchange import CapabilityRowSchema, FacilityRowSchema, headers, written_row
from registry.services.records.tables import sheet_name
from registry.vocabulary import PRICE_ON_REQUEST_WRITTEN

KINDS = ("facilities", "capabilities", "workbook")
NOTES_SHEET = {"zh": "说明", "en": "notes"}
SCHEMAS = {"facilities": FacilityRowSchema, "capabilities": CapabilityRowSchema}
# One example record of each table (an invented facility: replace it with yours), written in the file's language
EXAMPLES = {
    "facilities": {
        "facility_id": "EXAMPLE-0001", "name": "杭州市示例检验检测中心", "name_en": "Hangzhou Example Testing Centre",
        "kind": "testing", "ownership": "state", "level": "city", "uscc": make_uscc("91330106", "MA2B3C4D"),
        "org_name": "杭州市示例检验检测中心", "district_code": "330106", "address": "杭州市西湖区示例路 1 号",
        "lon": 120.13, "lat": 30.27, "crs": "wgs84", "phone": "0571-88880000", "email": "service@example.cn",
        "website": "https://example.cn", "shared": True, "fields": "新材料；高端装备", "cma_no": "211112290728",
        "cma_valid_until": date(2030, 12, 31), "status": "active",
    },
    "capabilities": {
        "facility_id": "EXAMPLE-0001", "capability_id": "C0001", "kind": "test_item",
        "name": "电线电缆 导体直流电阻", "category": "电线电缆", "standards": "GB/T 3048.4-2007",
        "quantity": "电阻", "range_min": 0.001, "range_max": 100, "unit": "Ω", "valid_until": date(2030, 12, 31),
        "price_cny": Decimal(120), "lead_time_days": 3, "bookable": True, "daily_capacity": 5,
    },
}
HEADER_FILL = "DCE6F2"  # the header row's background


def template_workbook(kind: str, lang: str = "zh") -> bytes:
    """The .xlsx to fill in for `kind` (facilities, capabilities, or a workbook with both)."""
    from openpyxl import Workbook  # openpyxl loads when a workbook is written, not at start

    tables = ("facilities", "capabilities") if kind == "workbook" else (kind,)
    workbook = Workbook()
    workbook.remove(workbook.active)
    with force_locale(lang):
        for table in tables:
            _data_sheet(workbook, table, lang)
        _notes_sheet(workbook, tables, lang)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def _data_sheet(workbook, table: str, lang: str) -> None:
    from openpyxl.styles import Font, PatternFill

    sheet = workbook.create_sheet(sheet_name(table, lang))
    header = headers(SCHEMAS[table], lang)
    example = written_row(SCHEMAS[table], EXAMPLES[table], lang)
    sheet.append(header)
    sheet.append(example)
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    for index, (title, value) in enumerate(zip(header, example), start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(
            10, min(40, 2 * len(title) + 4, 2 * len(str(value or "")) + 2))
    sheet.freeze_panes = "A2"


def _notes_sheet(workbook, tables, lang: str) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    sheet = workbook.create_sheet(NOTES_SHEET[lang])
    sheet.append([str(_l("Sheet")), str(_l("Column")), str(_l("Column (English)")), str(_l("Required")),
                  str(_l("What to write"))])
    for table in tables:
        schema = SCHEMAS[table]
        for column, chinese in schema.COLUMNS.items():
            field = schema._declared_fields[column]  # the class's: building a schema needs a locator
            sheet.append([sheet_name(table, lang), chinese, column,
                          str(_l("Yes") if field.required else _l("No")), describe(field, lang)])
    sheet.append([])
    sheet.append([str(_l("Replace the example row with your own rows; one row per facility or capability. "
                         "A capability names its facility by the facility id."))])
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL)
    for letter, width in zip("ABCDE", (10, 18, 18, 8, 80)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2, min_col=5, max_col=5):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"


def describe(field, lang: str) -> str:
    """What a cell of this field takes, in the reader's language, from the field's own type."""
    if isinstance(field, cells.Choice):
        return str(_l("one of: %(choices)s", choices=field._choices_text()))
    if isinstance(field, cells.YesNo):
        return str(_l("yes or no"))
    if isinstance(field, cells.Price):
        return str(_l("an amount in yuan, e.g. 120, or %(on_request)s (price on request)",
                      on_request=PRICE_ON_REQUEST_WRITTEN[lang]))
    if isinstance(field, cells.Money):
        return str(_l("an amount in yuan, e.g. 120"))
    if isinstance(field, cells.Integer):
        return str(_l("a whole number, e.g. 5"))
    if isinstance(field, cells.Number):
        return str(_l("a number, e.g. 0.5"))
    if isinstance(field, cells.Day):
        return str(_l("a date, e.g. 2030-12-31"))
    if isinstance(field, cells.Email):
        return str(_l("an e-mail address"))
    if isinstance(field, cells.Url):
        return str(_l("a web address"))
    if isinstance(field, cells.SeparatedList):
        return str(_l("one or more, separated by ；"))
    if isinstance(field, cells.ExternalId):
        return str(_l("an id of letters, digits and -, e.g. F0001"))
    return str(_l("text"))
