"""The partner API's keyset pages: facilities in a stable order, capabilities one by one.

Both come from the one matching pipeline (matching.py); what is added here is the API's own
order: a sort key a cursor can carry for facilities, registry order (id) for capabilities.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from registry.models import Capability
from registry.ops import metrics
from registry.services.records.canonical import DATA_VERSION_COLUMNS, data_version, last_seen_version, seen_version
from registry.services.records.scope_fields import SCOPE_COLUMNS, with_scope_fields
from registry.services.search import postings as memory
from registry.services.search.matching import countable_in_memory, match_capabilities, match_facilities
from registry.services.search.query import SearchQuery
from registry.services.search.results import CAPABILITY_FIELDS, capability_dict
from registry.services.search.terms import has_terms, ids_parameter, ids_value


@dataclass
class ApiFacility:
    key: list  # the sort key, JSON-serialisable (a cursor carries the last one)
    row: object
    matched: int
    distance_km: float | None


@metrics.timed_search("api_facilities")
def api_facility_list(session, query: SearchQuery, today: date, *,
                      facets: bool = True) -> tuple[list[ApiFacility], dict]:
    """Every matching facility in a stable order (relevance, or distance with `near`), and facets."""
    found = match_facilities(session, query, today, [], facets=facets)
    out = []
    for c in found.candidates:
        if query.sort == "distance" and query.near:
            key = [c.distance_km is None, round(c.distance_km or 0.0, 6), c.row.facility_id]
        else:
            key = [not c.name_match, -c.matched, c.row.name, c.row.facility_id]
        distance = round(c.distance_km, 3) if c.distance_km is not None else None
        out.append(ApiFacility(key, c.row, c.matched, distance))
    out.sort(key=lambda f: f.key)
    return out, found.facets


SORT_BELOW = 3000  # matches, below which a page is sorted rather than read in primary-key order


@dataclass
class CapabilityPage:
    rows: list[dict]  # capability values (interchange.CAPABILITY_FIELDS + id, updated_at, demo, expired) and
    # the scope fields (records/scope_fields.py)
    total: int
    facets: dict[str, dict[str, int]]
    more: bool


@metrics.timed_search("api_capabilities")
def api_capability_page(session, query: SearchQuery, today: date, *, after_id: int | None = None,
                        limit: int = 20, facility_text: bool = True) -> CapabilityPage:
    """Capabilities in registry order (id) after `after_id`, with their scope fields, and the total and
    facets of all matches.

    A search the worker's arrays answer is first answered at the data version this process read last,
    without reading the version: the statement that reads the page's rows reads the version beside them,
    in the same snapshot. Only when the data has changed since (or nothing was read) is the search
    answered again at the new version, as every other one is: one round trip fewer for nearly every
    search, and never an answer older than the request."""
    guess = last_seen_version(session)
    if (guess is not None and has_terms(query.q) and countable_in_memory(query, today)
            and memory.kept(session, guess) is not None):
        found = match_capabilities(session, query, today, facility_text=facility_text, version=guess)
        page = _memory_page(session, found, after_id, limit, today, expected=guess) if found.held is not None else None
        if page is not None:
            return page
    found = match_capabilities(session, query, today, facility_text=facility_text)
    if found.held is not None:
        return _memory_page(session, found, after_id, limit, today)
    if not found.total or not found.facilities:
        return CapabilityPage([], found.total, found.facets, False)
    conditions = list(found.conditions)
    if after_id is not None:
        conditions.append(Capability.id > after_id)
    # Few matches: read them through the search index and sort them (`id + 0` keeps the planner
    # from walking the primary key, which reads most of the table to find 21 rare rows); many
    # matches: walk the primary key, which finds the first page after a few hundred rows.
    order = Capability.id + 0 if found.total <= SORT_BELOW else Capability.id
    rows = session.connection().execute(
        select(*PAGE_COLUMNS).where(*conditions).order_by(order).limit(limit + 1)).all()
    return _page(session, found, rows, limit, today)


def _memory_page(session, found, after_id: int | None, limit: int, today: date,
                 expected: tuple | None = None) -> CapabilityPage | None:
    """The page of a search matched in memory: its ids are known, those rows are read. With the version
    the match was made at (`expected`), None when the data is no longer at that version."""
    ids = memory.first_ids(found.held, found.positions, after_id, limit + 1) if found.total else []
    if not ids or not found.facilities:
        if expected is not None and data_version(session) != expected:
            return None
        return CapabilityPage([], found.total, found.facets, False)
    dialect = session.get_bind().dialect.name
    rows = session.connection().execute(_PAGE_BY_IDS[dialect], {"ids": ids_value(ids, dialect)}).all()
    if expected is not None:  # no rows: every one of them deleted since, which the version then tells
        version = tuple(rows[0][-len(DATA_VERSION_COLUMNS):]) if rows else data_version(session)
        if seen_version(session, version) != expected:
            return None
    return _page(session, found, rows, limit, today)


def _page(session, found, rows, limit: int, today: date) -> CapabilityPage:
    out = []
    for r in rows[:limit]:
        m = r._mapping  # by name: a Row's attribute access is slow (results.column_getter)
        values = capability_dict(r, found.facilities[m["facility_pk"]].facility_id, today)
        values.update(id=m["id"], updated_at=m["updated_at"], demo=m["demo"])
        out.append(values)
    return CapabilityPage(with_scope_fields(session, out, rows[:limit]), found.total, found.facets, len(rows) > limit)


# A page's capabilities with what their scope fields need, in one statement.
PAGE_COLUMNS = list({c.key: c for c in (
    Capability.id, Capability.facility_pk, Capability.updated_at, Capability.demo,
    *[getattr(Capability, n) for n in CAPABILITY_FIELDS], *SCOPE_COLUMNS)}.values())
# A page matched in memory, by its ids, and the data's version in the same snapshot: built once (building
# it cost more than running it).
_PAGE_BY_IDS = {dialect: select(*PAGE_COLUMNS, *DATA_VERSION_COLUMNS).where(
    ids_parameter(Capability.id, dialect), Capability.deleted_at.is_(None)).order_by(Capability.id)
    for dialect in ("postgresql", "sqlite")}
