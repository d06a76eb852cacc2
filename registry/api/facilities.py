"""Facilities: search with every filter of the web search, one facility, its capabilities, and GeoJSON."""
from bisect import bisect_right
from operator import attrgetter

from flask import Response
from flask_smorest import Blueprint
from werkzeug.exceptions import NotFound

from registry.api import arguments, schemas
from registry.api.access import require_scope
from registry.api.conventions import error_responses, json_response, make_cursor, read_cursor
from registry.clock import today
from registry.extensions import db
from registry.schemas.fields import ExternalId
from registry.services.records.scope_import import scope_workbook
from registry.services.search import (
    POINT_FIELDS,
    api_capability_page,
    api_facility_list,
    facility_detail,
    query_from,
)

blp = Blueprint("api_facilities", __name__, url_prefix="/api/v1", description=(
    "Metrology institutes, testing labs and certification bodies. Lists are sorted by relevance "
    "(or distance) and paged with `cursor`; only active facilities unless `status` says otherwise."))


FACILITY_ID = ExternalId.PATTERN  # the interchange format's rule (DATA_FORMAT.md)


def _known_id(facility_id: str) -> str:
    """Anything that cannot be a facility id is not found (and never reaches SQL)."""
    if not FACILITY_ID.fullmatch(facility_id):
        raise NotFound("No facility with this id.")
    return facility_id




@blp.route("/facilities")
@error_responses(blp, paged=True)
@blp.arguments(arguments.FacilityListArgs(), location="query")
@blp.response(200, schemas.FacilityPage)
def list_facilities(args):
    """Search facilities

    Keywords and standard numbers in `q` match a facility's name and address or any of its
    capabilities; the capability filters (`discipline`, `quantity`, `value` + `unit`) keep
    facilities with at least one matching capability. `facets` count facilities per kind,
    district and discipline (each ignoring its own filter)."""
    require_scope("read")
    found, facets = api_facility_list(db.session, query_from(args), today())
    sort = args["sort"]
    position = read_cursor("facilities", args.get("cursor"),
                           check=lambda p: isinstance(p, dict) and p.get("s") == sort and isinstance(p.get("k"), list))
    start = bisect_right(found, position["k"], key=lambda f: f.key) if position else 0
    shown = found[start:start + args["limit"]]
    more = start + args["limit"] < len(found)
    next_cursor = make_cursor("facilities", {"s": sort, "k": shown[-1].key}) if more and shown else None
    items = [{**f.row._mapping, "matched_capabilities": f.matched, "distance_km": f.distance_km} for f in shown]
    return json_response(schemas.FacilityPage, {
        "items": items, "next_cursor": next_cursor, "total": len(found), "facets": facets}, next_cursor=next_cursor)


@blp.route("/facilities.geojson")
@error_responses(blp)
@blp.arguments(arguments.FacilitySearchArgs(), location="query")
@blp.response(200, schemas.FeatureCollection, content_type="application/geo+json")
def facilities_geojson(args):
    """Located facilities as GeoJSON

    A FeatureCollection of points (WGS-84) for every matching facility that has a location,
    with the same filters as the list; no paging."""
    require_scope("read")
    found, _facets = api_facility_list(db.session, query_from(args), today(), facets=False)
    names = [k for k in POINT_FIELDS if k not in ("lon", "lat")]
    properties = attrgetter(*names)
    features = [{"type": "Feature", "id": f.row.facility_id,
                 "geometry": {"type": "Point", "coordinates": [f.row.lon, f.row.lat]},
                 "properties": dict(zip(names, properties(f.row)))}
                for f in found if f.row.lon is not None]
    return json_response(None, {"type": "FeatureCollection", "features": features},
                         mimetype="application/geo+json")


@blp.route("/facilities/<string:facility_id>")
@error_responses(blp)
@blp.response(200, schemas.FacilityDetail)
@blp.alt_response(404, schema=schemas.ErrorSchema, description="No live facility with that id.")
def get_facility(facility_id):
    """One facility

    Everything the registry holds about a live facility: contacts, accreditations with their
    validity, and its capabilities counted by kind."""
    require_scope("read")
    detail = facility_detail(db.session, _known_id(facility_id), today())
    if detail is None:
        raise NotFound("No facility with this id.")
    return json_response(schemas.FacilityDetail, detail)


@blp.route("/facilities/<string:facility_id>/capabilities")
@error_responses(blp, paged=True)
@blp.arguments(arguments.FacilityCapabilityArgs(), location="query")
@blp.response(200, schemas.FacilityCapabilityPage)
@blp.alt_response(404, schema=schemas.ErrorSchema, description="No live facility with that id.")
def facility_capabilities(args, facility_id):
    """A facility's capabilities

    Its live capabilities in registry order, optionally narrowed by keywords or standard
    numbers (`q`) and kind."""
    require_scope("read")
    if facility_detail(db.session, _known_id(facility_id), today()) is None:
        raise NotFound("No facility with this id.")
    query = query_from({**args, "facility_ids": [facility_id], "include_inactive": True})
    after = read_cursor("facility-capabilities", args.get("cursor"),
                        check=lambda p: isinstance(p, list) and len(p) == 2 and p[0] == facility_id
                        and isinstance(p[1], int))
    page = api_capability_page(db.session, query, today(), after_id=after[1] if after else None,
                               limit=args["limit"], facility_text=False)
    next_cursor = (make_cursor("facility-capabilities", [facility_id, page.rows[-1]["id"]])
                   if page.more else None)
    return json_response(schemas.FacilityCapabilityPage, {
        "items": page.rows, "next_cursor": next_cursor, "total": page.total},
        next_cursor=next_cursor)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.route("/facilities/<string:facility_id>/scope.xlsx")
@error_responses(blp)
@blp.response(200, content_type=XLSX, description="The scope as an XLSX workbook in its published layouts.")
@blp.alt_response(404, schema=schemas.ErrorSchema, description="No live facility with that id.")
def facility_scope_workbook(facility_id):
    """A facility's scope as published

    The items imported from its CNAS, CMA or measurement-standard scope files, written back in
    those layouts (merged cells, two-row headers), so that a lab can check what the registry holds;
    the table's header alone when it holds none."""
    require_scope("read")
    if facility_detail(db.session, _known_id(facility_id), today()) is None:
        raise NotFound("No facility with this id.")
    body = scope_workbook(db.session, facility_id)
    response = Response(body, mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="{facility_id}-scope.xlsx"'
    return response

