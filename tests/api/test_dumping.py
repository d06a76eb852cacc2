"""The compiled dumpers give what marshmallow's own dump gives, for every API response schema."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from marshmallow import Schema, fields, post_dump

from registry.api import schemas
from registry.api.dumping import dumper

CAPABILITY = {
    "id": 7, "facility_id": "F0001", "capability_id": "C1", "kind": "test_item", "name": "导体直流电阻",
    "discipline": "电学", "category": None, "standards": "GB/T 3048.4-2007;JJG 1", "quantity": "电阻",
    "range_min": Decimal("0.5"), "range_max": 10, "unit": "Ω", "uncertainty": None, "certificate_no": None,
    "valid_until": date(2027, 1, 2), "price_cny": Decimal("120.50"), "price_on_request": False,
    "lead_time_days": 3, "bookable": True, "daily_capacity": None, "demo": True,
    "updated_at": datetime(2026, 5, 1, 8, 30), "expired": False, "object": "电线", "parameter": None,
    "methods": [{"standard": "GB/T 3048.4-2007", "title": None, "clause": "5.2"}],
    "limitation": {"kind": "only", "text": "仅做铜芯"}, "remarks": None, "status": "active", "service": None,
    "ranges": [{"min": 0.5, "max": None, "unit": "Ω", "uncertainty": {
        "kind": "relative", "value": Decimal("0.1"), "unit": "%", "k": 2, "text": None}}, {"min": 1}],
    "not_a_field": "left out",
}
FACETS = {"facility_kind": {"testing": 3}, "district": {"330106": 2, "330108": 1}, "discipline": {"电学": 3}}
DETAIL = {
    "facility_id": "F0001", "name": "某检测院", "name_en": None, "kind": "testing", "ownership": "state",
    "level": None, "uscc": "91330100", "org_name": None, "district_code": "330106", "address": "文三路",
    "lon": Decimal("120.1"), "lat": 30, "phone": None, "email": None, "website": None, "shared": True,
    "fields": ["电学"], "status": "active", "demo": False, "version": 2,
    "created_at": datetime(2026, 1, 1, tzinfo=timezone.utc), "updated_at": datetime(2026, 2, 1),
    "accreditations": [{"scheme": "CMA", "number": "1", "valid_until": None, "valid": True}],
    "active": True, "capability_counts": {"test_item": 3}, "capability_total": 3, "bookable": False,
    "public_standards": 0, "standardisation_kind": None, "metrology_authorisation": None,
}


@pytest.mark.parametrize("schema_class, data", [
    (schemas.CapabilityPage, {"items": [CAPABILITY, {**CAPABILITY, "standards": None, "ranges": []}],
                              "next_cursor": None, "total": 2, "facets": FACETS}),
    (schemas.FacilityCapabilityPage, {"items": [CAPABILITY], "next_cursor": "abc", "total": 1}),
    (schemas.FacilityDetail, DETAIL),
    (schemas.FacilityPage, {"items": [{**DETAIL, "matched_capabilities": 3, "distance_km": None}],
                            "next_cursor": None, "total": 1, "facets": {"kind": {"testing": 1}}}),
])
def test_compiled_dump_is_marshmallows_dump(schema_class, data):
    assert dumper(schema_class)(data) == schema_class().dump(data)
    assert list(dumper(schema_class)(data)) == list(schema_class().dump(data))  # same key order


def test_a_schema_with_a_dump_hook_is_dumped_by_marshmallow():
    class Hooked(Schema):
        a = fields.Integer()

        @post_dump
        def double(self, data, **kwargs):
            return {"a": data["a"] * 2}

    assert dumper(Hooked)({"a": 2}) == {"a": 4}


class _Shapes(Schema):
    """Every path the generated dumper writes out: a renamed key, a key read from another attribute, a
    default for an absent key, a number to convert, a string to convert, a dotted path, a nested list."""
    ident = fields.Integer(data_key="id")
    label = fields.String(attribute="name")
    count = fields.Integer(dump_default=0)
    share = fields.Float()
    code = fields.String()
    city = fields.String(attribute="where.city")
    flags = fields.List(fields.Boolean())
    pairs = fields.Nested(schemas.Facets)


@pytest.mark.parametrize("data", [
    {"ident": 3, "name": "甲", "share": 1, "code": 42, "where": {"city": "杭州"}, "flags": [True]},
    {"ident": True, "name": None, "count": 5, "share": Decimal("0.5"), "code": None, "where": {},
     "pairs": {"kind": {"testing": 1}}},
    {},
])
def test_generated_dumper_matches_marshmallow_on_every_field_path(data):
    assert dumper(_Shapes)(data) == _Shapes().dump(data)
    assert list(dumper(_Shapes)(data)) == list(_Shapes().dump(data))


def test_objects_that_are_not_dicts_are_dumped_by_attribute():
    from types import SimpleNamespace
    detail = SimpleNamespace(**DETAIL)
    assert dumper(schemas.FacilityDetail)(detail) == schemas.FacilityDetail().dump(detail)
