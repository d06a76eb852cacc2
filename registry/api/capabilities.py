"""Capabilities one by one: keyword and standard search with totals and facets."""
from flask_smorest import Blueprint

from registry.api import arguments, schemas
from registry.api.access import require_scope
from registry.api.conventions import error_responses, json_response, make_cursor, read_cursor
from registry.clock import today
from registry.extensions import db
from registry.services.search import api_capability_page, query_from

blp = Blueprint("api_capabilities", __name__, url_prefix="/api/v1", description=(
    "Measurement standards, test items and certification scopes of live, active facilities."))


@blp.route("/capabilities")
@error_responses(blp, paged=True)
@blp.arguments(arguments.CapabilityListArgs(), location="query")
@blp.response(200, schemas.CapabilityPage)
def list_capabilities(args):
    """Search capabilities

    Every keyword or standard number in `q` must match the capability (name, category,
    quantity, standards) or its facility's name or address. Facility filters (`district`,
    `facility_kind`, `ownership`, `near` …) apply to the capability's facility. Sorted in
    registry order; `total` and `facets` (capabilities per facility kind, district and
    discipline) cover every match."""
    require_scope("read")
    after = read_cursor("capabilities", args.get("cursor"), check=lambda p: isinstance(p, int))
    page = api_capability_page(db.session, query_from(args), today(), after_id=after, limit=args["limit"])
    next_cursor = make_cursor("capabilities", page.rows[-1]["id"]) if page.more else None
    return json_response(schemas.CapabilityPage, {
        "items": page.rows, "next_cursor": next_cursor, "total": page.total,
        "facets": page.facets},
        next_cursor=next_cursor)
