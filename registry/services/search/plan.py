"""Who can do a whole test plan: the facilities that cover every item, those that cover most, and
pairs of facilities that cover it together.

Each item is matched as a search's text is (terms.py: keywords as Chinese substrings, standard
numbers by their normalised key; a facility's own name does not count) against the live
capabilities of active facilities, every item of a plan at once (plan_match.py). A facility *covers*
an item when a matching capability of it has not expired; when all of its matching capabilities have
expired the item is *expired* for it: shown, not counted. Facilities are ranked by items covered, then
by holding a valid accreditation (CMA, CNAS, ...), then by expired items (renewable soonest), then by
distance from `near`.

Pairs are searched among the best `PAIR_CANDIDATES` facilities only, each joined with any facility
covering what it misses (as bit masks of items): at most PAIR_CANDIDATES × facilities checks, however
large the registry. A pair in which one facility alone covers the plan is not a pair.

Each item's matches are kept per data version (ITEM_MATCHES): plans share their items, standard
numbers above all.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from registry.caching import VersionedCache
from registry.database import database_key
from registry.models import Accreditation
from registry.search_text import fold
from registry.services.records.canonical import data_version
from registry.services.search.matching import facility_rows
from registry.services.search.plan_match import match_items
from registry.services.search.query import SearchQuery
from registry.services.search.results import facility_dict
from registry.services.search.terms import ids_in

PAIR_CANDIDATES = 30
PAIRS_SHOWN = 10
ITEM_MATCHES = VersionedCache(2048)  # (database, data version, day, item) -> {facility pk: valid}


@dataclass
class FacilityCoverage:
    facility: dict  # FACILITY_FIELDS of the search
    covered: list[int]  # indexes of the plan's items
    expired: list[int]
    missed: list[int]
    accredited: bool  # holds an accreditation valid today
    distance_km: float | None
    mask: int  # covered items as bits

    @property
    def complete(self) -> bool:
        return not self.missed and not self.expired


@dataclass
class PairCoverage:
    first: FacilityCoverage
    second: FacilityCoverage

    @property
    def distance_km(self) -> float | None:
        """How far both are together (the sum), when both are located."""
        if self.first.distance_km is None or self.second.distance_km is None:
            return None
        return round(self.first.distance_km + self.second.distance_km, 3)


@dataclass
class PlanCoverage:
    items: list[str]
    item_facilities: list[int]  # per item: facilities covering it
    complete: list[FacilityCoverage]  # covering every item, best first, at most `limit`
    complete_total: int
    partial: list[FacilityCoverage]  # covering some, best first, at most `limit`
    partial_total: int
    pairs: list[PairCoverage]  # two facilities covering every item together, best first
    near: tuple[float, float] | None

    @property
    def uncovered(self) -> list[int]:
        """Items no facility covers: no facility and no pair can do the whole plan."""
        return [i for i, n in enumerate(self.item_facilities) if not n]


def plan_coverage(session, items: list[str], today: date, *, near: tuple[float, float] | None = None,
                  limit: int = 20) -> PlanCoverage:
    """Who covers the plan `items` (checked by PlanSchema): complete facilities, partial ones (the first
    `limit` of each), and pairs."""
    version = (database_key(session), data_version(session), today)
    matches = items_matches(session, items, today, version)
    rows, distances = facility_rows(session, SearchQuery(near=near), today)
    active = {row.id: row for row in rows}
    found = {pk for per_item in matches for pk in per_item if pk in active}
    accredited = _accredited(session, found, today)
    full = (1 << len(items)) - 1
    coverages = []
    for pk in found:
        covered, expired, missed = [], [], []
        for i, per_item in enumerate(matches):
            valid = per_item.get(pk)
            (missed if valid is None else covered if valid else expired).append(i)
        mask = sum(1 << i for i in covered)
        coverages.append(FacilityCoverage(facility_dict(active[pk]), covered, expired, missed, pk in accredited,
                                          _rounded(distances.get(pk)), mask))
    coverages.sort(key=_rank)
    complete = [c for c in coverages if c.mask == full]
    partial = [c for c in coverages if c.mask != full]
    item_facilities = [sum(1 for c in coverages if c.mask >> i & 1) for i in range(len(items))]
    pairs = _pairs(partial, full) if all(item_facilities) else []
    return PlanCoverage(list(items), item_facilities, complete[:limit], len(complete), partial[:limit],
                        len(partial), pairs, near)


def items_matches(session, items: list[str], today: date, version: tuple | None = None) -> list[dict[int, bool]]:
    """Per item, {facility pk: a matching capability is valid today} over live capabilities: the items
    kept from earlier plans taken as they are, every other item matched in one batch (plan_match.py)."""
    if version is None:
        version = (database_key(session), data_version(session), today)
    keys = [(*version, fold(item)) for item in items]
    kept = [ITEM_MATCHES.get(key) for key in keys]
    missing = {key: item for key, item, value in zip(keys, items, kept) if value is None}
    computed = dict(zip(missing, match_items(session, list(missing.values()), today, version[1]))) if missing else {}
    for key, value in computed.items():
        ITEM_MATCHES.put(key, value)
    return [value if value is not None else computed[key] for key, value in zip(keys, kept)]


def _accredited(session, pks: set[int], today: date) -> set[int]:
    if not pks:
        return set()
    stmt = select(Accreditation.facility_pk).distinct().where(
        ids_in(Accreditation.facility_pk, pks, session.get_bind().dialect.name),
        or_(Accreditation.valid_until.is_(None), Accreditation.valid_until >= today))
    return set(session.connection().execute(stmt).scalars())


def _rank(c: FacilityCoverage):
    return (-len(c.covered), not c.accredited, -len(c.expired), c.distance_km is None, c.distance_km or 0.0,
            c.facility["name"], c.facility["facility_id"])


def _pairs(partial: list[FacilityCoverage], full: int) -> list[PairCoverage]:
    """Pairs covering every item: each of the best PAIR_CANDIDATES with the best few facilities covering
    what it misses. Partners are tried best first (accredited, near, covering most), so each candidate
    stops after PAIRS_SHOWN partners: one bit test per facility at worst."""
    position = {id(c): n for n, c in enumerate(partial)}
    partners = sorted((c for c in partial if c.mask), key=lambda c: (
        not c.accredited, c.distance_km is None, c.distance_km or 0.0, -len(c.covered), position[id(c)]))
    found: dict[frozenset, PairCoverage] = {}
    for first in partial[:PAIR_CANDIDATES]:
        need = full & ~first.mask
        taken = 0
        for second in partners:
            if second.mask & need != need or second is first:
                continue
            key = frozenset((first.facility["facility_id"], second.facility["facility_id"]))
            if key not in found:
                a, b = sorted((first, second), key=lambda c: position[id(c)])
                found[key] = PairCoverage(a, b)
            taken += 1
            if taken == PAIRS_SHOWN:
                break
    return sorted(found.values(), key=_pair_rank)[:PAIRS_SHOWN]


def _pair_rank(p: PairCoverage):
    distance = p.distance_km
    return (not (p.first.accredited and p.second.accredited), distance is None, distance or 0.0,
            -(len(p.first.covered) + len(p.second.covered)), _rank(p.first), _rank(p.second))


def _rounded(km: float | None) -> float | None:
    return round(km, 3) if km is not None else None
