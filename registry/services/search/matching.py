"""One matching pipeline for facility search and capability search.

A search is matched in the same steps whichever list it feeds: its terms select capability
documents and facilities (terms.TermMatch); `capability_filter` adds every other condition on
capabilities (one function per new capability filter); `facility_rows` applies every facility
filter in SQL and the exact radius; matching capabilities are counted per facility and
discipline through the index (cached when nothing narrows them). Facility search then keeps
facilities with matches and counts facets per facility; capability search counts capabilities.
Everything per facility is done in Python over at most one row per facility and discipline.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, true, union
from sqlalchemy.orm import aliased

from geo.distance import distance_m
from registry import units
from registry.caching import VersionedCache
from registry.database import database_key
from registry.models import Accreditation, Capability, CapabilityRange, Facility
from registry.search_text import fold
from registry.services.records.canonical import data_version
from registry.services.search import postings as memory
from registry.services.search.facets import (
    capability_facets_in_sql,
    capability_facets_of,
    facility_facets,
    sorted_facets,
)
from registry.services.search.query import INACTIVE, SearchQuery
from registry.services.search.terms import TermMatch, ids_in, like, parse_terms

LIVE = Capability.deleted_at.is_(None)
FACILITY_FIELDS = ("facility_id", "name", "name_en", "kind", "ownership", "level", "district_code",
                   "lon", "lat", "shared", "status", "demo", "address")


def capability_filter(query: SearchQuery, today: date, messages: list) -> list:
    """Conditions on capabilities other than the search terms: range, quantity, bookable, validity, lead time,
    service mode, public measurement standard."""
    conditions = []
    quantity = fold(query.quantity) if query.quantity else None
    if query.value is not None and query.unit:
        try:
            base, dimension = units.to_base(query.value, query.unit)
        except Exception:
            messages.append(_l("Unknown unit, range search ignored: %(unit)s", unit=query.unit[:40]))
        else:
            conditions.append(range_condition(base, dimension[:80], quantity))
            quantity = None  # tested inside the range's id set
    if quantity:
        conditions.append(quantity_condition(Capability, quantity))
    if query.bookable:
        conditions.append(Capability.bookable.is_(True))
    if query.valid_only:
        conditions.append(or_(Capability.valid_until.is_(None), Capability.valid_until >= today))
    if query.lead_time_max is not None:
        conditions.append(Capability.lead_time_days <= query.lead_time_max)
    if query.services:
        conditions.append(Capability.service.in_(query.services))
    if query.public_standard:
        conditions.append(Capability.public_standard.is_(True))
    return conditions


OWN_RANGE = aliased(Capability, name="own_range")  # not correlated with the enclosing query; made once (43 columns)
SEGMENT_OF = aliased(Capability, name="segment_of")


def quantity_condition(row, quantity: str):
    """The quantity (folded) in a capability's quantity or name."""
    return or_(like(func.lower(row.quantity), quantity), like(func.lower(row.name), quantity))


def range_condition(base: float, dimension: str, quantity: str | None = None):
    """A capability's range covers `base` (SI base units): its own range (a v1 record's, and a scope item's
    first segment), or ANY range segment of a scope item. Both halves are read through their indexes
    (ix_capabilities_range, ix_capability_ranges_search) and their union is probed by primary key.

    A `quantity` (folded) is tested inside each half, on the rows the range selected: tested on the
    enclosing query's capabilities, PostgreSQL misjudged the LIKE's selectivity and scanned every
    capability with it, then joined the range's ids (90 ms at 300,000 rows, 0.98 s at 2M)."""
    slack = abs(base) * 1e-9

    def covers(low, high):
        return [or_(low.is_(None), low <= base + slack), or_(high.is_(None), high >= base - slack)]

    row = OWN_RANGE
    own = select(row.id).where(row.deleted_at.is_(None), row.range_dimension == dimension,
                               *covers(row.range_min_base, row.range_max_base))
    segments = select(CapabilityRange.capability_pk).where(
        CapabilityRange.dimension == dimension, *covers(CapabilityRange.min_base, CapabilityRange.max_base))
    if quantity:
        own = own.where(quantity_condition(row, quantity))
        segments = segments.join(SEGMENT_OF, SEGMENT_OF.id == CapabilityRange.capability_pk).where(
            quantity_condition(SEGMENT_OF, quantity))
    return Capability.id.in_(union(own, segments))


def discipline_condition(query: SearchQuery):
    return Capability.discipline.in_(query.disciplines) if query.disciplines else true()


