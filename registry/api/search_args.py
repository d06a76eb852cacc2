"""Validated API query arguments to the search service's SearchQuery.

The schemas (registry/api/schemas.py) have already refused bad values with a 422;
what is left goes through the web search's own parser, so that the API and the
pages search alike.
"""
from werkzeug.datastructures import MultiDict

from registry.services.search import SearchQuery, parse_search_args

_PASSED = ("q", "district", "ownership", "level", "shared", "accreditation", "discipline", "quantity",
           "value", "unit", "near", "radius_km", "bbox", "sort", "bookable", "valid")


def search_query(args: dict, facility_kinds=()) -> SearchQuery:
    raw = MultiDict()
    for name in _PASSED:
        value = args.get(name)
        if value is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            raw.add(name, ("true" if item else "") if isinstance(item, bool) else str(item))
    if args.get("standard"):
        raw["q"] = f"{raw.get('q', '')} {args['standard']}".strip()
    for kind in facility_kinds:
        raw.add("kind", kind)
    query, _messages = parse_search_args(raw)
    return query
