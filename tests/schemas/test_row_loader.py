"""RowLoader: what schema.load returns and raises, row for row, without marshmallow's machinery per row."""
from pathlib import Path

import pytest
from flask import current_app
from flask_babel import force_locale
from marshmallow import Schema, ValidationError, pre_load

from registry.schemas.interchange import CapabilityRowSchema, FacilityRowSchema
from registry.schemas.row_loader import RowLoader
from registry.services.districts import district_locator
from registry.services.records.tables import open_tables
from tests.factories import capability, facility

DEMO = Path(__file__).resolve().parents[2] / "seeds" / "demo"


def demo_rows(name: str) -> list[dict]:
    tables, _warnings = open_tables([DEMO / f"{name}.csv"])
    return [raw for _number, raw in tables[name].rows]


def facility_schema():
    return FacilityRowSchema(district_locator(current_app.config["DISTRICTS_GEOJSON"]))


def outcome(load, raw):
    """The record, or the messages (rendered in English) of the ValidationError."""
    try:
        return "loaded", load(raw)
    except ValidationError as error:
        with force_locale("en"):
            return "refused", {column: [str(m) for m in messages] for column, messages in error.messages.items()}


def test_every_demo_capability_row_loads_to_the_schemas_record(session):
    rows = demo_rows("capabilities")
    schema, loader = CapabilityRowSchema(), RowLoader(CapabilityRowSchema())
    assert loader.fields is not None  # the fast plan, not schema.load every time
    assert [loader.load(raw) for raw in rows] == [schema.load(raw) for raw in rows]


def test_every_demo_facility_row_loads_to_the_schemas_record(session):
    rows = demo_rows("facilities")
    schema, loader = facility_schema(), RowLoader(facility_schema())
    assert loader.fields is not None
    assert [loader.load(raw) for raw in rows] == [schema.load(raw) for raw in rows]


def test_a_valid_row_is_loaded_without_schema_load(session, monkeypatch):
    loader = RowLoader(CapabilityRowSchema())
    monkeypatch.setattr(loader.schema, "load", lambda raw: pytest.fail("schema.load called for a valid row"))
    record = loader.load({**capability(1, 1), "price_cny": "面议"})
    assert record["price_on_request"] is True and record["price_cny"] is None  # post_load ran


INVALID_CAPABILITIES = [
    {"capability_id": "C1", "kind": "testing", "name": "x"},  # required facility_id absent
    capability(1, 1, kind="nonsense"),  # a field's rule
    capability(1, 1, range_min="10", range_max="1", unit="MPa"),  # a rule across cells (validates_schema)
    capability(1, 1, range_min="1"),  # range without a unit
    capability(1, 1, kind="measurement_standard"),  # discipline required
    capability(1, 1, bookable="yes"),  # capacity required
    capability(1, 1, price_cny="12.345", lead_time_days="1.5", valid_until="tomorrow"),  # several at once
    capability(1, 1, name="a\x00b"),
]


@pytest.mark.parametrize("raw", INVALID_CAPABILITIES)
def test_an_invalid_capability_row_is_refused_with_the_schemas_messages(session, raw):
    refused = outcome(CapabilityRowSchema().load, raw)
    assert refused[0] == "refused"
    assert outcome(RowLoader(CapabilityRowSchema()).load, raw) == refused


@pytest.mark.parametrize("overrides", [{"lat": ""}, {"kind": "?"}, {"uscc": "123"}, {"facility_id": ""},
                                       {"lon": "100", "lat": "30"}, {"cma_valid_until": "2030-01-01"}])
def test_an_invalid_facility_row_is_refused_with_the_schemas_messages(session, overrides):
    raw = {key: value for key, value in {**facility(1), **overrides}.items() if value != ""}
    refused = outcome(facility_schema().load, raw)
    assert refused[0] == "refused"
    assert outcome(RowLoader(facility_schema()).load, raw) == refused


def test_a_schema_with_hooks_the_plan_does_not_follow_is_loaded_by_marshmallow(session):
    class Upper(Schema):
        name = CapabilityRowSchema._declared_fields["name"].__class__(50)

        @pre_load
        def upper(self, data, **kwargs):
            return {key: value.upper() for key, value in data.items()}

    loader = RowLoader(Upper())
    assert loader.fields is None
    assert loader.load({"name": "abc"}) == {"name": "ABC"}