FACILITY_ROWS = VersionedCache(64)  # per database, data version, day and facility filters


def facility_rows(session, query: SearchQuery, today: date, *, listing_facilities: bool = True, version=None):
    """Facilities passing every facility filter except kind and district (those are faceted), with
    their distances from `near`: (Core rows, {pk: km}); read-only.

    Kept until the data changes: the facility filters of most searches are the same few (none, a
    radius, an ownership), and reading and converting every facility row was a third of an
    uncached keyword search on realistic data."""
    key = (database_key(session), version or data_version(session), today, listing_facilities, query.statuses,
           query.include_inactive, query.facility_ids, query.updated_since, query.ownership, query.levels,
           query.shared, query.accreditations, query.bbox, query.near, query.radius_km)
    return FACILITY_ROWS.get_or_compute(key, lambda: _facility_rows(session, query, today, listing_facilities))


def all_facility_pks(session, version=None) -> frozenset[int]:
    """Every facility's id (deleted ones too: their capabilities are left out by other conditions)."""
    key = (database_key(session), version or data_version(session), "pks")
    return FACILITY_ROWS.get_or_compute(key, lambda: frozenset(
        session.connection().execute(select(Facility.id)).scalars()))


def _facility_rows(session, query: SearchQuery, today: date, listing_facilities: bool):
    columns = [Facility.id] + [getattr(Facility, name) for name in FACILITY_FIELDS]
    stmt = select(*columns).where(Facility.deleted_at.is_(None))
    if query.statuses:
        stmt = stmt.where(Facility.status.in_(query.statuses))
    elif not query.include_inactive:
        stmt = stmt.where(Facility.status.not_in(INACTIVE))
    if query.facility_ids:
        stmt = stmt.where(Facility.facility_id.in_(query.facility_ids))
    if query.updated_since is not None and listing_facilities:
        stmt = stmt.where(Facility.updated_at >= query.updated_since)
    if query.ownership:
        stmt = stmt.where(Facility.ownership == query.ownership)
    if query.levels:
        stmt = stmt.where(Facility.level.in_(query.levels))
    if query.shared:
        stmt = stmt.where(Facility.shared.is_(True))
    if query.accreditations:
        stmt = stmt.where(select(Accreditation.id).where(
            Accreditation.facility_pk == Facility.id, Accreditation.scheme.in_(query.accreditations),
            or_(Accreditation.valid_until.is_(None), Accreditation.valid_until >= today)).exists())
    if query.bbox:
        minlon, minlat, maxlon, maxlat = query.bbox
        stmt = stmt.where(Facility.lon.between(minlon, maxlon), Facility.lat.between(minlat, maxlat))
    if query.near and query.radius_km:
        lon, lat = query.near
        dlat = query.radius_km / 111.0
        dlon = query.radius_km / (111.0 * max(math.cos(math.radians(lat)), 0.01))
        stmt = stmt.where(Facility.lat.between(lat - dlat, lat + dlat),
                          Facility.lon.between(lon - dlon, lon + dlon))
    rows = session.connection().execute(stmt).all()  # Core rows: no ORM loading for plain columns
    distances = _distances_km(query.near, rows)
    if query.near and query.radius_km:
        rows = [r for r in rows if distances.get(r.id) is not None and distances[r.id] <= query.radius_km]
    return rows, distances


def _distances_km(near, rows) -> dict[int, float]:
    """Geodesic distance from `near` to every located row, in one vectorised call."""
    import numpy as np

    located = [row for row in rows if row.lon is not None]
    if not near or not located:
        return {}
    metres = np.atleast_1d(distance_m(near[0], near[1], [r.lon for r in located], [r.lat for r in located]))
    return {row.id: float(m) / 1000 for row, m in zip(located, metres)}


def counts(session, conditions) -> dict[int, dict[str | None, int]]:
    """Capabilities meeting `conditions`, per facility and discipline."""
    stmt = (select(Capability.facility_pk, Capability.discipline, func.count())
            .where(*conditions).group_by(Capability.facility_pk, Capability.discipline))
    per_facility: dict[int, dict[str | None, int]] = {}
    for pk, discipline, n in session.connection().execute(stmt).all():
        per_facility.setdefault(pk, {})[discipline] = n
    return per_facility


LIVE_COUNTS = VersionedCache(8, name="search_live_counts")  # one entry per database and data version


