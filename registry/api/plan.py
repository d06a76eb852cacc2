"""Test plans: which facilities cover every item of a plan, which cover most, and which pairs cover it
together (registry/services/search/plan.py; the /plan page asks the same service)."""
from flask import current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from registry.api.access import require_scope
from registry.api.conventions import error_responses, json_response
from registry.api.schemas import ErrorSchema, FacilityFields
from registry.clock import today
from registry.extensions import db
from registry.services.districts import district_points
from registry.services.search.plan import plan_coverage
from registry.services.search.plan_input import PlanSchema

blp = Blueprint("api_plan", __name__, url_prefix="/api/v1", description=(
    "Who can do a whole test plan: send the plan's items (test items and/or standard numbers) and get "
    "the facilities that cover all of them, those that cover most, and pairs that cover it together."))

ITEM_INDEXES = {"description": "Indexes (from 0) into the request's `items`."}


class CoverageOut(FacilityFields):
    covered = fields.List(fields.Integer(), required=True, metadata={
        "description": "Items it has a matching capability for that has not expired; " + ITEM_INDEXES["description"]})
    expired = fields.List(fields.Integer(), required=True, metadata={
        "description": "Items whose matching capabilities have all expired (not counted as covered)."})
    missed = fields.List(fields.Integer(), required=True, metadata={"description": "Items it has nothing for."})
    accredited = fields.Boolean(required=True, metadata={
        "description": "Holds an accreditation (CMA, CNAS, ...) valid today."})
    distance_km = fields.Float(allow_none=True, metadata={"description": "From `near` (or the district's centre)."})


class PairOut(Schema):
    first = fields.Nested(CoverageOut, required=True)
    second = fields.Nested(CoverageOut, required=True)
    distance_km = fields.Float(allow_none=True, metadata={"description": "The two distances added."})


class ItemOut(Schema):
    text = fields.String(required=True, metadata={"description": "The item as matched (list number left out)."})
    facilities = fields.Integer(required=True, metadata={"description": "Facilities covering it."})


class PlanCoverageOut(Schema):
    items = fields.List(fields.Nested(ItemOut), required=True)
    complete = fields.List(fields.Nested(CoverageOut), required=True, metadata={
        "description": "Facilities covering every item, best first: accredited, then nearest."})
    complete_total = fields.Integer(required=True)
    partial = fields.List(fields.Nested(CoverageOut), required=True, metadata={
        "description": "Facilities covering some items, most first (then accredited, fewer expired, nearest)."})
    partial_total = fields.Integer(required=True)
    pairs = fields.List(fields.Nested(PairOut), required=True, metadata={
        "description": "Two facilities covering every item together (neither alone), best first: both "
                       "accredited, nearest; searched among the 30 best partial facilities."})
    uncovered = fields.List(fields.Integer(), required=True, metadata={
        "description": "Items no facility covers (then there are no complete facilities or pairs)."})


@blp.route("/plan/coverage", methods=["POST"])
@error_responses(blp)
@blp.arguments(PlanSchema, location="json")
@blp.response(200, PlanCoverageOut)
@blp.alt_response(413, schema=ErrorSchema, description="The request body is too large.")
def plan_coverage_view(plan):
    """Who can do a whole test plan

    Each item is matched as the search's `q` (keywords as substrings, standard numbers however
    typed) against the capabilities of active facilities. A bad plan (no items, more than 100,
    an item that is empty, too long, not text or has nothing to look for) is a 422 naming the
    field, e.g. `items.3`."""
    require_scope("read")
    near = plan.get("near")
    if "district" in plan:
        near = district_points(current_app.config["DISTRICTS_GEOJSON"]).get(plan["district"])
    coverage = plan_coverage(db.session, plan["items"], today(), near=near, limit=plan["limit"])
    return json_response(PlanCoverageOut, {
        "items": [{"text": text, "facilities": n} for text, n in zip(coverage.items, coverage.item_facilities)],
        "complete": [_coverage(c) for c in coverage.complete],
        "complete_total": coverage.complete_total,
        "partial": [_coverage(c) for c in coverage.partial],
        "partial_total": coverage.partial_total,
        "pairs": [{"first": _coverage(p.first), "second": _coverage(p.second), "distance_km": p.distance_km}
                  for p in coverage.pairs],
        "uncovered": coverage.uncovered,
    })


def _coverage(c) -> dict:
    return {**c.facility, "covered": c.covered, "expired": c.expired, "missed": c.missed,
            "accredited": c.accredited, "distance_km": c.distance_km}
