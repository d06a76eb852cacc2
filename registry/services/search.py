"""Find facilities by what they can do, where, and how close.

How it stays fast (see registry/search_text.py): keyword and standard terms
are matched against the few distinct capability texts (`search_docs`) and the
facilities' own text, in SQL with LIKE as a pre-filter and in Python exactly;
matching capabilities are then counted per facility and discipline through the
index (search_doc_id, facility_pk, discipline), range search uses the index
(range_dimension, range_min_base), and everything per facility -- facets,
distance, sorting, pagination -- is done in Python over at most one row per
facility and discipline.

Input is never trusted: `parse_search_args` drops or adjusts bad values with a
message each, and no query string reaches SQL other than as a bound parameter.
"""
from __future__ import annotations

import math
import operator
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, all_, and_, any_, bindparam, case, false, func, or_, select, true
from sqlalchemy.dialects.postgresql import ARRAY

from geo.distance import distance_m
from registry import units
from registry.identifiers import standard_key_matches, standard_search_key
from registry.models import Accreditation, Capability, Facility
from registry.models.capability import SearchDoc
from registry.ops import metrics
from registry.schemas.fields import ExternalId
from registry.schemas.interchange import CAPABILITY_COLUMNS
from registry.search_text import escape_like, fold
from registry.services.records.canonical import data_version
from registry.vocabulary import (
    ACCREDITATION_SCHEMES,
    DISCIPLINES,
    FACILITY_KINDS,
    LEVELS,
    OWNERSHIPS,
    discipline_aliases,
    district_aliases,
)

__all__ = ["SearchQuery", "CapabilityHit", "FacilityHit", "SearchResult", "parse_search_args",
           "search_facilities", "facility_points", "facility_detail", "facility_capabilities"]

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
MAX_PER_PAGE = 100
MAX_PAGE = 10_000
MAX_RADIUS_KM = 500.0
SORTS = ("relevance", "distance", "fee", "lead_time")
INACTIVE = ("suspended", "revoked", "closed")
HIT_CAPABILITIES = 5


@dataclass
class SearchQuery:
    q: str = ""
    quantity: str = ""
    value: float | None = None
    unit: str = ""
    kinds: tuple[str, ...] = ()
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
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20


@dataclass
class CapabilityHit:
    """A matched capability; hits carry it as a dict (CAPABILITY_COLUMNS + 'expired')."""

    values: dict
    expired: bool


@dataclass
class FacilityHit:
    facility: dict
    capabilities: list[dict]
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
    pages: int = 1  # added: number of pages for `total`


# --- reading the query string ------------------------------------------------

