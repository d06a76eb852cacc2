"""Scope items (services/records/scopes) as capability records and back.

One record shape for both directions: the capability's columns (the v1 ones derived from the item:
`name` is "object parameter", `standards` the ';'-list of normalised numbers, `range_*` the first
segment) plus `methods` and `ranges` as lists of JSON-ready dicts. The import compares a file's
record with the stored one in this shape; the export makes ScopeItems of it again, equal (`==`) to
the items the file was read into, so that export → import changes nothing.
"""
import hashlib
from decimal import Decimal

from registry import units
from registry.services.records.scope_disciplines import discipline_of
from registry.services.records.scopes import Limitation, Method, RangeSegment, ScopeItem, Uncertainty

CENT = Decimal("0.01")
SCOPE_COLUMNS = ("object", "parameter", "seq", "scope_layout", "source_sheet", "service", "status",
                 "limitation_kind", "limitation", "remarks", "field_code", "public_standard",
                 "price_on_request", "verbatim")
V1_COLUMNS = ("kind", "name", "discipline", "category", "quantity", "standards", "range_min", "range_max", "unit",
              "uncertainty", "certificate_no", "valid_until", "price_cny")
RECORD_COLUMNS = V1_COLUMNS + SCOPE_COLUMNS
METHOD_FIELDS = ("standard", "title", "clause", "text")
RANGE_FIELDS = ("min", "max", "unit", "min_unit", "text", "u_kind", "u_value", "u_unit", "u_k", "u_text")
METROLOGY_LAYOUTS = ("standards", "cnas-calibration")  # items that get a discipline (scope_disciplines.py)
LENGTHS = {"object": 200, "parameter": 200, "seq": 20, "field_code": 20, "certificate_no": 100}


def plain(value) -> str | None:
    """A decimal as the shortest exact text (0.0010000000 → '0.001', 100 → '100'); None stays None."""
    if value is None:
        return None
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def item_key(item: ScopeItem) -> str:
    """What makes an item the same item in a newer scope: service, object, parameter, first standard."""
    first = item.methods[0] if item.methods else Method()
    return "\x1f".join((item.service, item.object, item.parameter, first.standard or first.text))


def capability_id(key: str, occurrence: int) -> str:
    """A stable id for the item's key; the n-th repetition of a key in one file gets a suffix."""
    digest = hashlib.blake2b(key.encode(), digest_size=6).hexdigest()
    return f"S-{digest}" + (f"-{occurrence}" if occurrence > 1 else "")


def item_record(item: ScopeItem) -> dict:
    """The capability record of a scope item (see the module docstring)."""
    methods = [{"standard": m.standard, "title": m.title or None, "clause": m.clause or None, "text": m.text or None}
               for m in item.methods]
    ranges = [range_dict(segment) for segment in item.ranges]
    first = item.ranges[0] if item.ranges else None
    low, high, unit = first_range(first)
    name = " ".join(part for part in (item.object, item.parameter) if part)
    record = {
        "kind": "measurement_standard" if item.layout == "standards" else "test_item",
        "name": name[:300] or "-",
        "discipline": discipline_of(item.object, item.parameter, first.unit if first else "")
        if item.layout in METROLOGY_LAYOUTS else None,
        "category": None,
        "quantity": (item.parameter[:100] or None) if item.layout in ("cnas-calibration", "standards") else None,
        "standards": ";".join(dict.fromkeys(m.standard for m in item.methods if m.standard)) or None,
        "range_min": low, "range_max": high, "unit": unit,
        "uncertainty": (first.uncertainty.text[:200] or None) if first and first.uncertainty else None,
        "certificate_no": item.certificate_no or None,
        "valid_until": item.valid_until,
        "price_cny": item.price.quantize(CENT) if item.price is not None else None,
        "object": item.object or None, "parameter": item.parameter or None, "seq": item.seq or None,
        "scope_layout": item.layout, "source_sheet": (item.sheet[:31] or None), "service": item.service,
        "status": item.status, "limitation_kind": item.limitation.kind if item.limitation else None,
        "limitation": item.limitation.text if item.limitation else None, "remarks": item.remarks or None,
        "field_code": item.field_code or None, "public_standard": item.public_standard,
        "price_on_request": item.price_on_request,
        "verbatim": [list(pair) for pair in item.verbatim] or None,
        "methods": methods, "ranges": ranges,
    }
    return record