def live_counts(session, version=None) -> dict[int, dict[str | None, int]]:
    """Live capabilities per facility and discipline, cached until the next change set (every write to
    capabilities records one, so the newest change set id with the database identifies the data)."""
    version = version or data_version(session)

    def compute():
        held = memory.postings(session, version)
        return memory.per_facility(held, slice(None)) if held is not None else counts(session, [LIVE])
    return LIVE_COUNTS.get_or_compute((database_key(session), version), compute)


# --- facility search ---------------------------------------------------------------------------

@dataclass
class Candidate:
    pk: int
    row: object
    matched: int
    distance_km: float | None
    name_match: bool


@dataclass
class FacilityMatch:
    candidates: list[Candidate]
    facets: dict[str, dict[str, int]]
    match: TermMatch
    conditions: list  # on capabilities, for the page's details
    narrowed: bool  # a condition other than the terms applies to capabilities


def facility_filters_key(session, query: SearchQuery, today: date, version) -> tuple:
    """What decides which facilities a search may list, for the caches below: the database, its data
    version, the day and every facility filter (a new facility filter is added here, once)."""
    return (database_key(session), version, today, query.statuses, query.include_inactive,
            query.facility_ids, query.ownership, query.levels, query.shared, query.accreditations, query.bbox,
            query.near, query.radius_km, query.kinds, query.districts)


FILTERED_ONLY = VersionedCache(128, name="search_filtered_facilities")  # per facility filters, kinds, districts


def match_facilities(session, query: SearchQuery, today: date, messages: list, *, facets: bool) -> FacilityMatch:
    """Facilities with a matching capability (or, for terms only, whose own text matches), and facets.

    A search by facility filters alone (no terms, no capability condition: a district's labs, say)
    depends only on the data, the day and those filters: its match is kept until the data changes."""
    version = data_version(session)  # one round trip for every cache below
    held = memory.postings(session, version)
    match = TermMatch(session, parse_terms(query.q), version=version,
                      documents=held.documents if held else None)
    narrowing = capability_filter(query, today, messages)
    if not match.active and not narrowing and not query.disciplines and not messages:
        key = (*facility_filters_key(session, query, today, version), facets, query.updated_since)
        kept = FILTERED_ONLY.get_or_compute(key, lambda: _match_facilities(
            session, query, today, facets, version, match, narrowing))
        return FacilityMatch(list(kept.candidates), {name: dict(values) for name, values in kept.facets.items()},
                             kept.match, list(kept.conditions), kept.narrowed)
    return _match_facilities(session, query, today, facets, version, match, narrowing)


def _match_facilities(session, query: SearchQuery, today: date, facets: bool, version, match: TermMatch,
                      narrowing: list) -> FacilityMatch:
    conditions = [LIVE, *([match.condition()] if match.active else []), *narrowing]
    required = bool(match.active or narrowing or query.disciplines)
    facility_only = match.facilities_matching_all() if not (narrowing or query.disciplines) else set()
    per_facility: dict[int, dict[str | None, int]] = {}
    if len(conditions) == 1:  # live capabilities only: the same for every query until data changes
        per_facility = live_counts(session, version) if (required or facets) else {}
    elif required or facets:
        held = memory.postings(session, version) if not narrowing else None
        if held is not None:  # terms only: counted in memory, facility-only matches included
            per_facility = memory.per_facility(held, memory.matching(held, match))
        elif facility_only:
            # A facility whose own text matches every term matches with all its capabilities, and no
            # other capability condition applies: take its counts from the cached totals instead of
            # counting, in SQL, every capability of every such facility.
            live = live_counts(session, version)
            per_facility = {pk: dict(live.get(pk, {})) for pk in facility_only}
            counted = [LIVE, match.condition(skip=frozenset(facility_only))]
        else:
            counted = conditions
        if held is None:
            for pk, per_discipline in counts(session, counted).items():
                per_facility.setdefault(pk, {}).update(per_discipline)

    selected = set(query.disciplines)
    base: list[Candidate] = []
    rows, distances = facility_rows(session, query, today, version=version)
    for row in rows:
        per_discipline = per_facility.get(row.id, {})
        if selected:
            matched = sum(n for d, n in per_discipline.items() if d in selected)
        else:
            matched = sum(per_discipline.values())
        if required and not matched and row.id not in facility_only:
            continue
        base.append(Candidate(row.id, row, matched, distances.get(row.id), row.id in facility_only))
    kinds, districts = set(query.kinds), set(query.districts)
    facet_counts = facility_facets(base, per_facility, kinds, districts) if facets else {
        "kind": {}, "district": {}, "discipline": {}}
    candidates = [c for c in base if (not kinds or c.row.kind in kinds)
                  and (not districts or c.row.district_code in districts)]
    return FacilityMatch(candidates, facet_counts, match, conditions, bool(narrowing))


