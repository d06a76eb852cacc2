"""What the partner API reads and writes, as marshmallow schemas.

The response schemas here (query strings: registry/api/arguments.py) dump
answers and generate the OpenAPI description through flask-smorest: the
committed spec (docs/openapi.json) is made from them. Field names are English,
coordinates WGS-84, times ISO 8601 in UTC with the offset written out.
"""
from datetime import timezone

from marshmallow import Schema, fields, validate


class UtcDateTime(fields.DateTime):
    """Always with an offset: SQLite hands back naive UTC times, PostgreSQL aware ones."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        value = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
        if self.format in (None, "iso", "iso8601"):  # the parent's answer without its lookups (on every row)
            return value.isoformat()
        return super()._serialize(value, attr, obj, **kwargs)


class SplitList(fields.List):
    """A ';'-separated stored text (standards, key fields) as a JSON list."""

    def __init__(self, **kwargs):
        super().__init__(fields.String(), **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, str):
            value = [part for part in value.split(";") if part]
        return super()._serialize(value or [], attr, obj, **kwargs)


def _one_of(values):
    return validate.OneOf(list(values))


# --- responses ------------------------------------------------------------------

class ErrorDetail(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    problems = fields.Dict(required=True, attribute="fields", data_key="fields",
                           metadata={"description": "Problems per parameter, when there are any."})
    request_id = fields.String(allow_none=True, metadata={
        "description": "This request's id, also in the X-Request-ID header: quote it when reporting a problem."})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetail, required=True)


class Facets(Schema):
    facility_kind = fields.Dict(keys=fields.String(), values=fields.Integer())
    kind = fields.Dict(keys=fields.String(), values=fields.Integer())
    district = fields.Dict(keys=fields.String(), values=fields.Integer())
    discipline = fields.Dict(keys=fields.String(), values=fields.Integer())


class FacilityFields(Schema):
    """A facility's own fields, as every list of facilities carries them."""

    facility_id = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(allow_none=True)
    kind = fields.String(required=True)
    ownership = fields.String(required=True)
    level = fields.String(allow_none=True)
    district_code = fields.String(required=True)
    address = fields.String(allow_none=True)
    lon = fields.Float(allow_none=True)
    lat = fields.Float(allow_none=True)
    shared = fields.Boolean(required=True)
    status = fields.String(required=True)
    demo = fields.Boolean(required=True, metadata={"description": "Invented demonstration record."})


class FacilitySummary(FacilityFields):
    matched_capabilities = fields.Integer(required=True, metadata={
        "description": "Capabilities matching the capability filters (all live ones when there are none)."})
    distance_km = fields.Float(allow_none=True, metadata={"description": "From `near`, when given."})


class Page(Schema):
    next_cursor = fields.String(allow_none=True, required=True,
                                metadata={"description": "Pass as `cursor` for the next page; null on the last."})
    total = fields.Integer(required=True)


class FacilityPage(Page):
    items = fields.List(fields.Nested(FacilitySummary), required=True)
    facets = fields.Nested(Facets, required=True)


class Accreditation(Schema):
    scheme = fields.String(required=True)
    number = fields.String(required=True)
    valid_until = fields.Date(allow_none=True)


