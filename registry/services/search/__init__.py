"""Find facilities by what they can do, where, and how close.

query.py     the one schema of every search parameter and its bound; SearchQuery; the pages' lenient reading
terms.py     keywords and standard numbers, matched against the distinct capability texts and facility text
matching.py  the one pipeline: capability conditions, facility filters, counts, facets (facility and capability search)
results.py   the search pages' sorted, paged hits with their best capabilities; the map's points
details.py   one facility and its capabilities
api_lists.py the partner API's keyset lists

A new filter is a field of SearchQuerySchema (and SearchQuery) and a condition in one function of
matching.py (capability_filter for capabilities, facility_rows for facilities).
"""
from registry.services.search.api_lists import ApiFacility, CapabilityPage, api_capability_page, api_facility_list
from registry.services.search.details import accreditation_marks, facility_capabilities, facility_detail
from registry.services.search.query import (
    MAX_QUERY_CHARS,
    Problem,
    SearchQuery,
    SearchQuerySchema,
    parse_search_args,
    query_from,
)
from registry.services.search.results import POINT_FIELDS, FacilityHit, SearchResult, facility_points, search_facilities

__all__ = [
    "accreditation_marks",
    "ApiFacility",
    "CapabilityPage",
    "FacilityHit",
    "MAX_QUERY_CHARS",
    "POINT_FIELDS",
    "Problem",
    "SearchQuery",
    "SearchQuerySchema",
    "SearchResult",
    "api_capability_page",
    "api_facility_list",
    "facility_capabilities",
    "facility_detail",
    "facility_points",
    "parse_search_args",
    "query_from",
    "search_facilities",
]
