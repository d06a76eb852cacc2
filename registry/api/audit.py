"""The bureaus' audit figures for platforms that report on them (an API key with the `audit` scope).

The same figures as the audit dashboard (registry/services/audit*.py), city-wide: the district
table with each figure's definition, the spread of capacity across districts (Gini, Theil), the
Art. 6 list and the certificates that lapse within a window.
"""
from flask_babel import force_locale
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from registry.api.access import require_scope
from registry.api.conventions import error_responses, json_response
from registry.api.schemas import UtcDateTime
from registry.clock import today
from registry.extensions import db
from registry.services.audit import district_table as audit
from registry.services.audit import gaps as audit_gaps
from registry.services.audit.accessibility import spread
from registry.services.audit.cache import cached
from registry.services.audit.figures import BOOKING_FIGURES, EXPIRY_WINDOWS, FIGURES, SPREAD_FIGURES

blp = Blueprint("api_audit", __name__, url_prefix="/api/v1", description=(
    "How quality infrastructure is spread across the districts, for bureaus' reporting platforms "
    "(scope `audit`)."))


class AuditArgs(Schema):
    window = fields.Integer(load_default=90, validate=validate.OneOf(EXPIRY_WINDOWS), metadata={
        "description": "Certificates lapsing within this many days (30, 90 or 180); expired ones are listed too."})


class FigureDefinition(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    definition = fields.String(required=True)


class SpreadOut(Schema):
    figure = fields.String(required=True)
    gini = fields.Float(required=True, metadata={"description": "0 = equal in every district, 1 = all in one."})
    theil = fields.Float(required=True)
    between = fields.Float(required=True, metadata={"description": "Theil between the urban core and the rest."})
    within = fields.Float(required=True, metadata={"description": "Theil within those two groups."})
    weighted_gini = fields.Float(allow_none=True, metadata={
        "description": "Gini weighted by each district's residents (2020 census): a person counts, not a district."})
    weighted_theil = fields.Float(allow_none=True)
    weighted_between = fields.Float(allow_none=True)
    weighted_within = fields.Float(allow_none=True)
    weighted_gini_low = fields.Float(allow_none=True, metadata={
        "description": "The lowest weighted Gini with one district left out."})
    weighted_gini_high = fields.Float(allow_none=True, metadata={
        "description": "The highest weighted Gini with one district left out."})


class Art6Out(Schema):
    facility_id = fields.String(required=True)
    name = fields.String(required=True)
    district_code = fields.String(required=True)
    kind = fields.String(required=True)
    ownership = fields.String(required=True)
    shared = fields.Boolean(required=True)
    reason = fields.String(required=True, validate=validate.OneOf(["state_not_shared", "shared_not_bookable"]))


class CertificateOut(Schema):
    district_code = fields.String(required=True)
    facility_id = fields.String(required=True)
    name = fields.String(required=True)
    certificate = fields.String(required=True, metadata={"description": "cma, cnas, cnca or measurement_standard."})
    number = fields.String(allow_none=True)
    capability_id = fields.String(allow_none=True)
    valid_until = fields.Date(required=True)
    days_left = fields.Integer(required=True, metadata={"description": "Negative: already expired."})


class AuditOut(Schema):
    as_of = UtcDateTime(allow_none=True, metadata={"description": "When the registry's data last changed."})
    figures = fields.List(fields.Nested(FigureDefinition), required=True)
    districts = fields.List(fields.Dict(), required=True, metadata={
        "description": "One object per district (`code`, then every figure by key), and the city total last."})
    spread = fields.List(fields.Nested(SpreadOut), required=True)
    art6 = fields.List(fields.Nested(Art6Out), required=True)
    certificates = fields.List(fields.Nested(CertificateOut), required=True)


def spread_fields(s) -> dict:
    out = {k: v for k, v in vars(s).items() if not k.endswith("_range")}
    if s.gini_range is not None:
        out.update(weighted_gini_low=s.gini_range.low, weighted_gini_high=s.gini_range.high)
    return out


def _audit(day, window: int) -> dict:
    table = audit.cached_district_table(db.session, day, None)
    keys = ["code", *(f.key for f in FIGURES + BOOKING_FIGURES)]
    with force_locale("en"):
        definitions = [{"key": f.key, "label": str(f.label), "definition": str(f.definition)}
                       for f in FIGURES + BOOKING_FIGURES]
    spreads = [s for s in (spread(table.rows, key) for key in SPREAD_FIGURES) if s is not None]
    return {"as_of": audit.data_as_of(db.session), "figures": definitions,
            "districts": [{k: row.get(k) for k in keys} for row in table.rows + [table.total]],
            "spread": [spread_fields(s) for s in spreads],
            "art6": audit_gaps.art6_list(db.session, day, None),
            "certificates": audit_gaps.certificate_rows(db.session, day, window, None, include_expired=True)}


@blp.route("/audit")
@error_responses(blp)
@blp.arguments(AuditArgs(), location="query")
@blp.response(200, AuditOut)
def get_audit(args):
    """The audit figures

    The district table (13 districts and the city total) with the definition of every figure,
    Gini and Theil of capacity per resident, the Art. 6 list (state-owned facilities that do not
    share, shared facilities with nothing bookable) and the certificates lapsing within `window`
    days or already expired."""
    require_scope("audit")
    day = today()
    data = cached(db.session, "api_audit", (day, args["window"]), lambda: _audit(day, args["window"]))
    return json_response(AuditOut, data)
