"""What the partner API reads: query-string schemas (webargs through flask-smorest).

A bad value is a 422 naming the parameter; the OpenAPI parameters are generated from
these. Values that pass go to the search service's own parser (registry/api/search_args.py).
"""
from datetime import timezone

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from registry import units
from registry.schemas.fields import ExternalId
from registry.vocabulary import (
    ACCREDITATION_SCHEMES,
    CAPABILITY_KINDS,
    DISCIPLINES,
    DISTRICTS,
    FACILITY_KINDS,
    LEVELS,
    OWNERSHIPS,
    STATUSES,
)

MAX_LIMIT = 200


def _one_of(values):
    return validate.OneOf(list(values))


class PageArgs(Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(1, MAX_LIMIT),
                           metadata={"description": f"Items per page, at most {MAX_LIMIT}."})
    cursor = fields.String(validate=validate.Length(max=1000),
                           metadata={"description": "`next_cursor` of the previous page (opaque)."})


def _point(text: str) -> None:
    parts = text.split(",")
    try:
        lon, lat = (float(p) for p in parts)
    except ValueError:
        raise ValidationError("Not a point: give longitude,latitude in decimal degrees.") from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError("Longitude must lie in [-180, 180] and latitude in [-90, 90].")


def _bbox(text: str) -> None:
    try:
        minlon, minlat, maxlon, maxlat = (float(p) for p in text.split(","))
    except ValueError:
        raise ValidationError("Not a box: give minlon,minlat,maxlon,maxlat.") from None
    if not all(abs(v) <= 180 for v in (minlon, maxlon)) or not all(abs(v) <= 90 for v in (minlat, maxlat)):
        raise ValidationError("Coordinates out of range.")
    if minlon > maxlon or minlat > maxlat:
        raise ValidationError("The minimum corner must come first.")


def _unit(text: str) -> None:
    try:
        units.parse_unit(text)
    except Exception:
        raise ValidationError("Not a unit that can be read (examples: MPa, kPa, ℃, mm, kN, Ω, Hz, dB).") from None


class SearchArgs(Schema):
    """The search filters shared by facilities, capabilities and the GeoJSON."""

    q = fields.String(validate=validate.Length(max=200), metadata={
        "description": "Keywords (Chinese substrings work) and standard numbers (`GB/T3048.4`), all must match."})
    standard = fields.String(validate=validate.Length(max=100),
                             metadata={"description": "A standard number, however spaced."})
    district = fields.List(fields.String(validate=_one_of(DISTRICTS)),
                           metadata={"description": "District code(s); repeat the parameter for several."})
    ownership = fields.String(validate=_one_of(OWNERSHIPS))
    level = fields.List(fields.String(validate=_one_of(LEVELS)))
    shared = fields.Boolean(metadata={"description": "true: only facilities offering shared services."})
    accreditation = fields.List(fields.String(validate=_one_of(ACCREDITATION_SCHEMES)),
                                metadata={"description": "Holds a currently valid accreditation of the scheme."})
    discipline = fields.List(fields.String(validate=_one_of(DISCIPLINES)))
    quantity = fields.String(validate=validate.Length(max=100),
                             metadata={"description": "Measured quantity, e.g. 压力."})
    value = fields.Float(allow_nan=False, validate=validate.Range(-1e15, 1e15),
                         metadata={"description": "A value that the capability's range must cover (needs unit)."})
    unit = fields.String(validate=[validate.Length(max=30), _unit])
    near = fields.String(validate=[validate.Length(max=60), _point],
                         metadata={"description": "longitude,latitude (WGS-84)."})
    radius_km = fields.Float(allow_nan=False, validate=validate.Range(0, 500, min_inclusive=False),
                             metadata={"description": "With near: at most this far (km)."})
    bbox = fields.String(validate=[validate.Length(max=120), _bbox],
                         metadata={"description": "minlon,minlat,maxlon,maxlat (WGS-84)."})
    status = fields.List(fields.String(validate=_one_of(STATUSES)), metadata={
        "description": "Facility status; by default only active facilities (suspended, revoked and closed "
                       "ones are left out)."})
    updated_since = fields.AwareDateTime(default_timezone=timezone.utc, metadata={
        "description": "Only records written at or after this time (ISO 8601; UTC if no offset)."})

    @validates_schema
    def _pairs(self, data, **kwargs):
        if "value" in data and "unit" not in data:
            raise ValidationError("A value needs a unit.", "unit")
        if "unit" in data and "value" not in data:
            raise ValidationError("A unit needs a value.", "value")
        if "radius_km" in data and "near" not in data:
            raise ValidationError("A radius needs a point (near).", "near")


class FacilitySearchArgs(SearchArgs):
    kind = fields.List(fields.String(validate=_one_of(FACILITY_KINDS)), metadata={"description": "Facility kind(s)."})


class FacilityListArgs(FacilitySearchArgs, PageArgs):
    sort = fields.String(load_default="relevance", validate=_one_of(("relevance", "distance")), metadata={
        "description": "relevance (facilities whose name matches first, then most matching capabilities), "
                       "or distance (needs near)."})

    @validates_schema
    def _sort(self, data, **kwargs):
        if data.get("sort") == "distance" and "near" not in data:
            raise ValidationError("Sorting by distance needs a point (near).", "sort")


class CapabilityListArgs(SearchArgs, PageArgs):
    kind = fields.List(fields.String(validate=_one_of(CAPABILITY_KINDS)),
                       metadata={"description": "Capability kind(s)."})
    facility_kind = fields.List(fields.String(validate=_one_of(FACILITY_KINDS)))
    facility_id = fields.List(fields.String(validate=validate.Regexp(rf"^{ExternalId.PATTERN.pattern}$")))
    bookable = fields.Boolean(metadata={"description": "true: only capabilities that can be booked."})
    valid = fields.Boolean(metadata={"description": "true: leave out capabilities whose certificate expired."})


class FacilityCapabilityArgs(PageArgs):
    q = fields.String(validate=validate.Length(max=200))
    kind = fields.List(fields.String(validate=_one_of(CAPABILITY_KINDS)))


class DistrictArgs(Schema):
    geometry = fields.Boolean(load_default=False, metadata={"description": "true: include the boundary."})


class ChangeArgs(Schema):
    since = fields.Integer(load_default=0, validate=validate.Range(0, 2**31 - 1), metadata={
        "description": "The id of the last change already applied; 0 (the default) starts from the beginning."})
    limit = fields.Integer(load_default=100, validate=validate.Range(1, MAX_LIMIT))
    cursor = fields.String(validate=validate.Length(max=1000))


