"""The audit's method pages (blueprint `audit`, registered from registry/web/audit.py):

GET  /audit/definitions                 every figure with its formula, inputs, year and source
GET  /audit/access/sensitivity          E2SFCA district means for several catchments and decays
GET  /audit/access/layers               the form to import a demand layer (admins and city-wide auditors)
POST /audit/access/layers               import it
POST /audit/access/outside              import facilities beyond the border (outside supply)
POST /audit/access/layers/<id>/delete   remove one
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from registry.clock import today
from registry.errors import RegistryError
from registry.extensions import db
from registry.services.audit import accessibility as access_service
from registry.services.audit import definitions, demand, sensitivity
from registry.services.audit.cache import cached
from registry.services.audit.outside_supply import import_outside_supply, outside_by_source, outside_count
from registry.services.districts import district_locator
from registry.web.audit import access_key, access_query, as_of, audit_scope, blp, grid, page_context


def may_import() -> bool:
    return current_user.role == "admin" or audit_scope() is None


def outside_text() -> str:
    n = outside_count(db.session)
    return str(_l("%(n)s facilities beyond the border, as imported", n=n)) if n else str(_l("none imported"))


def all_definitions(layer_id: int = 0) -> list:
    moment = as_of()
    label = demand.layer_label(db.session, layer_id)
    return (definitions.table_definitions(moment)
            + definitions.method_definitions(moment, f"{label.text()} ({label.source})", outside_text())
            + definitions.art7_definitions(moment)
            + definitions.unmet_definitions(moment, float(current_app.config["UNMET_FAR_KM"])))


@blp.get("/definitions")
def definitions_page():
    return render_template("audit/definitions.html", definitions=all_definitions(),
                           layers=demand.demand_layers(db.session), census=demand.census_label(),
                           demand_kinds=demand.KIND_LABELS, **page_context())


@blp.get("/access/sensitivity")
def access_sensitivity():
    args = access_service.parse_access_args(request.args)
    day = today()
    settings = cached(db.session, "access_sensitivity", access_key(args),
                      lambda: sensitivity.sensitivity(db.session, args, grid(), day))
    scope = audit_scope()
    codes = [c for c in sorted({c for s in settings for c in s.means}) if scope is None or c == scope]
    return render_template("audit/sensitivity.html", args=args, settings=settings, codes=codes,
                           rows=sensitivity.as_table(settings, codes), decays=access_service.DECAY_LABELS,
                           demand_label=demand.layer_label(db.session, args.demand),
                           access_url=url_for("audit.accessibility", **access_query(args)), **page_context())


@blp.get("/access/layers")
def demand_layers_page():
    if not may_import():
        abort(403)
    return render_template("audit/layers.html", demand_kinds=demand.KIND_LABELS,
                           outside=outside_by_source(db.session), **page_context())


@blp.post("/access/layers")
def import_layer():
    if not may_import():
        abort(403)
    file = request.files.get("layer")
    if file is None or not file.filename:
        raise RegistryError(_l("Choose a demand file (CSV or XLSX: lon, lat, weight; GeoJSON: townships)."))
    layer = demand.import_demand_layer(
        db.session, file.filename, file.read(demand.MAX_DEMAND_BYTES + 1), grid(),
        name=request.form.get("name", ""), kind=request.form.get("kind", ""), year=request.form.get("year", ""),
        source=request.form.get("source", ""), shape_hint=request.form.get("shape", ""),
        created_by=current_user.email)
    flash(str(_l("Demand layer %(name)s imported: %(n)s rows read, %(total)s on the city's cells.",
                 name=layer.name, n=layer.file_rows, total=f"{layer.total:,.0f}")))
    return redirect(url_for("audit.accessibility", demand=layer.id))


@blp.post("/access/outside")
def import_outside():
    """Facilities beyond the border from a CSV (lon, lat, kind, weight[, name, discipline])."""
    if not may_import():
        abort(403)
    file = request.files.get("outside")
    if file is None or not file.filename:
        raise RegistryError(_l("Choose an outside-supply file (CSV: lon, lat, kind, weight)."))
    locator = district_locator(current_app.config["DISTRICTS_GEOJSON"])
    n = import_outside_supply(db.session, file.read(demand.MAX_DEMAND_BYTES + 1), locator.locate,
                              source=request.form.get("source", ""), year=request.form.get("year") or None,
                              replace=request.form.get("replace") == "1")
    flash(str(_l("%(n)s facilities beyond the border imported as outside supply.", n=n)))
    return redirect(url_for("audit.demand_layers_page"))


@blp.post("/access/layers/<int:layer_id>/delete")
def delete_layer(layer_id: int):
    if not may_import():
        abort(403)
    if not demand.delete_demand_layer(db.session, layer_id):
        abort(404)
    return redirect(url_for("audit.accessibility"))