def range_dict(segment: RangeSegment) -> dict:
    u = segment.uncertainty
    return {"min": plain(segment.min), "max": plain(segment.max), "unit": segment.unit or None,
            "min_unit": segment.min_unit or None, "text": segment.text or None,
            "u_kind": u.kind if u else None, "u_value": plain(u.value) if u else None,
            "u_unit": (u.unit or None) if u else None, "u_k": plain(u.k) if u else None,
            "u_text": (u.text or None) if u else None}


def first_range(segment: RangeSegment | None) -> tuple[float | None, float | None, str | None]:
    """The v1 range (one segment, one unit): a lower end in another unit is converted, or left out."""
    if segment is None:
        return None, None, None
    low = float(segment.min) if segment.min is not None else None
    high = float(segment.max) if segment.max is not None else None
    unit = segment.unit[:30] or None
    if low is not None and segment.min_unit and segment.min_unit != segment.unit:
        low = converted(low, segment.min_unit, segment.unit)
    if low is not None and high is not None and low > high:
        low = high = None
    return low, high, unit


def converted(value: float, source: str, target: str) -> float | None:
    try:
        base, dimension = units.to_base(value, source)
        one, dimension_target = units.to_base(1.0, target)
    except Exception:  # a unit pint does not know: the v1 range stays open at that end
        return None
    return base / one if dimension == dimension_target and one else None


def stored_record(row, methods: list, ranges: list) -> dict:
    """The stored capability `row` (with its method and range rows) in the record shape."""
    record = {column: getattr(row, column) for column in RECORD_COLUMNS}
    if record["price_cny"] is not None:
        record["price_cny"] = Decimal(record["price_cny"]).quantize(CENT)
    record["methods"] = [{f: getattr(m, f) for f in METHOD_FIELDS} for m in methods]
    record["ranges"] = [{f: (plain(getattr(r, f)) if f in ("min", "max", "u_value", "u_k") else getattr(r, f))
                         for f in RANGE_FIELDS} for r in ranges]
    return record


def record_item(record: dict) -> ScopeItem:
    """A stored scope record as the ScopeItem the scope writer writes."""
    methods = tuple(Method(m["standard"] or "", m["title"] or "", m["clause"] or "", m["text"] or "")
                    for m in record["methods"])
    segments = []
    for r in record["ranges"]:
        uncertainty = None
        if r["u_kind"]:
            uncertainty = Uncertainty(r["u_kind"], decimal(r["u_value"]), r["u_unit"] or "", decimal(r["u_k"]),
                                      r["u_text"] or "")
        segments.append(RangeSegment(decimal(r["min"]), decimal(r["max"]), r["unit"] or "", r["min_unit"] or "",
                                     r["text"] or "", uncertainty))
    limitation = Limitation(record["limitation_kind"], record["limitation"] or "") \
        if record["limitation_kind"] else None
    return ScopeItem(
        layout=record["scope_layout"], object=record["object"] or "", parameter=record["parameter"] or "",
        seq=record["seq"] or "", methods=methods, limitation=limitation, remarks=record["remarks"] or "",
        status=record["status"], field_code=record["field_code"] or "", service=record["service"] or "testing",
        ranges=tuple(segments), certificate_no=record["certificate_no"] or "", valid_until=record["valid_until"],
        public_standard=bool(record["public_standard"]), price=record["price_cny"],
        price_on_request=bool(record["price_on_request"]),
        verbatim=tuple(tuple(pair) for pair in record["verbatim"] or ()), sheet=record["source_sheet"] or "")


def decimal(text: str | None) -> Decimal | None:
    return Decimal(text) if text is not None else None
