"""Edit forms for a facility and its capabilities: the one form per record that admins and operators use
(the workspace shows the same one); the one writer's rules (those of an import); every save in the change log."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registry import vocabulary
from registry.extensions import db
from registry.schemas.interchange import CAPABILITY_COLUMNS, FACILITY_COLUMNS
from registry.services.records import editing
from registry.services.records.canonical import capability_record
from registry.services.records.writer import InvalidRecord
from registry.web.access import roles_required
from registry.web.admin.blueprint import KEEPERS, blp, locator
from registry.web.context import current_lang

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
    """A stale form is a 409 (writer.StaleRecord, through the one error contract)."""
    if request.method == "GET":
        return facility_form(facility_id)
    try:
        changed = editing.save_facility(db.session, facility_id, request.form, _version(),
                                        user=current_user, locator=locator())
    except InvalidRecord as invalid:
        cells = {c: request.form.get(c, "") for c in FACILITY_COLUMNS}
        return facility_form(facility_id, cells, invalid.fields, 422)
    flash(_("Saved.") if changed else _("Nothing was changed."))
    return redirect(url_for("admin.edit_facility", facility_id=facility_id))


def facility_form(facility_id: str, cells: dict | None = None, errors: dict | None = None, status: int = 200):
    """The facility's edit form: the stored values, or the cells a refused save sent with its errors."""
    facility = editing.editable_facility(db.session, facility_id, current_user)
    if cells is None:
        cells = editing.as_cells(editing.stored_facility(db.session, facility))
    return render_template("admin/edit_facility.html", facility=facility, cells=cells, errors=errors or {},
                           columns=[c for c in FACILITY_COLUMNS if c != "facility_id"], choices=CHOICES,
                           capabilities=editing.live_capabilities(db.session, facility),
                           version=facility.version), status


@blp.route("/facilities/<facility_id>/capabilities/new", methods=["GET", "POST"], defaults={"capability_id": None})
@blp.route("/facilities/<facility_id>/capabilities/<capability_id>/edit", methods=["GET", "POST"])
@roles_required(*KEEPERS)
def edit_capability(facility_id: str, capability_id: str | None):
    if request.method == "GET":
        return capability_form(facility_id, capability_id)
    try:
        changed = editing.save_capability(db.session, facility_id, capability_id, request.form, _version(),
                                          user=current_user)
    except InvalidRecord as invalid:
        cells = {c: request.form.get(c, "") for c in CAPABILITY_COLUMNS}
        return capability_form(facility_id, capability_id, cells, invalid.fields, 422)
    flash(_("Saved.") if changed else _("Nothing was changed."))
    return redirect(url_for("admin.edit_facility", facility_id=facility_id))


def capability_form(facility_id: str, capability_id: str | None, cells: dict | None = None,
                    errors: dict | None = None, status: int = 200):
    """A capability's edit form (a new one's when `capability_id` is None)."""
    facility = editing.editable_facility(db.session, facility_id, current_user)
    capability = editing.editable_capability(db.session, facility, capability_id) if capability_id else None
    if cells is None:
        cells = editing.as_cells(capability_record(capability, facility_id), current_lang()) if capability else {}
    columns = [c for c in CAPABILITY_COLUMNS if c != "facility_id" and (c != "capability_id" or not capability)]
    return render_template("admin/edit_capability.html", facility=facility, capability=capability, cells=cells,
                           errors=errors or {}, columns=columns, choices=CAPABILITY_CHOICES,
                           version=capability.version if capability else 0), status
