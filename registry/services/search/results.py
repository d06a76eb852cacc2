"""The search pages' results: matched facilities sorted and paged, each with its best capabilities,
lowest fee and shortest lead time; and the map's points."""
from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial

from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, case, false, func, select

from registry.caching import VersionedCache
from registry.database import database_key
from registry.models import Capability
from registry.ops import metrics
from registry.schemas import interchange
from registry.services.records.canonical import data_version
from registry.services.search.matching import (
    FACILITY_FIELDS,
    LIVE,
    Candidate,
    FacilityMatch,
    discipline_condition,
    match_facilities,
)
from registry.services.search.query import SearchQuery
from registry.services.search.terms import ids_in

HIT_CAPABILITIES = 5
SCOPE_MARKS = ("status", "limitation_kind", "limitation", "remarks")  # shown beside an item of a published scope
CAPABILITY_FIELDS = [c for c in interchange.CAPABILITY_FIELDS if c != "facility_id"] + list(SCOPE_MARKS)


@dataclass
class FacilityHit:
    facility: dict
    capabilities: list[dict]  # interchange.CAPABILITY_FIELDS, status, limitation {kind, text}, remarks, 'expired'
    matched: int
    distance_km: float | None
    min_price: Decimal | None
    min_lead_time: int | None


@dataclass
class SearchResult:
    hits: list[FacilityHit]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]]
    messages: list = field(default_factory=list)
    pages: int = 1  # number of pages for `total`
    nearest_km: float | None = None  # the nearest match's distance from `near` (the audit's unmet demand)


@metrics.timed_search("facilities")
def search_facilities(session, query: SearchQuery, today: date) -> SearchResult:
    messages: list = []
    page, per_page = query.page, query.per_page
    found = match_facilities(session, query, today, messages, facets=True)
    candidates = found.candidates

    extra: dict[int, tuple] = {}
    if query.sort in ("fee", "lead_time"):
        extra = _price_and_lead(session, [c.pk for c in candidates], found.conditions, query)
        index = 0 if query.sort == "fee" else 1
        big = Decimal("1e20") if query.sort == "fee" else 10 ** 9

        def key(c):
            value = extra.get(c.pk, (None, None))[index]
            return (value is None, value if value is not None else big, -c.matched, c.row.name)
    elif query.sort == "distance" and query.near:
        def key(c):
            return (c.distance_km is None, c.distance_km or 0.0, c.row.name)
    else:
        def key(c):
            return (not c.name_match, -c.matched, c.row.name, c.row.facility_id)
    candidates.sort(key=key)
    total = len(candidates)
    pages = max(1, math.ceil(total / per_page))
    if page > pages and total:
        messages.append(_l("There are only %(n)s pages; showing the last.", n=pages))
        page = pages
    shown = candidates[(page - 1) * per_page: page * per_page]
    tops, page_extra = _page_details(session, shown, found, query, today)
    extra = extra or page_extra
    hits = []
    for c in shown:
        price, lead = extra.get(c.pk, (None, None))
        distance = round(c.distance_km, 3) if c.distance_km is not None else None
        hits.append(FacilityHit(facility_dict(c.row), tops.get(c.pk, []), c.matched, distance,
                                Decimal(price).quantize(Decimal("0.01")) if price is not None else None,
                                lead))
    nearest = min((c.distance_km for c in candidates if c.distance_km is not None), default=None)
    return SearchResult(hits, total, page, per_page, found.facets, messages, pages, nearest)


POINT_FIELDS = ("facility_id", "name", "name_en", "kind", "ownership", "shared", "district_code", "lon",
                "lat", "demo")
_POINT_VALUES = operator.attrgetter(*POINT_FIELDS)


@metrics.timed_search("map_points")
def facility_points(session, query: SearchQuery, today: date) -> list[dict]:
    """Every matching facility with a location, no pagination (for the map's GeoJSON)."""
    found = match_facilities(session, query, today, [], facets=False)
    return [dict(zip(POINT_FIELDS, _POINT_VALUES(c.row))) for c in found.candidates if c.row.lon is not None]


def column_getter(row):
    """Reads `row`'s columns by name: a Row through its mapping, a mapped object through its attributes.
    A Row's attribute access raises and catches an AttributeError before it finds the column (SQLAlchemy
    2.1): 0.6 µs a column against 0.05, which was a tenth of a keyword search's CPU."""
    return row._mapping.__getitem__ if isinstance(row, Row) else partial(getattr, row)


def facility_dict(row) -> dict:
    get = column_getter(row)
    return {name: get(name) for name in FACILITY_FIELDS}


def capability_dict(row, facility_id: str, today: date) -> dict:
    values = {"facility_id": facility_id}
    get = column_getter(row)
    for name in CAPABILITY_FIELDS:
        values[name] = get(name)
    values["expired"] = values["valid_until"] is not None and values["valid_until"] < today
    kind = values.pop("limitation_kind")  # 限制范围 as the API's scope fields give it: {kind, text}
    values["limitation"] = {"kind": kind, "text": values["limitation"]} if kind else None
    return values