class FacilityRecord(Schema):
    """A facility as stored: what the change feed carries."""

    facility_id = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(allow_none=True)
    kind = fields.String(required=True)
    ownership = fields.String(required=True)
    level = fields.String(allow_none=True)
    uscc = fields.String(required=True)
    org_name = fields.String(allow_none=True)
    district_code = fields.String(required=True)
    address = fields.String(allow_none=True)
    lon = fields.Float(allow_none=True)
    lat = fields.Float(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    website = fields.String(allow_none=True)
    shared = fields.Boolean(required=True)
    key_fields = SplitList(required=True, attribute="fields", data_key="fields",
                           metadata={"description": "Key industrial fields."})
    status = fields.String(required=True)
    accreditations = fields.List(fields.Nested(Accreditation), required=True)
    demo = fields.Boolean(required=True)
    version = fields.Integer(required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class DetailAccreditation(Accreditation):
    valid = fields.Boolean(required=True, metadata={"description": "Not expired today (Asia/Shanghai)."})


class FacilityDetail(FacilityRecord):
    accreditations = fields.List(fields.Nested(DetailAccreditation), required=True)
    active = fields.Boolean(required=True, metadata={"description": "Status is active."})
    capability_counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                                    metadata={"description": "Live capabilities per kind."})
    capability_total = fields.Integer(required=True)
    bookable = fields.Boolean(required=True, metadata={"description": "Has at least one bookable capability."})
    public_standards = fields.Integer(metadata={"description": "Live 社会公用计量标准 (public measurement standards)."})
    standardisation_kind = fields.String(allow_none=True, validate=_one_of(("technical", "service")), metadata={
        "description": "标准化技术机构 (technical) or 标准化服务机构 (service); null when not one."})
    metrology_authorisation = fields.String(allow_none=True, metadata={"description": "计量授权, as granted."})


class CapabilityRecord(Schema):
    facility_id = fields.String(required=True)
    capability_id = fields.String(required=True)
    kind = fields.String(required=True)
    name = fields.String(required=True)
    discipline = fields.String(allow_none=True)
    category = fields.String(allow_none=True)
    standards = SplitList(required=True)
    quantity = fields.String(allow_none=True)
    range_min = fields.Float(allow_none=True)
    range_max = fields.Float(allow_none=True)
    unit = fields.String(allow_none=True)
    uncertainty = fields.String(allow_none=True)
    certificate_no = fields.String(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    price_cny = fields.Float(allow_none=True, metadata={"description": "Reference price, yuan; null when there is "
                                                                       "none or it is on request."})
    price_on_request = fields.Boolean(metadata={"description": "面议: the price is agreed on request (price_cny "
                                                               "is then null)."})
    lead_time_days = fields.Integer(allow_none=True)
    bookable = fields.Boolean(required=True)
    daily_capacity = fields.Integer(allow_none=True)
    demo = fields.Boolean(required=True)
    updated_at = UtcDateTime(required=True)


class Method(Schema):
    standard = fields.String(allow_none=True, metadata={"description": "Normalised number; null for a non-standard "
                                                                       "method (作业指导书 …), whose text is `title`."})
    title = fields.String(allow_none=True)
    clause = fields.String(allow_none=True, metadata={"description": "Clause or method note: 第一法, 5.2条."})


class Limitation(Schema):
    kind = fields.String(required=True, validate=_one_of(("only", "except", "other")))
    text = fields.String(required=True, metadata={"description": "限制范围 as published."})


class Uncertainty(Schema):
    kind = fields.String(required=True, validate=_one_of(("absolute", "relative", "class", "mpe", "formula", "text")))
    value = fields.Float(allow_none=True)
    unit = fields.String(allow_none=True)
    k = fields.Float(allow_none=True, metadata={"description": "Coverage factor."})
    text = fields.String(allow_none=True, metadata={"description": "As published (formulas kept verbatim)."})


class RangeSegment(Schema):
    min = fields.Float(allow_none=True)
    max = fields.Float(allow_none=True)
    unit = fields.String(allow_none=True)
    uncertainty = fields.Nested(Uncertainty, allow_none=True)


class Capability(CapabilityRecord):
    expired = fields.Boolean(required=True, metadata={"description": "valid_until is past (Asia/Shanghai)."})
    object = fields.String(allow_none=True, metadata={"description": "检测对象 / 测量仪器 / 类别 of a scope."})
    parameter = fields.String(allow_none=True, metadata={"description": "项目/参数 or 被测量."})
    methods = fields.List(fields.Nested(Method), metadata={
        "description": "Methods in order; for a record without them, its standard numbers."})
    limitation = fields.Nested(Limitation, allow_none=True)
    remarks = fields.String(allow_none=True, metadata={"description": "说明 as published."})
    status = fields.String(validate=_one_of(("active", "suspended")), metadata={
        "description": "suspended: the scope says 暂停."})
    service = fields.String(allow_none=True, validate=_one_of(
        ("verification", "calibration", "testing", "inspection", "certification")))
    ranges = fields.List(fields.Nested(RangeSegment), metadata={
        "description": "Every range segment with its own uncertainty; for a record without them, its one range."})


class CapabilityPage(Page):
    items = fields.List(fields.Nested(Capability), required=True)
    facets = fields.Nested(Facets, required=True)


class FacilityCapabilityPage(Page):
    items = fields.List(fields.Nested(Capability), required=True)


class ChangeRecordCapability(CapabilityRecord):
    version = fields.Integer(required=True)
    created_at = UtcDateTime(required=True)


class Change(Schema):
    id = fields.Integer(required=True)
    at = UtcDateTime(required=True)
    change_set_id = fields.Integer(required=True)
    entity = fields.String(required=True, validate=_one_of(("facility", "capability")))
    action = fields.String(required=True, validate=_one_of(("create", "update", "delete")))
    facility_id = fields.String(required=True)
    capability_id = fields.String(allow_none=True)
    facility = fields.Nested(FacilityRecord, allow_none=True, metadata={
        "description": "The facility as it is now (entity facility); null when it is deleted now."})
    capability = fields.Nested(ChangeRecordCapability, allow_none=True, metadata={
        "description": "The capability as it is now (entity capability); null when it is deleted now."})


class ChangePage(Page):
    items = fields.List(fields.Nested(Change), required=True)
    last_id = fields.Integer(required=True, metadata={
        "description": "The id to pass as `since` next time (the last change listed, or `since` if none)."})


class District(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True)
    population = fields.Integer(allow_none=True, metadata={"description": "2020 census."})
    area_km2 = fields.Float(allow_none=True)
    facilities = fields.Integer(required=True, metadata={"description": "Live, active facilities."})
    capabilities = fields.Integer(required=True, metadata={"description": "Their live capabilities."})
    figures = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True), required=True, metadata={
        "description": "Every figure of the audit table (kinds, ownership, levels, shared share, capabilities by "
                       "kind, disciplines, densities per 100,000 residents and per 100 km², certificates, "
                       "bookings); definitions in `GET /api/v1/audit`."})
    geometry = fields.Dict(allow_none=True, metadata={"description": "GeoJSON boundary (with geometry=true)."})


class DistrictPage(Page):
    items = fields.List(fields.Nested(District), required=True)


class PointGeometry(Schema):
    type = fields.String(required=True, validate=validate.Equal("Point"))
    coordinates = fields.List(fields.Float(), required=True, validate=validate.Length(2, 2))


class FacilityPointProperties(Schema):
    facility_id = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(allow_none=True)
    kind = fields.String(required=True)
    ownership = fields.String(required=True)
    shared = fields.Boolean(required=True)
    district_code = fields.String(required=True)
    demo = fields.Boolean(required=True)


class Feature(Schema):
    type = fields.String(required=True, validate=validate.Equal("Feature"))
    id = fields.String(required=True)
    geometry = fields.Nested(PointGeometry, required=True)
    properties = fields.Nested(FacilityPointProperties, required=True)


class FeatureCollection(Schema):
    type = fields.String(required=True, validate=validate.Equal("FeatureCollection"))
    features = fields.List(fields.Nested(Feature), required=True)
