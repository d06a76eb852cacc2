"""The fields of a real scope that readers see beside the v1 ones (API v1; the pages get the few they show,
status, limitation and remarks, with the search's own rows: search/results.capability_dict).

Added to rows the search already found: object, parameter,
methods [{standard, title, clause}], limitation {kind, text}, remarks, status, service and
ranges [{min, max, unit, uncertainty}]. A capability of the v1 interchange format has no method or
range rows: its methods are its standard numbers and its range is its one range, so every
capability answers in the same shape.
"""
from sqlalchemy import exists, select

from registry.models import Capability, CapabilityMethod, CapabilityRange
from registry.services.records.scope_records import plain

SCOPE_FIELDS = ("object", "parameter", "methods", "limitation", "remarks", "status", "service", "ranges")


# What scope_fields reads of the capabilities themselves (a caller that read them already passes its rows),
# with whether each has method and range rows: a capability of the v1 format has neither, and a page of
# them then costs no further round trip.
SCOPE_COLUMNS = (Capability.id, Capability.object, Capability.parameter, Capability.limitation_kind,
                 Capability.limitation, Capability.remarks, Capability.status, Capability.service,
                 Capability.standards, Capability.range_min, Capability.range_max, Capability.unit,
                 Capability.uncertainty,
                 exists().where(CapabilityMethod.capability_pk == Capability.id).label("has_methods"),
                 exists().where(CapabilityRange.capability_pk == Capability.id).label("has_ranges"))


def scope_fields(session, pks: list[int], rows=None) -> dict[int, dict]:
    """capability pk -> its scope fields; `rows`: those capabilities with SCOPE_COLUMNS, if already read."""
    if not pks:
        return {}
    if rows is None:
        rows = session.execute(select(*SCOPE_COLUMNS).where(Capability.id.in_(pks))).all()
    rows = [row._mapping for row in rows]  # by name: a Row's attribute access is slow (search/results.column_getter)
    methods: dict[int, list] = {}
    with_methods = [row["id"] for row in rows if row["has_methods"]]
    if with_methods:
        for m in session.execute(select(CapabilityMethod).where(CapabilityMethod.capability_pk.in_(with_methods))
                                 .order_by(CapabilityMethod.capability_pk, CapabilityMethod.position)).scalars():
            methods.setdefault(m.capability_pk, []).append(
                {"standard": m.standard or None, "title": m.title or m.text, "clause": m.clause})
    ranges: dict[int, list] = {}
    with_ranges = [row["id"] for row in rows if row["has_ranges"]]
    if with_ranges:
        for r in session.execute(select(CapabilityRange).where(CapabilityRange.capability_pk.in_(with_ranges))
                                 .order_by(CapabilityRange.capability_pk, CapabilityRange.position)).scalars():
            ranges.setdefault(r.capability_pk, []).append(
                {"min": _number(r.min), "max": _number(r.max), "unit": r.unit, "uncertainty": _uncertainty(r)})
    out = {}
    for row in rows:
        v1_methods = [{"standard": s, "title": None, "clause": None} for s in (row["standards"] or "").split(";") if s]
        v1_range = ([{"min": row["range_min"], "max": row["range_max"], "unit": row["unit"],
                      "uncertainty": {"kind": "text", "value": None, "unit": None, "k": None,
                                      "text": row["uncertainty"]} if row["uncertainty"] else None}]
                    if row["range_min"] is not None or row["range_max"] is not None else [])
        pk = row["id"]
        out[pk] = {
            "object": row["object"], "parameter": row["parameter"],
            "methods": methods.get(pk, v1_methods),
            "limitation": ({"kind": row["limitation_kind"], "text": row["limitation"]}
                           if row["limitation_kind"] else None),
            "remarks": row["remarks"], "status": row["status"], "service": row["service"],
            "ranges": ranges.get(pk, v1_range)}
    return out


def with_scope_fields(session, rows: list[dict], read=None) -> list[dict]:
    """`rows` (dicts with the capability's pk as `id`) with their scope fields added; `read`: the same
    capabilities with SCOPE_COLUMNS, when the caller read them already (one round trip less)."""
    fields = scope_fields(session, [row["id"] for row in rows], read)
    for row in rows:
        row.update(fields.get(row["id"], {}))
    return rows


def _number(value):
    return None if value is None else float(plain(value))


def _uncertainty(r: CapabilityRange) -> dict | None:
    if not r.u_kind:
        return None
    return {"kind": r.u_kind, "value": _number(r.u_value), "unit": r.u_unit or None, "k": _number(r.u_k),
            "text": r.u_text}
