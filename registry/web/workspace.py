"""The operator's workspace: incoming requests with one-click answers, day-by-day load per
capability, and an export of a period's bookings. Auditors may open the load and the export
(read-only) for what is in their scope."""
from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from registry.clock import today
from registry.extensions import db
from registry.models import Booking, Capability, Facility
from registry.services.booking.export import bookings_csv, bookings_xlsx
from registry.services.booking.workflow import day_load, visible_bookings
from registry.services.records.facility_edits import EditError, edit_capability, edit_facility
from registry.web.access import roles_required
from registry.web.booking_forms import PlainForm, TransitionForm
from registry.web.context import current_lang

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
    incoming = db.session.scalars(visible_bookings(current_user).where(Booking.state == "requested")
                                  .order_by(Booking.service_date, Booking.id).limit(200)).all()
    upcoming = db.session.scalars(visible_bookings(current_user)
                                  .where(Booking.state.in_(("accepted", "in_progress")),
                                         Booking.service_date >= today())
                                  .order_by(Booking.service_date, Booking.id).limit(200)).all()
    capabilities = db.session.scalars(
        select(Capability).where(Capability.facility_pk.in_(current_user.facility_pks or {-1}),
                                 Capability.bookable.is_(True), Capability.deleted_at.is_(None))
        .order_by(Capability.facility_pk, Capability.capability_id)).all()
    start = today()
    return render_template("workspace/index.html", incoming=incoming, upcoming=upcoming, capabilities=capabilities,
                           form=TransitionForm(), export_start=start.replace(day=1),
                           export_end=(start.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1))


def capability_in_scope(capability_pk: int) -> Capability:
    capability = db.session.get(Capability, capability_pk)
    if capability is None or capability.deleted_at is not None:
        abort(404)
    user = current_user
    in_scope = (user.role == "operator" and capability.facility_pk in user.facility_pks) or (
        user.role in ("auditor", "admin") and (not user.district_code
                                               or db.session.get(Facility, capability.facility_pk).district_code
                                               == user.district_code))
    if not in_scope:
        abort(404)
    return capability


@blp.get("/capabilities/<int:capability_pk>/load")
@roles_required("operator", "auditor", "admin")
def load(capability_pk: int):
    capability = capability_in_scope(capability_pk)
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
    lang = request.args.get("headers") if request.args.get("headers") in ("zh", "en") else current_lang()
    if request.args.get("format") == "xlsx":
        return Response(bookings_xlsx(db.session, current_user, start, end, lang),
                        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'})
    return Response(bookings_csv(db.session, current_user, start, end, lang), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def operated_facility_or_404(facility_id: str) -> Facility:
    facility = db.session.scalar(select(Facility).where(Facility.facility_id == facility_id,
                                                        Facility.deleted_at.is_(None)))
    if facility is None or facility.id not in current_user.facility_pks:
        abort(404)
    return facility


def edit_page(facility: Facility, errors: dict | None = None, status: int = 200):
    capabilities = db.session.scalars(select(Capability).where(
        Capability.facility_pk == facility.id, Capability.deleted_at.is_(None))
        .order_by(Capability.capability_id).limit(500)).all()
    return render_template("workspace/edit.html", facility=facility, capabilities=capabilities,
                           errors=errors or {}, form=PlainForm()), status


@blp.get("/facilities/<facility_id>/edit")
@roles_required("operator")
def edit(facility_id: str):
    return edit_page(operated_facility_or_404(facility_id))


@blp.post("/facilities/<facility_id>/edit")
@roles_required("operator")
def edit_save(facility_id: str):
    facility = operated_facility_or_404(facility_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    try:
        edit_facility(db.session, current_user, facility.id, request.form, request.form.get("version", type=int))
    except EditError as exc:
        db.session.rollback()
        return edit_page(facility, {("facility", exc.field): str(exc.message)}, 400)
    flash(_("Saved; the change log records it."), "info")
    return redirect(url_for("workspace.edit", facility_id=facility_id)), 303


@blp.post("/facilities/<facility_id>/capabilities/<int:capability_pk>")
@roles_required("operator")
def capability_save(facility_id: str, capability_pk: int):
    facility = operated_facility_or_404(facility_id)
    if not PlainForm().validate_on_submit():
        abort(400)
    capability = db.session.get(Capability, capability_pk)
    if capability is None or capability.facility_pk != facility.id:
        abort(404)
    try:
        edit_capability(db.session, current_user, capability.id, request.form, request.form.get("version", type=int))
    except EditError as exc:
        db.session.rollback()
        return edit_page(facility, {(capability.id, exc.field): str(exc.message)}, 400)
    flash(_("Saved; the change log records it."), "info")
    return redirect(url_for("workspace.edit", facility_id=facility_id)), 303
