"""The operator's workspace: incoming requests with one-click answers, day-by-day load per
capability, and an export of a period's bookings. Auditors may open the load and the export
(read-only) for what is in their scope. A facility's edit page is the one edit form of the record
(web/admin/edits.py); the workspace's quick saves of contact details and booking terms go through the
same writer and rules (services/records/editing.py), only for those fields."""
from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registry.clock import today
from registry.extensions import db
from registry.services.booking import workspace
from registry.services.booking.export import bookings_csv, bookings_xlsx
from registry.services.booking.workflow import day_load
from registry.services.records import editing
from registry.services.records.canonical import capability_record
from registry.services.records.writer import InvalidRecord
from registry.web.access import roles_required
from registry.web.admin.blueprint import locator
from registry.web.admin.edits import capability_form, facility_form
from registry.web.booking_forms import PlainForm, TransitionForm
from registry.web.context import export_lang

blp = Blueprint("workspace", __name__, url_prefix="/workspace")

MAX_DAYS = 366


def parse_day(raw: str | None, default: date) -> date:
    try:
        return date.fromisoformat(raw) if raw else default
    except ValueError:
        abort(400, description="dates are written YYYY-MM-DD")


@blp.get("/")
@roles_required("operator")
def index():
    start = today()
    return render_template("workspace/index.html", incoming=workspace.incoming_requests(db.session, current_user),
                           upcoming=workspace.upcoming_work(db.session, current_user, start),
                           capabilities=workspace.bookable_capabilities(db.session, current_user),
                           form=TransitionForm(), export_start=start.replace(day=1),
                           export_end=(start.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1))


@blp.get("/capabilities/<int:capability_pk>/load")
@roles_required("operator", "auditor", "admin")
def load(capability_pk: int):
    capability = workspace.capability_in_scope(db.session, current_user, capability_pk)
    start = parse_day(request.args.get("start"), today())
    days = min(max(request.args.get("days", 31, type=int), 1), MAX_DAYS)
    rows = day_load(db.session, capability, start, start + timedelta(days=days - 1))
    return render_template("workspace/load.html", capability=capability, rows=rows, start=start, days=days,
                           earlier=start - timedelta(days=days), later=start + timedelta(days=days))


@blp.get("/export")
@roles_required("operator", "auditor", "admin")
def export():
    start = parse_day(request.args.get("start"), today().replace(day=1))
    end = parse_day(request.args.get("end"), start + timedelta(days=30))
    if end < start or (end - start).days > 3 * MAX_DAYS:
        abort(400, description=_("The period must end after it starts, and last at most three years."))
    name = f"bookings-{start.isoformat()}-{end.isoformat()}"
    lang = export_lang()
    if request.args.get("format") == "xlsx":
        return Response(bookings_xlsx(db.session, current_user, start, end, lang),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    return Response(bookings_csv(db.session, current_user, start, end, lang), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


@blp.get("/facilities/<facility_id>/edit")
@roles_required("operator")
def edit(facility_id: str):
    """The facility's one edit form (the same as /admin/facilities/<id>/edit)."""
    return facility_form(facility_id)


@blp.post("/facilities/<facility_id>/edit")
@roles_required("operator")
def edit_save(facility_id: str):
    """Contact details only (phone, e-mail, website); the other fields keep their values."""
    if not PlainForm().validate_on_submit():
        abort(400)
    try:
        editing.save_facility(db.session, facility_id, request.form, request.form.get("version", type=int),
                              user=current_user, locator=locator(), only=editing.CONTACT_COLUMNS)
    except InvalidRecord as invalid:
        stored = editing.stored_facility(db.session, editing.editable_facility(db.session, facility_id, current_user))
        cells = editing.merged_cells(stored, request.form, None, editing.CONTACT_COLUMNS)
        return facility_form(facility_id, cells, invalid.fields, 422)
    flash(_("Saved; the change log records it."), "info")
    return redirect(url_for("workspace.edit", facility_id=facility_id)), 303


@blp.post("/facilities/<facility_id>/capabilities/<int:capability_pk>")
@roles_required("operator")
def capability_save(facility_id: str, capability_pk: int):
    """A capability's booking terms only (fee, lead time, bookable, daily capacity)."""
    if not PlainForm().validate_on_submit():
        abort(400)
    facility = editing.editable_facility(db.session, facility_id, current_user)
    capability_id = editing.capability_id_of(db.session, facility, capability_pk)
    try:
        editing.save_capability(db.session, facility_id, capability_id, request.form,
                                request.form.get("version", type=int), user=current_user,
                                only=editing.BOOKING_TERMS)
    except InvalidRecord as invalid:
        stored = capability_record(editing.editable_capability(db.session, facility, capability_id), facility_id)
        cells = editing.merged_cells(stored, request.form, None, editing.BOOKING_TERMS)
        return capability_form(facility_id, capability_id, cells, invalid.fields, 422)
    flash(_("Saved; the change log records it."), "info")
    return redirect(url_for("workspace.edit", facility_id=facility_id)), 303
