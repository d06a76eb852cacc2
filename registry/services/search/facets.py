"""Facets: how many facilities or capabilities of a search fall in each facility kind, district and discipline.

Counted from per-facility figures however they were found (the database's GROUP BY, the counts kept per
facility, the worker's arrays in postings.py), so that every path gives the same shape.
"""
from __future__ import annotations

from sqlalchemy import func, select

from registry.models import Capability, Facility


def facility_facets(base: list, per_facility, kinds: set, districts: set) -> dict:
    """Facilities per kind, district and discipline, each ignoring its own filter."""
    facets: dict[str, dict[str, int]] = {"kind": {}, "district": {}, "discipline": {}}
    for c in base:
        in_kind = not kinds or c.row.kind in kinds
        in_district = not districts or c.row.district_code in districts
        if in_district:
            facets["kind"][c.row.kind] = facets["kind"].get(c.row.kind, 0) + 1
        if in_kind:
            facets["district"][c.row.district_code] = facets["district"].get(c.row.district_code, 0) + 1
        if in_kind and in_district:
            for d, n in per_facility.get(c.pk, {}).items():
                if d and n:
                    facets["discipline"][d] = facets["discipline"].get(d, 0) + 1
    return sorted_facets(facets)


def sorted_facets(facets: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {name: dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))) for name, values in facets.items()}


def capability_facets_in_sql(session, conditions) -> tuple[int, dict]:
    """Total and facets of the capabilities meeting `conditions`, counted by the database: per facility
    and discipline first (the index's order), then per facility kind, district and discipline, so at
    most a few hundred rows come back however many capabilities match."""
    per = (select(Capability.facility_pk, Capability.discipline, func.count().label("n"))
           .where(*conditions).group_by(Capability.facility_pk, Capability.discipline).subquery())
    stmt = (select(Facility.kind, Facility.district_code, per.c.discipline, func.sum(per.c.n))
            .join_from(per, Facility, Facility.id == per.c.facility_pk)
            .group_by(Facility.kind, Facility.district_code, per.c.discipline))
    return _facets(session.connection().execute(stmt))


def capability_facets_of(per_facility: dict, allowed: dict) -> tuple[int, dict]:
    """The same from cached counts per facility and discipline."""
    return _facets((row.kind, row.district_code, discipline, n) for pk, per_discipline in per_facility.items()
                   if (row := allowed.get(pk)) is not None for discipline, n in per_discipline.items())


def _facets(rows) -> tuple[int, dict]:
    """(total, facets) of (facility kind, district, discipline, capabilities) rows."""
    total = 0
    facets: dict[str, dict[str, int]] = {"facility_kind": {}, "district": {}, "discipline": {}}
    kinds, districts, disciplines = facets["facility_kind"], facets["district"], facets["discipline"]
    for kind, district, discipline, n in rows:
        n = int(n)  # PostgreSQL's sum() is numeric
        total += n
        kinds[kind] = kinds.get(kind, 0) + n
        districts[district] = districts.get(district, 0) + n
        if discipline:
            disciplines[discipline] = disciplines.get(discipline, 0) + n
    return total, facets
