"""What the partner API reads: query-string schemas (webargs through flask-smorest).

A bad value is a 422 naming the parameter; the OpenAPI parameters are generated from
these. The search lists read views of the one search schema (SearchQuerySchema, with its
bounds); what passes becomes a SearchQuery through `query_from`, as on the pages.
"""
from marshmallow import Schema, fields, validate

from registry.services.search.query import API_SORTS, CAPABILITY_KIND, SearchQuerySchema

MAX_LIMIT = 200


class PageArgs(Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(1, MAX_LIMIT),
                           metadata={"description": f"Items per page, at most {MAX_LIMIT}."})
    cursor = fields.String(validate=validate.Length(max=1000),
                           metadata={"description": "`next_cursor` of the previous page (opaque)."})


class FacilitySearchArgs(SearchQuerySchema):
    """The search filters of the facility list and the GeoJSON (registry/services/search/query.py)."""

    class Meta:
        exclude = ("facility_kind", "facility_id", "bookable", "valid", "inactive", "sort", "page", "per_page")


class FacilityListArgs(FacilitySearchArgs, PageArgs):
    class Meta:
        exclude = ("facility_kind", "facility_id", "bookable", "valid", "inactive", "page", "per_page")

    sort = fields.String(load_default="relevance", validate=validate.OneOf(API_SORTS), metadata={
        "description": "relevance (facilities whose name matches first, then most matching capabilities), "
                       "or distance (needs near)."})


class CapabilityListArgs(SearchQuerySchema, PageArgs):
    """The search filters of the capability list; `kind` is the capability's, `facility_kind` its facility's."""

    class Meta:
        exclude = ("inactive", "sort", "page", "per_page")

    kind = fields.List(CAPABILITY_KIND, attribute="capability_kinds",
                       metadata={"description": "Capability kind(s)."})


class FacilityCapabilityArgs(CapabilityListArgs):
    class Meta:
        fields = ("limit", "cursor", "q", "kind")


class DistrictArgs(Schema):
    geometry = fields.Boolean(load_default=False, metadata={"description": "true: include the boundary."})


class ChangeArgs(Schema):
    since = fields.Integer(load_default=0, validate=validate.Range(0, 2**31 - 1), metadata={
        "description": "The id of the last change already applied; 0 (the default) starts from the beginning."})
    limit = fields.Integer(load_default=100, validate=validate.Range(1, MAX_LIMIT))
    cursor = fields.String(validate=validate.Length(max=1000))