# --- capability search -------------------------------------------------------------------------

@dataclass
class CapabilityMatch:
    conditions: list  # every condition on the capabilities listed (none when matched in memory)
    facilities: dict  # pk -> facility row, of the facilities whose capabilities count
    total: int
    facets: dict[str, dict[str, int]]
    held: memory.Postings | None = None  # with `positions`: the matches, when found in memory
    positions: object = None


def countable_in_memory(query: SearchQuery, today: date, narrowing: list | None = None) -> bool:
    """Whether the worker's arrays hold every condition of the search (they do not hold ranges, validity,
    lead times, services or updated_since). `narrowing`: its capability_filter, when made already."""
    if narrowing is None:
        narrowing = capability_filter(query, today, [])
    return not narrowing and query.updated_since is None


def match_capabilities(session, query: SearchQuery, today: date, *, facility_text: bool = True,
                       version=None) -> CapabilityMatch:
    """Capabilities matching the search, with their total and facets (facility kind, district, discipline).

    Facility filters apply to the capabilities' facilities; `facility_text=False` keeps a facility's own
    text from selecting its capabilities (searching within one facility). Terms, facility filters,
    disciplines and kinds are matched in memory (postings.py) when the worker holds the postings;
    every other condition is counted by the database. `version`: the data's, when the caller knows it."""
    version = version or data_version(session)  # one round trip for every cache below
    held = memory.postings(session, version)  # asked once: arrays built meanwhile wait for the next search
    match = TermMatch(session, parse_terms(query.q), facility_text=facility_text, version=version,
                      documents=held.documents if held else None)
    narrowing = capability_filter(query, today, [])
    allowed, facility_condition = allowed_facilities(session, query, today, version)
    held = held if countable_in_memory(query, today, narrowing) else None
    if held is not None and match.active:  # the matches themselves, counted and paged in memory
        positions = allowed.keep(held, memory.matching(held, match))
        if query.disciplines:
            positions = memory.with_codes(positions, held.disciplines, memory.DISCIPLINE_CODES, query.disciplines)
        if query.capability_kinds:
            positions = memory.with_codes(positions, held.kinds, memory.KIND_CODES, query.capability_kinds)
        total, facets = memory.facets(held, positions, allowed)
        return CapabilityMatch([], allowed.rows, total, sorted_facets(facets), held, positions)

    conditions = [LIVE, facility_condition, *([match.condition()] if match.active else []), *narrowing]
    if query.disciplines:
        conditions.append(discipline_condition(query))
    if query.capability_kinds:
        conditions.append(Capability.kind.in_(query.capability_kinds))
    if query.updated_since is not None:
        conditions.append(Capability.updated_at >= query.updated_since)
    if held is not None and not query.capability_kinds:  # no terms: from the counts per facility
        total, facets = memory.facets_of_facilities(held, allowed, query.disciplines)
    elif len(conditions) == 2:  # live capabilities only: per facility from the kept counts, summed here
        total, facets = capability_facets_of(live_counts(session, version), allowed.rows)
    else:
        total, facets = capability_facets_in_sql(session, conditions)
    return CapabilityMatch(conditions, allowed.rows, total, sorted_facets(facets))


ALLOWED = VersionedCache(64, name="search_allowed")  # per database, data version, day and facility filters


def allowed_facilities(session, query: SearchQuery, today: date, version) -> tuple[memory.FacilitySet, object]:
    """The facilities whose capabilities a capability search lists (`.rows`: {pk: row}) and that as a
    condition on capabilities, kept with the facility rows they come from: the same few facility filters
    recur, and building the dict, its arrays and the id list was a millisecond of every search."""
    key = facility_filters_key(session, query, today, version)

    def compute():
        rows, _distances = facility_rows(session, query, today, listing_facilities=False, version=version)
        allowed = {row.id: row for row in rows if (not query.kinds or row.kind in query.kinds)
                   and (not query.districts or row.district_code in query.districts)}
        all_pks = all_facility_pks(session, version)
        dialect = session.get_bind().dialect.name
        if len(allowed) <= len(all_pks) - len(allowed):
            return memory.FacilitySet(allowed), ids_in(Capability.facility_pk, allowed, dialect)
        excluded = all_pks - set(allowed)
        return memory.FacilitySet(allowed), (
            ids_in(Capability.facility_pk, excluded, dialect, negate=True) if excluded else true())
    return ALLOWED.get_or_compute(key, compute)
