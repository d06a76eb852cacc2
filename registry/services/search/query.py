"""What a search asks: one schema reads it for the pages, the map and the API.

`SearchQuerySchema` holds every search parameter with its bound (text lengths, term count,
radius, paging, sorts, the vocabularies, ranges and units). The API loads it strictly through
flask-smorest (a bad value is a 422 naming the field, registry/api/arguments.py); the pages
load the same schema through `parse_search_args`, which leaves each refused value out and keeps
the field's message to show beside it. Either way `query_from` turns what passed into one
`SearchQuery`, the only thing the matching pipeline reads.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import datetime, timezone

from flask_babel import get_locale, gettext
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from registry import units
from registry.schemas.fields import ExternalId
from registry.services.search import forgiving
from registry.vocabulary import (
    ACCREDITATION_SCHEMES,
    CAPABILITY_KINDS,
    DISCIPLINES,
    FACILITY_KINDS,
    LEVELS,
    OWNERSHIPS,
    SERVICE_MODES,
    STATUSES,
    discipline_aliases,
    district_aliases,
)

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
MAX_PER_PAGE = 100
MAX_PAGE = 10_000
MAX_RADIUS_KM = 500.0
MAX_VALUE = 1e15
MAX_LEAD_TIME_DAYS = 36_500  # a filter's bound (the data's own is the interchange schema's)
SORTS = ("relevance", "distance", "fee", "lead_time")
API_SORTS = ("relevance", "distance")  # the API's keyset pages need a stable key: no fee or lead time
INACTIVE = ("suspended", "revoked", "closed")


@dataclass(frozen=True)
class SearchQuery:
    """A validated search (hashable: equal searches share cached answers)."""

    q: str = ""
    quantity: str = ""
    value: float | None = None
    unit: str = ""
    kinds: tuple[str, ...] = ()  # facility kinds
    districts: tuple[str, ...] = ()
    ownership: str | None = None
    levels: tuple[str, ...] = ()
    shared: bool = False
    accreditations: tuple[str, ...] = ()
    disciplines: tuple[str, ...] = ()
    bookable: bool = False
    valid_only: bool = False
    near: tuple[float, float] | None = None
    radius_km: float | None = None
    bbox: tuple[float, float, float, float] | None = None
    include_inactive: bool = False
    statuses: tuple[str, ...] = ()  # only these facility statuses (inactive ones included by name)
    updated_since: datetime | None = None  # records written at or after (facilities or capabilities listed)
    capability_kinds: tuple[str, ...] = ()
    facility_ids: tuple[str, ...] = ()
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    lead_time_max: int | None = None  # capabilities done within this many days
    services: tuple[str, ...] = ()  # capabilities served this way (vocabulary.SERVICE_MODES: 检定, 校准, …)
    public_standard: bool = False  # only 社会公用计量标准


# --- fields: text as people type it -------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(value: str) -> str:
    """NFKC (full-width letters and digits), control characters removed, trimmed."""
    return _CONTROL.sub("", unicodedata.normalize("NFKC", value)).strip()


class Text(fields.String):
    """Cleaned text of at most `max_length` characters (the OpenAPI spec shows the bound)."""

    def __init__(self, max_length: int, **kwargs):
        self.max_length = max_length
        kwargs["metadata"] = {**kwargs.get("metadata", {}), "maxLength": max_length}
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = clean(super()._deserialize(value, attr, data, **kwargs))
        if len(text) > self.max_length:
            raise ValidationError(f"Longer than maximum length {self.max_length}.")
        return self.parse(text)

    def parse(self, text: str):
        return text


class Point(Text):
    def parse(self, text: str) -> tuple[float, float]:
        try:
            lon, lat = (float(p) for p in text.split(","))
        except ValueError:
            raise ValidationError("Not a point: give longitude,latitude in decimal degrees.") from None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):  # NaN fails too
            raise ValidationError("Longitude must lie in [-180, 180] and latitude in [-90, 90].")
        return lon, lat


class Box(Text):
    def parse(self, text: str) -> tuple[float, float, float, float]:
        try:
            minlon, minlat, maxlon, maxlat = (float(p) for p in text.split(","))
        except ValueError:
            raise ValidationError("Not a box: give minlon,minlat,maxlon,maxlat.") from None
        if not all(abs(v) <= 180 for v in (minlon, maxlon)) or not all(abs(v) <= 90 for v in (minlat, maxlat)):
            raise ValidationError("Coordinates out of range.")
        if minlon > maxlon or minlat > maxlat:
            raise ValidationError(CORNERS)
        return minlon, minlat, maxlon, maxlat


CORNERS = "The minimum corner must come first."


class Unit(Text):
    def parse(self, text: str) -> str:
        try:
            return units.parse_typed_unit(text)
        except Exception:
            raise ValidationError("Not a unit that can be read (examples: MPa, kPa, ℃, mm, kN, Ω, Hz, dB).") from None


class Choice(fields.String):
    """A key of a vocabulary, also given as one of its names (case-insensitive); OneOf keeps the spec's enum."""

    def __init__(self, keys, aliases: Mapping | None = None, **kwargs):
        self.keys = list(keys)
        self.names = {name.lower(): key for key, names in (aliases or {}).items() for name in names}
        super().__init__(validate=validate.OneOf(self.keys), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = clean(super()._deserialize(value, attr, data, **kwargs))
        key = text.lower()
        return key if key in self.keys else self.names.get(key, text)


def _choices(keys, aliases=None, **kwargs) -> fields.List:
    return fields.List(Choice(keys, aliases), **kwargs)


# --- the schema ----------------------------------------------------------------------------------

class SearchQuerySchema(Schema):
    """Every search parameter of the pages, the map and the API, with its bound."""

    q = Text(MAX_QUERY_CHARS, metadata={
        "description": "Keywords (Chinese substrings work) and standard numbers (`GB/T3048.4`), all must match."})
    standard = Text(100, metadata={"description": "A standard number, however spaced."})
    district = _choices(district_aliases(), district_aliases(), attribute="districts",
                        metadata={"description": "District code(s); repeat the parameter for several."})
    ownership = Choice(OWNERSHIPS, OWNERSHIPS)
    level = _choices(LEVELS, LEVELS, attribute="levels")
    shared = fields.Boolean(metadata={"description": "true: only facilities offering shared services."})
    accreditation = _choices(ACCREDITATION_SCHEMES, attribute="accreditations",
                             metadata={"description": "Holds a currently valid accreditation of the scheme."})
    discipline = _choices(DISCIPLINES, discipline_aliases(), attribute="disciplines")
    quantity = Text(100, metadata={"description": "Measured quantity, e.g. 压力."})
    value = fields.Float(allow_nan=False, validate=validate.Range(-MAX_VALUE, MAX_VALUE), metadata={
        "description": "A value that the capability's range must cover (needs unit)."})
    unit = Unit(30)
    near = Point(60, metadata={"description": "longitude,latitude (WGS-84)."})
    radius_km = fields.Float(allow_nan=False, validate=validate.Range(0, MAX_RADIUS_KM, min_inclusive=False),
                             metadata={"description": "With near: at most this far (km)."})
    bbox = Box(120, metadata={"description": "minlon,minlat,maxlon,maxlat (WGS-84)."})
    status = _choices(STATUSES, attribute="statuses", metadata={
        "description": "Facility status; by default only active facilities (suspended, revoked and closed "
                       "ones are left out)."})
    updated_since = fields.AwareDateTime(default_timezone=timezone.utc, metadata={
        "description": "Only records written at or after this time (ISO 8601; UTC if no offset)."})
    kind = _choices(FACILITY_KINDS, FACILITY_KINDS, attribute="kinds", metadata={"description": "Facility kind(s)."})
    facility_kind = _choices(FACILITY_KINDS, FACILITY_KINDS)
    facility_id = fields.List(fields.String(validate=validate.Regexp(rf"^{ExternalId.PATTERN.pattern}$")),
                              attribute="facility_ids")
    bookable = fields.Boolean(metadata={"description": "true: only capabilities that can be booked."})
    valid = fields.Boolean(attribute="valid_only",
                           metadata={"description": "true: leave out capabilities whose certificate expired."})
    inactive = fields.Boolean(attribute="include_inactive")
    sort = Choice(SORTS)
    page = fields.Integer(validate=validate.Range(1, MAX_PAGE))
    per_page = fields.Integer(validate=validate.Range(1, MAX_PER_PAGE))
    lead_time_max = fields.Integer(validate=validate.Range(0, MAX_LEAD_TIME_DAYS), metadata={
        "description": "Only capabilities with a lead time of at most this many days (facilities: that "
                       "have one)."})
    service = _choices(SERVICE_MODES, SERVICE_MODES, attribute="services", metadata={
        "description": "Only capabilities served this way (also given by its Chinese name: 检定, 校准, 检测, 检验, "
                       "认证); repeat the parameter for several. Records without a service mode (the v1 "
                       "interchange format) do not match."})
    public_standard = fields.Boolean(metadata={
        "description": "true: only public measurement standards (社会公用计量标准)."})

    @validates_schema
    def _pairs(self, data, **kwargs):
        if "value" in data and "unit" not in data:
            raise ValidationError("A value needs a unit.", "unit")
        if "unit" in data and "value" not in data:
            raise ValidationError("A unit needs a value.", "value")
        if "radius_km" in data and "near" not in data:
            raise ValidationError("A radius needs a point (near).", "near")
        if data.get("sort") == "distance" and "near" not in data:
            raise ValidationError("Sorting by distance needs a point (near).", "sort")


CAPABILITY_KIND = Choice(CAPABILITY_KINDS)  # the capabilities API's own `kind` (attribute capability_kinds)
PAGE_FIELDS = ("facility_kind", "facility_id")  # what the pages leave to the API
PAIRED = {"unit": ("value",), "value": ("unit",), "near": ("radius_km",)}  # refused together on a page


def query_from(data: Mapping) -> SearchQuery:
    """The SearchQuery of loaded (valid) parameters: each field's attribute is a SearchQuery field."""
    values = {name: tuple(dict.fromkeys(value)) if isinstance(value, list) else value
              for name, value in data.items() if name in QUERY_FIELDS}
    values["q"] = " ".join(t for t in (data.get("q"), data.get("standard")) if t)
    values["kinds"] = tuple(dict.fromkeys((*data.get("kinds", ()), *data.get("facility_kind", ()))))
    values["include_inactive"] = bool(data.get("include_inactive") or data.get("statuses"))
    return SearchQuery(**values)


QUERY_FIELDS = {f.name for f in dataclass_fields(SearchQuery)}


# --- the pages: the same schema, each refused value left out with its message ---------------------

PAGE_SCHEMA = SearchQuerySchema(exclude=PAGE_FIELDS)


@dataclass(frozen=True)
class Problem:
    """A refused value: the field and the schema's message (the API's words), read in the page's language."""

    field: str
    message: str

    def __str__(self) -> str:
        translated = gettext(self.message)
        if translated == self.message and str(get_locale() or "en") != "en":
            return gettext("This value could not be read and was left out.")
        return translated


def parse_search_args(args: Mapping, session=None) -> tuple[SearchQuery, list[Problem | forgiving.Note]]:
    """A page's query string: what the schema refuses is left out, with a Problem for each field. The main
    box is read forgivingly (forgiving.py: a value with its unit, a loosely typed standard number with
    `session`), and what was read differently comes back as one Note beside the field."""
    reading = forgiving.read_standards(session, forgiving.read_main_box(_page_data(args)))
    data = reading.data
    problems: dict[str, Problem] = {}
    query = SearchQuery()
    for _attempt in range(4):  # field errors first, then the pairs they break
        try:
            query = query_from(PAGE_SCHEMA.load(data))
            break
        except ValidationError as error:
            for name, messages in error.normalized_messages().items():
                _leave_out(data, name, messages, problems)
    return query, _with_notes(list(problems.values()), reading.notes)


def _with_notes(problems: list[Problem], notes: list) -> list:
    """The problems, then the forgiving reading's notes joined into one per field (a field shows one line);
    a field whose value was refused shows its problem only (what was read of it was left out)."""
    refused = {p.field for p in problems}
    by_field: dict[str, list[str]] = {}
    for note in notes:
        if note.field not in refused:
            by_field.setdefault(note.field, []).append(str(note))
    return [*problems, *(forgiving.Note(name, " ".join(texts)) for name, texts in by_field.items())]


def _leave_out(data: dict, name: str, messages, problems: dict) -> None:
    if isinstance(messages, dict) and isinstance(data.get(name), list):  # bad items of a list only
        bad = set(messages)
        data[name] = [v for i, v in enumerate(data[name]) if i not in bad]
        first = next(iter(messages.values()))
        problems.setdefault(name, Problem(name, str(first[0] if isinstance(first, list) else first)))
        return
    if name == "bbox" and messages == [CORNERS]:  # a map area dragged backwards: swapped, not dropped
        minlon, minlat, maxlon, maxlat = (float(p) for p in clean(str(data["bbox"])).split(","))
        data["bbox"] = ",".join(map(repr, (min(minlon, maxlon), min(minlat, maxlat),
                                           max(minlon, maxlon), max(minlat, maxlat))))
        problems.setdefault(name, Problem(name, "The map area's corners were swapped."))
        return
    problems.setdefault(name, Problem(name, str(messages[0] if isinstance(messages, list) else messages)))
    for dropped in (name, *PAIRED.get(name, ())):
        data.pop(dropped, None)


def _page_data(args: Mapping) -> dict:
    """The query string as the schema reads it: lists from repeated or comma-separated values, the
    first non-empty value of the others (an empty form field is no value)."""
    data = {}
    for name, field in PAGE_SCHEMA.fields.items():
        raw = args.getlist(name) if hasattr(args, "getlist") else args.get(name)
        raw = [] if raw is None else list(raw) if isinstance(raw, (list, tuple)) else [raw]
        values = [str(v).strip() for v in raw if str(v).strip()]
        if isinstance(field, fields.List):
            items = [p.strip() for v in values for p in v.split(",") if p.strip()]
            if items:
                data[name] = items
        elif values:
            data[name] = values[0]
    return data
