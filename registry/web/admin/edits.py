"""Edit forms for a facility and its capabilities (same rules as import; every save in the change log)."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from registry import vocabulary
from registry.extensions import db
from registry.models import Capability
from registry.schemas.interchange import CAPABILITY_COLUMNS, FACILITY_COLUMNS
from registry.services.records import editing
from registry.services.records.canonical import capability_record
from registry.web.access import roles_required
from registry.web.admin.blueprint import KEEPERS, blp, locator

CHOICES = {"kind": tuple(vocabulary.FACILITY_KINDS), "ownership": tuple(vocabulary.OWNERSHIPS),
           "level": ("", *vocabulary.LEVELS), "status": tuple(vocabulary.STATUSES),
           "crs": tuple(vocabulary.COORDINATE_SYSTEMS), "shared": ("yes", "no"),
           "district_code": ("", *vocabulary.DISTRICTS)}
CAPABILITY_CHOICES = {"kind": tuple(vocabulary.CAPABILITY_KINDS), "discipline": ("", *vocabulary.DISCIPLINES),
                      "bookable": ("no", "yes")}


def _version() -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        return -1


@blp.route("/facilities/<facility_id>/edit", methods=["GET", "POST"])
@roles_required(*KEEPERS)
def edit_facility(facility_id: str):
    facility = editing.editable_facility(db.session, facility_id, current_user)
    errors, status = {}, 200
    cells = editing.as_cells(editing.stored_facility(db.session, facility))
    if request.method == "POST":
        cells = {c: request.form.get(c, "") for c in FACILITY_COLUMNS}
        try:
            changed = editing.save_facility(db.session, facility_id, request.form, _version(),
                                            user=current_user, locator=locator())
        except editing.InvalidEdit as invalid:
            db.session.rollback()
            errors, status = invalid.fields, 422
        except editing.StaleEdit as stale:
            db.session.rollback()
            return render_template("error.html", status=409, message=str(stale.message)), 409
        else:
            flash(_("Saved.") if changed else _("Nothing was changed."))
            return redirect(url_for("admin.edit_facility", facility_id=facility_id))
        facility = editing.editable_facility(db.session, facility_id, current_user)
    capabilities = db.session.scalars(select(Capability).where(Capability.facility_pk == facility.id,
                                                               Capability.deleted_at.is_(None))
                                      .order_by(Capability.capability_id).limit(500)).all()
    return render_template("admin/edit_facility.html", facility=facility, cells=cells, errors=errors,
                           columns=[c for c in FACILITY_COLUMNS if c != "facility_id"], choices=CHOICES,
                           labels=FACILITY_COLUMNS,
                           capabilities=capabilities, version=facility.version), status


@blp.route("/facilities/<facility_id>/capabilities/new", methods=["GET", "POST"], defaults={"capability_id": None})
@blp.route("/facilities/<facility_id>/capabilities/<capability_id>/edit", methods=["GET", "POST"])
@roles_required(*KEEPERS)
def edit_capability(facility_id: str, capability_id: str | None):
    facility = editing.editable_facility(db.session, facility_id, current_user)
    capability = editing.editable_capability(db.session, facility, capability_id) if capability_id else None
    cells = editing.as_cells(capability_record(capability, facility_id)) if capability else {}
    errors, status = {}, 200
    if request.method == "POST":
        cells = {c: request.form.get(c, "") for c in CAPABILITY_COLUMNS}
        try:
            changed = editing.save_capability(db.session, facility_id, capability_id, request.form, _version(),
                                              user=current_user)
        except editing.InvalidEdit as invalid:
            db.session.rollback()
            errors, status = invalid.fields, 422
        except editing.StaleEdit as stale:
            db.session.rollback()
            return render_template("error.html", status=409, message=str(stale.message)), 409
        else:
            flash(_("Saved.") if changed else _("Nothing was changed."))
            return redirect(url_for("admin.edit_facility", facility_id=facility_id))
    columns = [c for c in CAPABILITY_COLUMNS if c != "facility_id" and (c != "capability_id" or not capability)]
    return render_template("admin/edit_capability.html", facility=facility, capability=capability, cells=cells,
                           errors=errors, columns=columns, choices=CAPABILITY_CHOICES, labels=CAPABILITY_COLUMNS,
                           version=capability.version if capability else 0), status