def _price_and_lead(session, pks: list[int], conditions, query) -> dict[int, tuple]:
    if not pks:
        return {}
    stmt = (select(Capability.facility_pk, func.min(Capability.price_cny), func.min(Capability.lead_time_days))
            .where(*conditions, discipline_condition(query),
                   ids_in(Capability.facility_pk, pks, session.get_bind().dialect.name))
            .group_by(Capability.facility_pk))
    return {pk: (price, lead) for pk, price, lead in session.connection().execute(stmt)}


def _page_details(session, shown: list[Candidate], found: FacilityMatch, query: SearchQuery,
                  today: date) -> tuple[dict[int, list[dict]], dict[int, tuple]]:
    """Up to 5 best capabilities per shown facility, and each one's lowest fee and lead time."""
    if not shown:
        return {}, {}
    ids = {c.pk: c.row.facility_id for c in shown}
    if len(found.conditions) == 1 and not query.disciplines:  # every live capability counts
        return _unfiltered_details(session, ids, today)
    terms = found.match.terms
    best_docs = set.intersection(*found.match.doc_sets[:len(terms.keywords)]) if terms.keywords else set()
    # A facility whose own text matched every term matches with all its capabilities: rank only its
    # relevant ones here and take the rest from the cached unfiltered ranking, not all of them again.
    whole = {c.pk: ids[c.pk] for c in shown if c.name_match}
    rest = {pk: facility_id for pk, facility_id in ids.items() if pk not in whole}
    tops, extra = _details(session, rest, [*found.conditions, discipline_condition(query)], best_docs, today) \
        if rest else ({}, {})
    if whole:
        all_tops, all_extra = _unfiltered_details(session, whole, today)
        relevant = _details(session, whole, [LIVE, ids_in(
            Capability.search_doc_id, best_docs, session.get_bind().dialect.name)], set(), today)[0] \
            if best_docs else {}
        for pk in whole:
            first = relevant.get(pk, [])
            listed = {c["capability_id"] for c in first}
            tops[pk] = (first + [c for c in all_tops[pk] if c["capability_id"] not in listed])[:HIT_CAPABILITIES]
            extra[pk] = all_extra[pk]
    return tops, extra


def _details(session, ids: dict[int, str], conditions, best_docs: set[int], today: date):
    dialect = session.get_bind().dialect.name
    relevance = ids_in(Capability.search_doc_id, best_docs, dialect) if best_docs else false()
    expired = Capability.valid_until.is_not(None) & (Capability.valid_until < today)
    partition = Capability.facility_pk
    rank = func.row_number().over(partition_by=partition, order_by=(
        case((relevance, 0), else_=1), case((expired, 1), else_=0), Capability.name,
        Capability.capability_id)).label("rank")
    inner = (select(Capability.id, Capability.facility_pk, rank,
                    func.min(Capability.price_cny).over(partition_by=partition).label("min_price"),
                    func.min(Capability.lead_time_days).over(partition_by=partition).label("min_lead"))
             .where(*conditions, Capability.facility_pk.in_(sorted(ids)))
             .subquery())
    best = session.connection().execute(select(inner).where(inner.c.rank <= HIT_CAPABILITIES)).all()
    full = {r.id: r for r in session.connection().execute(
        select(Capability.id, Capability.facility_pk, *[getattr(Capability, n) for n in CAPABILITY_FIELDS])
        .where(Capability.id.in_([b.id for b in best])))} if best else {}
    tops: dict[int, list[dict]] = {}
    for b in sorted(best, key=lambda b: (b.facility_pk, b.rank)):
        tops.setdefault(b.facility_pk, []).append(capability_dict(full[b.id], ids[b.facility_pk], today))
    return tops, {b.facility_pk: (b.min_price, b.min_lead) for b in best}


# per database, data version and day: ({pk: tops}, {pk: (fee, lead)})
UNFILTERED_DETAILS = VersionedCache(4, name="search_details")


def _unfiltered_details(session, ids: dict[int, str], today: date):
    """`_details` with no capability condition depends only on the data and the day: the
    largest facilities come first on most pages, and ranking their thousand capabilities each
    time was most of a search's time. Filled per facility as pages show them."""
    key = (database_key(session), data_version(session), today)
    tops, extra = UNFILTERED_DETAILS.get_or_compute(key, lambda: ({}, {}))
    missing = {pk: fid for pk, fid in ids.items() if pk not in extra}
    if missing:
        new_tops, new_extra = _details(session, missing, [LIVE], set(), today)
        for pk in missing:
            tops[pk], extra[pk] = new_tops.get(pk, []), new_extra.get(pk, (None, None))
    return {pk: [dict(c) for c in tops[pk]] for pk in ids}, {pk: extra[pk] for pk in ids}