_TRUE = {"1", "true", "yes", "on", "y"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _values(args: Mapping, name: str) -> list[str]:
    if hasattr(args, "getlist"):
        raw = args.getlist(name)
    else:
        raw = args.get(name)
        raw = [] if raw is None else list(raw) if isinstance(raw, (list, tuple)) else [raw]
    out = []
    for value in raw:
        text = _CONTROL.sub("", unicodedata.normalize("NFKC", str(value))).strip()
        out.extend(p.strip() for p in text.split(",") if p.strip()) if name in _LISTS else out.append(text)
    return [v for v in out if v]


_LISTS = {"kind", "district", "level", "accreditation", "discipline"}


def _first(args, name) -> str:
    values = _values(args, name)
    return values[0] if values else ""


def _number(text: str) -> float | None:
    try:
        number = float(text.replace(" ", ""))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _choices(args, name, allowed: Mapping, messages, aliases: Mapping | None = None) -> tuple[str, ...]:
    chosen = []
    for value in _values(args, name):
        key = value.lower() if value.lower() in allowed else None
        if key is None and aliases:
            key = next((k for k, names in aliases.items()
                        if value in names or value.lower() in (n.lower() for n in names)), None)
        if key is None:
            messages.append(_l("Unknown %(name)s ignored: %(value)s", name=name, value=value[:40]))
        elif key not in chosen:
            chosen.append(key)
    return tuple(chosen)


def parse_search_args(args: Mapping) -> tuple[SearchQuery, list]:
    """Lenient: bad values are dropped (or adjusted) with a lazy message each, never an exception."""
    messages: list = []
    query = SearchQuery()
    q = _first(args, "q")
    if len(q) > MAX_QUERY_CHARS:
        messages.append(_l("The search text was shortened to %(n)s characters.", n=MAX_QUERY_CHARS))
        q = q[:MAX_QUERY_CHARS]
    query.q = q
    query.quantity = _first(args, "quantity")[:100]

    value_text, unit_text = _first(args, "value"), _first(args, "unit")
    if value_text:
        value = _number(value_text[:50])
        if value is None:
            messages.append(_l("Not a number, range search ignored: %(value)s", value=value_text[:40]))
        else:
            query.value = value
    if unit_text:
        try:
            query.unit = units.parse_unit(unit_text[:30])
        except Exception:
            messages.append(_l("Unknown unit, range search ignored: %(unit)s", unit=unit_text[:40]))
    if query.value is not None and not query.unit:
        if not unit_text:
            messages.append(_l("A value needs a unit for range search; range search ignored."))
        query.value = None
    if query.unit and query.value is None:
        query.unit = ""

    query.kinds = _choices(args, "kind", FACILITY_KINDS, messages, FACILITY_KINDS)
    query.districts = _choices(args, "district", district_aliases(), messages, district_aliases())
    ownership = _choices(args, "ownership", OWNERSHIPS, messages, OWNERSHIPS)
    query.ownership = ownership[0] if ownership else None
    query.levels = _choices(args, "level", LEVELS, messages, LEVELS)
    query.accreditations = _choices(args, "accreditation", dict.fromkeys(ACCREDITATION_SCHEMES), messages)
    query.disciplines = _choices(args, "discipline", DISCIPLINES, messages, discipline_aliases())
    query.shared = _first(args, "shared").lower() in _TRUE
    query.bookable = _first(args, "bookable").lower() in _TRUE
    query.valid_only = _first(args, "valid").lower() in _TRUE
    query.include_inactive = _first(args, "inactive").lower() in _TRUE

    near = _first(args, "near")
    if near:
        parts = [_number(p) for p in near.split(",")]
        if len(parts) != 2 or None in parts or not (-180 <= parts[0] <= 180 and -90 <= parts[1] <= 90):
            messages.append(_l("Not a point (longitude,latitude), ignored: %(value)s", value=near[:40]))
        else:
            query.near = (parts[0], parts[1])
    radius = _first(args, "radius_km")
    if radius:
        number = _number(radius[:50])
        if number is None or number <= 0:
            messages.append(_l("The radius must be a positive number of km; ignored."))
        elif number > MAX_RADIUS_KM:
            messages.append(_l("The radius was limited to %(km)s km.", km=int(MAX_RADIUS_KM)))
            query.radius_km = MAX_RADIUS_KM
        else:
            query.radius_km = number
    if query.radius_km is not None and query.near is None:
        messages.append(_l("A radius needs a point (near); ignored."))
        query.radius_km = None

    bbox = _first(args, "bbox")
    if bbox:
        parts = [_number(p) for p in bbox.split(",")]
        if len(parts) != 4 or None in parts:
            messages.append(_l("Not a map area (minlon,minlat,maxlon,maxlat), ignored: %(value)s",
                               value=bbox[:60]))
        else:
            minlon, minlat, maxlon, maxlat = parts
            if minlon > maxlon or minlat > maxlat:
                messages.append(_l("The map area's corners were swapped."))
                minlon, maxlon = sorted((minlon, maxlon))
                minlat, maxlat = sorted((minlat, maxlat))
            query.bbox = (max(minlon, -180.0), max(minlat, -90.0), min(maxlon, 180.0), min(maxlat, 90.0))

    sort = _first(args, "sort").lower()
    if sort:
        if sort in SORTS:
            query.sort = sort
        else:
            messages.append(_l("Unknown sort order ignored: %(value)s", value=sort[:40]))
    if query.sort == "distance" and query.near is None:
        messages.append(_l("Sorting by distance needs a point (near); sorted by relevance."))
        query.sort = "relevance"
    query.page = _bounded_int(args, "page", 1, 1, MAX_PAGE, messages)
    query.per_page = _bounded_int(args, "per_page", 20, 1, MAX_PER_PAGE, messages)
    return query, messages


def _bounded_int(args, name, default, low, high, messages) -> int:
    text = _first(args, name)
    if not text:
        return default
    number = _number(text[:20])
    if number is None:
        messages.append(_l("Not a number, ignored: %(name)s", name=name))
        return default
    clamped = min(max(int(number), low), high)
    if clamped != number:
        messages.append(_l("%(name)s adjusted to %(value)s", name=name, value=clamped))
    return clamped


# --- terms --------------------------------------------------------------------

# A standard number as people type it: an issuer prefix (GB, GB/T, ISO/IEC, DB33/T, JJG) then digits.
# Every repetition is anchored by a required "/" or "-"/":": no two ways to match the same text, so a
# hostile 10,000-letter query costs linear time, not exponential backtracking.
_STANDARD = re.compile(
    r"(?<![a-z0-9])([a-z]{1,8}(?:[0-9]{1,4})?(?:/[a-z]{1,5})*/?)\s*([0-9][0-9.]*(?:\s*[-:]\s*[0-9]+)*)(?![0-9])",
    re.IGNORECASE)


@dataclass
class _Terms:
    keywords: list[str]    # folded substrings
    standards: list[tuple[str, str]]  # (search key, folded text as typed)


def _terms(q: str) -> _Terms:
    text = unicodedata.normalize("NFKC", (q or "")[:MAX_QUERY_CHARS])
    standards = []
    for m in _STANDARD.finditer(text):
        key = standard_search_key(m[0])
        if key and (key, fold(m[0])) not in standards:
            standards.append((key, fold(m[0])))
    rest = _STANDARD.sub(" ", text)
    keywords = []
    for word in fold(rest).split(" "):
        word = word.strip("\"'*()")
        if word and word not in keywords and word not in ("and", "or", "not", "near"):
            keywords.append(word)
    return _Terms(keywords[:MAX_TERMS], standards[:MAX_TERMS])


def _ids_in(column, ids, dialect: str, *, negate: bool = False):
    """`column IN ids` for id sets of any size. On PostgreSQL one array parameter (`= ANY`)
    instead of a bind parameter per id: compiling thousands of those cost more than the query."""
    ids = sorted(ids)
    if dialect == "postgresql":
        array = bindparam(None, ids, type_=ARRAY(Integer))
        return column != all_(array) if negate else column == any_(array)
    return column.not_in(ids) if negate else column.in_(ids)


def _like(column, term: str):
    return column.like("%" + escape_like(term) + "%", escape="\\")


class _Match:
    """Which documents and facilities each term matches; builds the capability condition."""

    def __init__(self, session, terms: _Terms, *, facility_text: bool = True):
        """`facility_text=False`: a facility's own name and address select none of its capabilities
        (searching within one facility)."""
        self.terms = terms
        self.doc_sets: list[set[int]] = []
        self.fac_sets: list[set[int]] = []
        self.facility_only = True  # every term may also match a facility's own text
        self.impossible = False
        self.dialect = session.get_bind().dialect.name
        if not terms.keywords and not terms.standards:
            return
        prefilter = [_like(SearchDoc.text, k) for k in terms.keywords]
        for key, typed in terms.standards:
            prefilter += [_like(SearchDoc.standard_keys, ";" + key), _like(SearchDoc.text, typed)]
        docs = session.connection().execute(select(SearchDoc.id, SearchDoc.text, SearchDoc.standard_keys)
                               .where(or_(*prefilter))).all()
        for keyword in terms.keywords:
            self.doc_sets.append({d.id for d in docs if keyword in d.text})
        for key, typed in terms.standards:
            by_key = {d.id for d in docs if any(standard_key_matches(key, k)
                                                 for k in d.standard_keys.split(";") if k)}
            self.doc_sets.append(by_key or {d.id for d in docs if typed in d.text})
        # Facilities' own text (name, district, address): keyword terms only.
        if terms.keywords and facility_text:
            rows = session.connection().execute(select(Facility.id, Facility.search_text).where(
                Facility.deleted_at.is_(None),
                or_(*[_like(Facility.search_text, k) for k in terms.keywords]))).all()
            for keyword in terms.keywords:
                self.fac_sets.append({r.id for r in rows if keyword in (r.search_text or "")})
        self.fac_sets += [set() for _ in range(len(self.doc_sets) - len(self.fac_sets))]
        self.impossible = any(not d and not f for d, f in zip(self.doc_sets, self.fac_sets))

    @property
    def active(self) -> bool:
        return bool(self.doc_sets)

    def facilities_matching_all(self) -> set[int]:
        if not self.fac_sets or any(not f for f in self.fac_sets):
            return set()
        return set.intersection(*self.fac_sets)

    def condition(self, skip: frozenset[int] = frozenset()):
        """Capability c matches iff for every term: c's document matches, or c's facility does.
        Capabilities of the facilities in `skip` are left out (the caller counts them otherwise)."""
        if not self.active:
            return true()
        if self.impossible:
            return false()
        n = len(self.doc_sets)
        groups: dict[frozenset, set[int]] = {}
        for pk in set().union(*self.fac_sets):
            matched = frozenset(i for i in range(n) if pk in self.fac_sets[i])
            groups.setdefault(matched, set()).add(pk)
        groups = {m: pks - skip for m, pks in groups.items() if pks - skip}
        parts = []
        all_docs = set.intersection(*self.doc_sets)
        special = set().union(skip, *groups.values())
        if all_docs:
            base = _ids_in(Capability.search_doc_id, all_docs, self.dialect)
            parts.append(and_(base, _ids_in(Capability.facility_pk, special, self.dialect, negate=True))
                         if special else base)
        for matched, pks in groups.items():
            rest = [self.doc_sets[i] for i in range(n) if i not in matched]
            docs = set.intersection(*rest) if rest else None
            if docs is None:
                parts.append(_ids_in(Capability.facility_pk, pks, self.dialect))
            elif docs:
                parts.append(and_(_ids_in(Capability.facility_pk, pks, self.dialect),
                                  _ids_in(Capability.search_doc_id, docs, self.dialect)))
        return or_(*parts) if parts else false()

    def doc_relevance(self, doc_text: str | None) -> int:
        return sum(1 for k in self.terms.keywords if doc_text and k in doc_text)


# --- matching facilities ------------------------------------------------------

def _capability_conditions(query: SearchQuery, today: date, match: _Match, messages: list) -> list:
    conditions = [Capability.deleted_at.is_(None)]
    if match.active:
        conditions.append(match.condition())
    if query.value is not None and query.unit:
        try:
            base, dimension = units.to_base(query.value, query.unit)
        except Exception:
            messages.append(_l("Unknown unit, range search ignored: %(unit)s", unit=query.unit[:40]))
        else:
            slack = abs(base) * 1e-9
            conditions += [Capability.range_dimension == dimension[:80],
                           or_(Capability.range_min_base.is_(None), Capability.range_min_base <= base + slack),
                           or_(Capability.range_max_base.is_(None), Capability.range_max_base >= base - slack)]
    if query.quantity:
        quantity = fold(query.quantity)
        conditions.append(or_(_like(func.lower(Capability.quantity), quantity),
                              _like(func.lower(Capability.name), quantity)))
    if query.bookable:
        conditions.append(Capability.bookable.is_(True))
    if query.valid_only:
        conditions.append(or_(Capability.valid_until.is_(None), Capability.valid_until >= today))
    return conditions


def _capability_required(query: SearchQuery, match: _Match) -> bool:
    return bool(match.active or query.value is not None or query.quantity or query.bookable
                or query.valid_only or query.disciplines)


FACILITY_FIELDS = ("facility_id", "name", "name_en", "kind", "ownership", "level", "district_code",
                   "lon", "lat", "shared", "status", "demo", "address")


def _facility_rows(session, query: SearchQuery, today: date):
    """Facilities passing every facility filter except kind and district (those are faceted)."""
    columns = [Facility.id] + [getattr(Facility, name) for name in FACILITY_FIELDS]
    stmt = select(*columns).where(Facility.deleted_at.is_(None))
    if not query.include_inactive:
        stmt = stmt.where(Facility.status.not_in(INACTIVE))
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
    return session.connection().execute(stmt).all()  # Core rows: no ORM loading for plain columns


def _distances_km(near, rows) -> dict[int, float]:
    """Geodesic distance from `near` to every located row, in one vectorised call."""
    located = [row for row in rows if row.lon is not None]
    if not near or not located:
        return {}
    metres = np.atleast_1d(distance_m(near[0], near[1], [r.lon for r in located], [r.lat for r in located]))
    return {row.id: float(m) / 1000 for row, m in zip(located, metres)}


@dataclass
class _Candidate:
    pk: int
    row: object
    matched: int
    distance_km: float | None
    name_match: bool


def _match(session, query: SearchQuery, today: date, messages: list, *, facets: bool):
    """(matched candidates, facets, match, capability conditions)."""
    match = _Match(session, _terms(query.q))
    conditions = _capability_conditions(query, today, match, messages)
    required = _capability_required(query, match)
    facility_only = match.facilities_matching_all() if not (
        query.value is not None or query.quantity or query.bookable or query.valid_only or query.disciplines
    ) else set()
    counts: dict[int, dict[str | None, int]] = {}
    if len(conditions) == 1:  # live capabilities only: the same for every query until data changes
        counts = _live_counts(session) if (required or facets) else {}
    elif required or facets:
        if facility_only:
            # A facility whose own text matches every term matches with all its capabilities, and no
            # other capability condition applies (see above): take its counts from the cached totals
            # instead of counting, in SQL, every capability of every such facility.
            live = _live_counts(session)
            counts = {pk: dict(live.get(pk, {})) for pk in facility_only}
            counted = [conditions[0], match.condition(skip=frozenset(facility_only))]
        else:
            counted = conditions
        for pk, per_discipline in _counts(session, counted).items():
            counts.setdefault(pk, {}).update(per_discipline)

    selected_disciplines = set(query.disciplines)
    kinds, districts = set(query.kinds), set(query.districts)
    base: list[_Candidate] = []
    rows = _facility_rows(session, query, today)
    distances = _distances_km(query.near, rows)
    for row in rows:
        per_discipline = counts.get(row.id, {})
        if selected_disciplines:
            matched = sum(n for d, n in per_discipline.items() if d in selected_disciplines)
        else:
            matched = sum(per_discipline.values())
        if required and not matched and row.id not in facility_only:
            continue
        distance = distances.get(row.id)
        if query.near and query.radius_km and (distance is None or distance > query.radius_km):
            continue
        base.append(_Candidate(row.id, row, matched, distance, row.id in facility_only))

    facet_counts: dict[str, dict[str, int]] = {"kind": {}, "district": {}, "discipline": {}}
    if facets:
        for c in base:
            in_kind = not kinds or c.row.kind in kinds
            in_district = not districts or c.row.district_code in districts
            if in_district:
                facet_counts["kind"][c.row.kind] = facet_counts["kind"].get(c.row.kind, 0) + 1
            if in_kind:
                code = c.row.district_code
                facet_counts["district"][code] = facet_counts["district"].get(code, 0) + 1
            if in_kind and in_district:
                for d, n in counts.get(c.pk, {}).items():
                    if d and n:
                        facet_counts["discipline"][d] = facet_counts["discipline"].get(d, 0) + 1
        for name in facet_counts:
            facet_counts[name] = dict(sorted(facet_counts[name].items(), key=lambda kv: (-kv[1], kv[0])))
    candidates = [c for c in base if (not kinds or c.row.kind in kinds)
                  and (not districts or c.row.district_code in districts)]
    return candidates, facet_counts, match, conditions


def _counts(session, conditions) -> dict[int, dict[str | None, int]]:
    """Capabilities meeting `conditions`, per facility and discipline."""
    stmt = (select(Capability.facility_pk, Capability.discipline, func.count())
            .where(*conditions).group_by(Capability.facility_pk, Capability.discipline))
    counts: dict[int, dict[str | None, int]] = {}
    for pk, discipline, n in session.connection().execute(stmt).all():
        counts.setdefault(pk, {})[discipline] = n
    return counts


_LIVE_COUNTS: dict[tuple, dict] = {}


def _live_counts(session) -> dict[int, dict[str | None, int]]:
    """Live capabilities per facility and discipline, cached until the next change set.

    Every write to capabilities (import, edit) records a change set, so the newest change set id
    (with the database it belongs to) identifies the data; the cache holds one entry per database.
    """
    bind = session.get_bind()
    key = (str(bind.url), data_version(session))
    cached = _LIVE_COUNTS.get(key)
    if cached is None:
        cached = _counts(session, [Capability.deleted_at.is_(None)])
        for old in [k for k in _LIVE_COUNTS if k[0] == key[0]]:
            del _LIVE_COUNTS[old]
        _LIVE_COUNTS[key] = cached
    return cached


def _discipline_condition(query: SearchQuery):
    return Capability.discipline.in_(query.disciplines) if query.disciplines else true()


def _price_and_lead(session, pks: list[int], conditions, query) -> dict[int, tuple]:
    if not pks:
        return {}
    stmt = (select(Capability.facility_pk, func.min(Capability.price_cny), func.min(Capability.lead_time_days))
            .where(*conditions, _discipline_condition(query),
                   _ids_in(Capability.facility_pk, pks, session.get_bind().dialect.name))
            .group_by(Capability.facility_pk))
    return {pk: (price, lead) for pk, price, lead in session.connection().execute(stmt)}


CAPABILITY_FIELDS = [c for c in CAPABILITY_COLUMNS if c != "facility_id"]


def _capability_dict(row, facility_id: str, today: date) -> dict:
    values = {"facility_id": facility_id}
    for name in CAPABILITY_FIELDS:
        values[name] = getattr(row, name)
    values["expired"] = row.valid_until is not None and row.valid_until < today
    return values


def _page_details(session, pages: list[_Candidate], conditions, query, match: _Match,
                  today: date) -> tuple[dict[int, list[dict]], dict[int, tuple]]:
    """Up to 5 best capabilities per shown facility, and each one's lowest fee and lead time."""
    if not pages:
        return {}, {}
    ids = {c.pk: c.row.facility_id for c in pages}
    if len(conditions) == 1 and not query.disciplines:  # every live capability counts
        return _unfiltered_details(session, ids, today)
    best_docs = set.intersection(*match.doc_sets[:len(match.terms.keywords)]) if match.terms.keywords else set()
    # A facility whose own text matched every term matches with all its capabilities: rank only its
    # relevant ones here and take the rest from the cached unfiltered ranking, not all of them again.
    whole = {c.pk: ids[c.pk] for c in pages if c.name_match}
    rest = {pk: facility_id for pk, facility_id in ids.items() if pk not in whole}
    tops, extra = _details(session, rest, [*conditions, _discipline_condition(query)], best_docs, today) \
        if rest else ({}, {})
    if whole:
        all_tops, all_extra = _unfiltered_details(session, whole, today)
        relevant = _details(session, whole, [Capability.deleted_at.is_(None), _ids_in(
            Capability.search_doc_id, best_docs, session.get_bind().dialect.name)], set(), today)[0] \
            if best_docs else {}
        for pk in whole:
            first = relevant.get(pk, [])
            shown = {c["capability_id"] for c in first}
            tops[pk] = (first + [c for c in all_tops[pk] if c["capability_id"] not in shown])[:HIT_CAPABILITIES]
            extra[pk] = all_extra[pk]
    return tops, extra


def _details(session, ids: dict[int, str], conditions, best_docs: set[int], today: date):
    dialect = session.get_bind().dialect.name
    relevance = _ids_in(Capability.search_doc_id, best_docs, dialect) if best_docs else false()
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
        tops.setdefault(b.facility_pk, []).append(_capability_dict(full[b.id], ids[b.facility_pk], today))
    return tops, {b.facility_pk: (b.min_price, b.min_lead) for b in best}


_DETAILS: dict[tuple, tuple[dict, dict]] = {}


def _unfiltered_details(session, ids: dict[int, str], today: date):
    """`_details` with no capability condition depends only on the data and the day: the
    largest facilities come first on most pages, and ranking their thousand capabilities each
    time was most of a search's time. Cached per facility until the next change set."""
    bind = session.get_bind()
    key = (str(bind.url), data_version(session), today)
    if key not in _DETAILS:
        for old in [k for k in _DETAILS if k[0] == key[0]]:
            del _DETAILS[old]
        _DETAILS[key] = ({}, {})
    tops, extra = _DETAILS[key]
    missing = {pk: fid for pk, fid in ids.items() if pk not in extra}
    if missing:
        new_tops, new_extra = _details(session, missing, [Capability.deleted_at.is_(None)], set(), today)
        for pk in missing:
            tops[pk], extra[pk] = new_tops.get(pk, []), new_extra.get(pk, (None, None))
    return {pk: [dict(c) for c in tops[pk]] for pk in ids}, {pk: extra[pk] for pk in ids}


def _facility_dict(row) -> dict:
    return {name: getattr(row, name) for name in FACILITY_FIELDS}


@metrics.timed_search("facilities")
def search_facilities(session, query: SearchQuery, today: date) -> SearchResult:
    messages: list = []
    page = min(max(int(query.page or 1), 1), MAX_PAGE)
    per_page = min(max(int(query.per_page or 20), 1), MAX_PER_PAGE)
    sort = query.sort if query.sort in SORTS else "relevance"
    if sort == "distance" and not query.near:
        sort = "relevance"
    candidates, facets, match, conditions = _match(session, query, today, messages, facets=True)

    extra: dict[int, tuple] = {}
    if sort in ("fee", "lead_time"):
        extra = _price_and_lead(session, [c.pk for c in candidates], conditions, query)
        index = 0 if sort == "fee" else 1
        big = Decimal("1e20") if sort == "fee" else 10 ** 9

        def key(c):
            value = extra.get(c.pk, (None, None))[index]
            return (value is None, value if value is not None else big, -c.matched, c.row.name)
    elif sort == "distance":
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
    tops, page_extra = _page_details(session, shown, conditions, query, match, today)
    extra = extra or page_extra
    hits = []
    for c in shown:
        price, lead = extra.get(c.pk, (None, None))
        distance = round(c.distance_km, 3) if c.distance_km is not None else None
        hits.append(FacilityHit(_facility_dict(c.row), tops.get(c.pk, []), c.matched, distance,
                                Decimal(price).quantize(Decimal("0.01")) if price is not None else None,
                                lead))
    return SearchResult(hits, total, page, per_page, facets, messages, pages)


POINT_FIELDS = ("facility_id", "name", "name_en", "kind", "ownership", "shared", "district_code", "lon",
                "lat", "demo")
_POINT_VALUES = operator.attrgetter(*POINT_FIELDS)


@metrics.timed_search("map_points")
def facility_points(session, query: SearchQuery, today: date) -> list[dict]:
    """Every matching facility with a location, no pagination (for the map's GeoJSON)."""
    candidates, _facets, _match_, _conditions = _match(session, query, today, [], facets=False)
    return [dict(zip(POINT_FIELDS, _POINT_VALUES(c.row))) for c in candidates if c.row.lon is not None]


def facility_detail(session, facility_id: str, today: date) -> dict | None:
    """Everything known about a live facility, with its accreditations and their validity."""
    if not isinstance(facility_id, str) or not ExternalId.PATTERN.fullmatch(facility_id):  # never stored
        return None
    facility = session.execute(select(Facility).where(
        Facility.facility_id == facility_id, Facility.deleted_at.is_(None))).scalar_one_or_none()
    if facility is None:
        return None
    columns = [c.key for c in Facility.__table__.columns if c.key not in ("id", "search_text", "deleted_at")]
    detail = {name: getattr(facility, name) for name in columns}
    detail["fields"] = [f for f in (facility.fields or "").split(";") if f]
    detail["active"] = facility.status not in INACTIVE
    detail["accreditations"] = [
        {"scheme": a.scheme, "number": a.number, "valid_until": a.valid_until,
         "valid": a.valid_until is None or a.valid_until >= today}
        for a in facility.accreditations]
    counts = dict(session.execute(
        select(Capability.kind, func.count()).where(Capability.facility_pk == facility.id,
                                                    Capability.deleted_at.is_(None))
        .group_by(Capability.kind)).all())
    detail["capability_counts"] = counts
    detail["capability_total"] = sum(counts.values())
    detail["bookable"] = session.execute(select(Capability.id).where(
        Capability.facility_pk == facility.id, Capability.deleted_at.is_(None),
        Capability.bookable.is_(True)).limit(1)).first() is not None
    return detail


@metrics.timed_search("facility_capabilities")
def facility_capabilities(session, facility_id, q: str, page, per_page, today) -> tuple[list[dict], int]:
    """A facility's live capabilities matching `q` (keywords and standard numbers), paginated."""
    if not isinstance(facility_id, str) or not ExternalId.PATTERN.fullmatch(facility_id):  # never stored
        return [], 0
    pk = session.execute(select(Facility.id).where(Facility.facility_id == facility_id,
                                                   Facility.deleted_at.is_(None))).scalar()
    if pk is None:
        return [], 0
    try:
        page = min(max(int(page), 1), MAX_PAGE)
        per_page = min(max(int(per_page), 1), MAX_PER_PAGE)
    except (TypeError, ValueError):
        page, per_page = 1, 20
    match = _Match(session, _terms(q or ""), facility_text=False)
    where = [Capability.facility_pk == pk, Capability.deleted_at.is_(None), match.condition()]
    total = session.execute(select(func.count()).select_from(Capability).where(*where)).scalar()
    rows = session.execute(select(Capability).where(*where)
                           .order_by(Capability.kind, Capability.name, Capability.capability_id)
                           .limit(per_page).offset((page - 1) * per_page)).scalars().all()
    return [_capability_dict(r, facility_id, today) for r in rows], total


# --- the partner API: keyset pages of facilities and of capabilities ----------
# Appended as separate functions so that the web search above can change freely; they reuse its
# matching (_match, _Match, _capability_conditions, _facility_rows) and add stable sort keys
# (for cursors), a status filter and updated_since.



@dataclass
class ApiFacility:
    key: list  # the sort key, JSON-serialisable (a cursor carries the last one)
    row: object
    matched: int
    distance_km: float | None


def _updated_since(session, model, since) -> set[int]:
    return set(session.connection().execute(select(model.id).where(model.updated_at >= since)).scalars())


@metrics.timed_search("api_facilities")
def api_facility_list(session, query: SearchQuery, today: date, *, statuses=(), updated_since=None,
                      facets: bool = True) -> tuple[list[ApiFacility], dict]:
    """Every matching facility in a stable order (relevance, or distance with `near`), and facets.

    `statuses` narrows to those statuses (inactive ones included when asked for by name);
    `updated_since` keeps facilities written at or after that time.
    """
    if statuses:
        query.include_inactive = True
    candidates, facet_counts, _m, _c = _match(session, query, today, [], facets=facets)
    if statuses:
        candidates = [c for c in candidates if c.row.status in statuses]
    if updated_since is not None:
        recent = _updated_since(session, Facility, updated_since)
        candidates = [c for c in candidates if c.pk in recent]
    out = []
    for c in candidates:
        if query.sort == "distance" and query.near:
            key = [c.distance_km is None, round(c.distance_km or 0.0, 6), c.row.facility_id]
        else:
            key = [not c.name_match, -c.matched, c.row.name, c.row.facility_id]
        distance = round(c.distance_km, 3) if c.distance_km is not None else None
        out.append(ApiFacility(key, c.row, c.matched, distance))
    out.sort(key=lambda f: f.key)
    return out, facet_counts


@dataclass
class CapabilityPage:
    rows: list[dict]  # capability values (CAPABILITY_COLUMNS + id, updated_at, demo, expired)
    total: int
    facets: dict[str, dict[str, int]]
    more: bool


@metrics.timed_search("api_capabilities")
def api_capability_page(session, query: SearchQuery, today: date, *, kinds=(), facility_ids=(),
                        statuses=(), updated_since=None, after_id: int | None = None, limit: int = 20,
                        facility_text: bool = True) -> CapabilityPage:
    """Capabilities one by one, in registry order (id), after `after_id`; with the total and facets
    (facility kind, district, discipline) of all matches. Facility filters of `query` apply to the
    capabilities' facilities; `facility_text=False` keeps a facility's own text from selecting its
    capabilities (searching within one facility)."""
    match = _Match(session, _terms(query.q), facility_text=facility_text)
    conditions = _capability_conditions(query, today, match, [])
    if query.disciplines:
        conditions.append(_discipline_condition(query))
    if kinds:
        conditions.append(Capability.kind.in_(list(kinds)))
    if updated_since is not None:
        conditions.append(Capability.updated_at >= updated_since)

    rows = _facility_rows(session, query, today)
    distances = _distances_km(query.near, rows)
    wanted_ids = set(facility_ids)
    allowed = {}
    for row in rows:
        if query.kinds and row.kind not in query.kinds or query.districts and row.district_code not in query.districts:
            continue
        if wanted_ids and row.facility_id not in wanted_ids or statuses and row.status not in statuses:
            continue
        if query.near and query.radius_km:
            distance = distances.get(row.id)
            if distance is None or distance > query.radius_km:
                continue
        allowed[row.id] = row
    all_pks = set(session.connection().execute(select(Facility.id)).scalars())
    dialect = session.get_bind().dialect.name
    if len(allowed) <= len(all_pks) - len(allowed):
        facility_condition = _ids_in(Capability.facility_pk, allowed, dialect)
    else:
        excluded = all_pks - set(allowed)
        facility_condition = _ids_in(Capability.facility_pk, excluded, dialect, negate=True) if excluded else true()

    if len(conditions) == 1:
        counts = _live_counts(session)
    else:
        counts = _counts(session, [*conditions, facility_condition])  # e.g. one facility's, not the city's
    total = 0
    facets: dict[str, dict[str, int]] = {"facility_kind": {}, "district": {}, "discipline": {}}
    for pk, per_discipline in counts.items():
        row = allowed.get(pk)
        if row is None:
            continue
        for discipline, n in per_discipline.items():  # already narrowed to the disciplines asked for
            total += n
            facets["facility_kind"][row.kind] = facets["facility_kind"].get(row.kind, 0) + n
            facets["district"][row.district_code] = facets["district"].get(row.district_code, 0) + n
            if discipline:
                facets["discipline"][discipline] = facets["discipline"].get(discipline, 0) + n
    for name in facets:
        facets[name] = dict(sorted(facets[name].items(), key=lambda kv: (-kv[1], kv[0])))
    if not total or not allowed:
        return CapabilityPage([], total, facets, False)

    page_conditions = [*conditions, facility_condition]
    if after_id is not None:
        page_conditions.append(Capability.id > after_id)
    found = session.connection().execute(
        select(Capability.id, Capability.facility_pk, Capability.updated_at, Capability.demo,
               *[getattr(Capability, n) for n in CAPABILITY_FIELDS])
        .where(*page_conditions).order_by(Capability.id).limit(limit + 1)).all()
    out = []
    for r in found[:limit]:
        values = _capability_dict(r, allowed[r.facility_pk].facility_id, today)
        values.update(id=r.id, updated_at=r.updated_at, demo=r.demo)
        out.append(values)
    return CapabilityPage(out, total, facets, len(found) > limit)
