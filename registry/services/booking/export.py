"""Bookings of a period as CSV or XLSX, for an operator's (or auditor's) records.

Cells are written as `exporting` writes the registry: text that a spreadsheet would run as a
formula (=, +, -, @ …) is neutralised, since enterprises type the descriptions. Headers and states are
Chinese unless English is asked for; times are Beijing time (stored in UTC), as people read them.
"""
import csv
import io
from datetime import date

from flask_babel import force_locale

from registry.clock import local_text
from registry.models import Booking, Capability, Facility, User
from registry.services.booking.notifications import STATE_LABELS
from registry.services.booking.workflow import visible_bookings
from registry.services.records.exporting import csv_cell, xlsx_cell

COLUMNS = ["booking_id", "state", "service_date", "facility_id", "facility_name", "capability_id",
           "capability_name", "quantity", "fee_cny", "voucher_no", "org_name", "uscc", "contact_name",
           "contact_phone", "contact_email", "description", "created_at", "updated_at"]
CHINESE_HEADERS = {
    "booking_id": "预约编号", "state": "状态", "service_date": "服务日期", "facility_id": "机构编号",
    "facility_name": "机构名称", "capability_id": "能力编号", "capability_name": "服务名称", "quantity": "数量",
    "fee_cny": "参考费用（元）", "voucher_no": "创新券编号", "org_name": "企业名称", "uscc": "统一社会信用代码",
    "contact_name": "联系人", "contact_phone": "联系电话", "contact_email": "联系邮箱", "description": "需求说明",
    "created_at": "提交时间（北京时间）", "updated_at": "更新时间（北京时间）",
}
SHEET_NAMES = {"zh": "预约", "en": "bookings"}
SECONDS = "%Y-%m-%d %H:%M:%S"


def headers(lang: str) -> list[str]:
    return [CHINESE_HEADERS[c] for c in COLUMNS] if lang == "zh" else list(COLUMNS)


def booking_rows(session, user: User, start: date, end: date, lang: str = "zh"):
    query = (visible_bookings(user)
             .join(Capability, Capability.id == Booking.capability_pk)
             .join(Facility, Facility.id == Booking.facility_pk)
             .where(Booking.service_date.between(start, end))
             .order_by(Booking.service_date, Booking.id)
             .with_only_columns(Booking, Facility.facility_id, Facility.name, Capability.capability_id,
                                Capability.name))
    for booking, facility_id, facility_name, capability_id, capability_name in session.execute(query):
        with force_locale(lang):
            state = str(STATE_LABELS.get(booking.state, booking.state))
        yield [booking.id, state, booking.service_date, facility_id, facility_name, capability_id,
               capability_name, booking.quantity, booking.fee_cny, booking.voucher_no, booking.org_name,
               booking.uscc, booking.contact_name, booking.contact_phone, booking.contact_email,
               booking.description, local_text(booking.created_at, SECONDS), local_text(booking.updated_at, SECONDS)]


def bookings_csv(session, user: User, start: date, end: date, lang: str = "zh") -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(headers(lang))
    for row in booking_rows(session, user, start, end, lang):
        writer.writerow([csv_cell(v) for v in row])
    return stream.getvalue().encode("utf-8-sig")  # BOM: Excel on Chinese Windows reads it as UTF-8


def bookings_xlsx(session, user: User, start: date, end: date, lang: str = "zh") -> bytes:
    from openpyxl import Workbook  # openpyxl loads when a workbook is written, not at start

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_NAMES[lang])
    sheet.append(headers(lang))
    for row in booking_rows(session, user, start, end, lang):
        sheet.append([xlsx_cell(sheet, v) for v in row])
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
