"""Bookings of a period as CSV or XLSX, for an operator's (or auditor's) records.

Cells are written as `exporting` writes the registry: text that a spreadsheet would run as a
formula (=, +, -, @ …) is neutralised, since enterprises type the descriptions.
"""
import csv
import io
from datetime import date

from openpyxl import Workbook

from registry.models import Booking, Capability, Facility, User
from registry.services.booking.workflow import visible_bookings
from registry.services.records.exporting import csv_cell, xlsx_cell

COLUMNS = ["booking_id", "state", "service_date", "facility_id", "facility_name", "capability_id",
           "capability_name", "quantity", "fee_cny", "voucher_no", "org_name", "uscc", "contact_name",
           "contact_phone", "contact_email", "description", "created_at", "updated_at"]


def booking_rows(session, user: User, start: date, end: date):
    query = (visible_bookings(user)
             .join(Capability, Capability.id == Booking.capability_pk)
             .join(Facility, Facility.id == Booking.facility_pk)
             .where(Booking.service_date.between(start, end))
             .order_by(Booking.service_date, Booking.id)
             .with_only_columns(Booking, Facility.facility_id, Facility.name, Capability.capability_id,
                                Capability.name))
    for booking, facility_id, facility_name, capability_id, capability_name in session.execute(query):
        yield [booking.id, booking.state, booking.service_date, facility_id, facility_name, capability_id,
               capability_name, booking.quantity, booking.fee_cny, booking.voucher_no, booking.org_name,
               booking.uscc, booking.contact_name, booking.contact_phone, booking.contact_email,
               booking.description, booking.created_at.isoformat(timespec="seconds"),
               booking.updated_at.isoformat(timespec="seconds")]


def bookings_csv(session, user: User, start: date, end: date) -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(COLUMNS)
    for row in booking_rows(session, user, start, end):
        writer.writerow([csv_cell(v) for v in row])
    return stream.getvalue().encode("utf-8-sig")  # BOM: Excel on Chinese Windows reads it as UTF-8


def bookings_xlsx(session, user: User, start: date, end: date) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("bookings")
    sheet.append(COLUMNS)
    for row in booking_rows(session, user, start, end):
        sheet.append([xlsx_cell(sheet, v) for v in row])
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()
