"""Every live capability's search document, facility, discipline, kind and validity, in each worker's memory.

A keyword search's total and facets count every capability it matches: tens of thousands for a common
word over a city's data. Counted by the database, that was the largest part of an uncached search (a
GROUP BY over each matched row, ~4 ms of a 10 ms answer on 300,000 capabilities); counted here, it is a
few vectorised array operations. The arrays are the inverted index's postings one level down: search
documents to the capabilities that carry them, and facilities to theirs, as in a column store. The
documents' n-gram index itself is held beside them (doc_postings.py), so that a search the arrays
answer reads nothing from the database but its page's rows.

They are a projection of the database, never a source: built from one read of the live capabilities
and kept, like every other derived figure, until the data's version changes (caching.py). A worker
holds 28 bytes a capability (300,000: 8.5 MB; 2,000,000: 56 MB); above `SEARCH_MEMORY_INDEX_ROWS` live
capabilities (0: never), searches count in the database as before (matching.py), and so does any search
with a condition the arrays do not hold (a range, a validity date, a lead time …).
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from flask import current_app
from sqlalchemy import func, select

from registry.caching import VersionedCache
from registry.database import database_key
from registry.models import Capability
from registry.services.search.doc_postings import DocumentPostings, load_documents
from registry.vocabulary import CAPABILITY_KINDS, DISCIPLINES


@dataclass(frozen=True)
class Postings:
    """Live capabilities in (search document, id) order, with lookups by document and by facility."""

    ids: object  # int64 capability ids
    docs: object  # int32 search document ids (-1: none)
    facilities: object  # int32 facility pks
    disciplines: object  # int16 index into DISCIPLINE_CODES (len: none)
    kinds: object  # int8 index into KIND_CODES
    valid_until: object  # int32 day ordinals (date.toordinal; NEVER: no end)
    doc_start: object  # int64 [document id] -> first position (len max doc id + 2, CSR)
    by_facility: object  # positions in facility order
    facility_start: object  # int64 [facility pk] -> first entry in by_facility (CSR)
    documents: DocumentPostings  # the documents' n-gram index: which documents a term matches

    def of_documents(self, doc_ids):
        """Positions of the capabilities carrying any of `doc_ids` (an int array)."""
        import numpy as np

        doc_ids = doc_ids[doc_ids < len(self.doc_start) - 1]
        return _gather(np, None, self.doc_start[doc_ids], self.doc_start[doc_ids + 1])

    def of_facilities(self, pks):
        import numpy as np

        pks = pks[pks < len(self.facility_start) - 1]
        return _gather(np, self.by_facility, self.facility_start[pks], self.facility_start[pks + 1])

    @cached_property
    def per_facility_discipline(self):
        """[facility pk, discipline code] -> live capabilities (the per-facility aggregate of every count
        that has no terms)."""
        import numpy as np

        pairs = _pair_counts(np, self.facilities, self.disciplines,
                             facilities_at_least=int(self.facilities.max(initial=0)) + 1)
        return pairs.reshape(-1, len(DISCIPLINE_CODES))

    def count_of_documents(self, doc_ids) -> int:
        doc_ids = doc_ids[doc_ids < len(self.doc_start) - 1]
        return int((self.doc_start[doc_ids + 1] - self.doc_start[doc_ids]).sum())

    def count_of_facilities(self, pks) -> int:
        pks = pks[pks < len(self.facility_start) - 1]
        return int((self.facility_start[pks + 1] - self.facility_start[pks]).sum())


DISCIPLINE_CODES = (*DISCIPLINES, None)  # a capability's discipline as a small integer; the last: none
KIND_CODES = tuple(CAPABILITY_KINDS)


def _gather(np, source, starts, ends):
    """source[starts[0]:ends[0]] + source[starts[1]:ends[1]] + … without a Python loop (source None: the
    positions themselves)."""
    lengths = ends - starts
    total = int(lengths.sum())
    if not total:
        return np.empty(0, dtype=np.int64)
    positions = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths) + np.arange(total)
    return positions if source is None else source[positions]


POSTINGS = VersionedCache(2, name="search_postings")  # per database and data version
INLINE_ROWS = 500_000  # up to this many capabilities (≈ 1 s) the arrays are built by the search that needs them
_building: dict[tuple, threading.Thread] = {}
_building_lock = threading.Lock()


def postings(session, version) -> Postings | None:
    """The arrays of the data at `version`, or None: the registry is larger than a worker holds, or its
    arrays are being built. A registry larger than INLINE_ROWS had them built in the background after a
    write (seconds at a province's size): meanwhile the database answers, rather than one search waiting."""
    limit = current_app.config["SEARCH_MEMORY_INDEX_ROWS"]
    if not limit:
        return None
    engine = session.get_bind()
    key = (database_key(engine), version)
    kept = POSTINGS.get(key)
    if kept is not None:
        return kept or None
    if key[0] not in _last_size:  # a worker's first search: how large is this registry?
        _last_size[key[0]] = session.connection().execute(_LIVE_COUNT).scalar_one()
    if _last_size[key[0]] <= INLINE_ROWS:
        with engine.connect() as connection:
            return _keep(key, _load(connection, limit)) or None
    with _building_lock:
        if key not in _building:
            _building[key] = thread = threading.Thread(target=_build, args=(engine, key, limit), daemon=True,
                                                       name="search-postings")
            thread.start()
    return None


def kept(session, version) -> Postings | None:
    """The arrays of the data at `version` if this worker holds them; nothing is built."""
    if not current_app.config["SEARCH_MEMORY_INDEX_ROWS"]:
        return None
    return POSTINGS.get((database_key(session), version)) or None


_last_size: dict[str, int] = {}  # per database: live capabilities when its arrays were last built


def _keep(key, held: Postings | None):
    if held is not None:
        _last_size[key[0]] = len(held.ids)
    return POSTINGS.put(key, held or False)


def _build(engine, key, limit: int) -> None:
    try:
        with engine.connect() as connection:
            _keep(key, _load(connection, limit))
    except Exception:  # the database answers instead; the next search after the next write tries again
        logging.getLogger(__name__).exception("search postings not built")
    finally:
        with _building_lock:
            _building.pop(key, None)


def wait_for_builds() -> None:
    """Until the arrays being built are kept (tests, and a warm-up that wants them)."""
    for thread in list(_building.values()):
        thread.join()


_LIVE_COUNT = select(func.count()).where(Capability.deleted_at.is_(None))
_LIVE_ROWS = ("SELECT id, search_doc_id, facility_pk, discipline, kind, valid_until FROM capabilities "
              "WHERE deleted_at IS NULL")
NEVER = 2**31 - 1  # the valid_until of a capability without an end


def _load(connection, limit: int) -> Postings | None:
    """One read of the live capabilities through the driver's own cursor (rows as plain tuples: a
    third of the time SQLAlchemy's rows took), made into arrays in (document, id) order."""
    import numpy as np

    if connection.execute(_LIVE_COUNT).scalar_one() > limit:
        return None
    cursor = connection.connection.cursor()
    try:
        cursor.execute(_LIVE_ROWS)
        columns = list(zip(*cursor.fetchall())) or [()] * 6
        documents = load_documents(cursor)
    finally:
        cursor.close()
    discipline_code = {d: i for i, d in enumerate(DISCIPLINE_CODES)}
    kind_code = {k: i for i, k in enumerate(KIND_CODES)}
    ids = np.array(columns[0], dtype=np.int64)
    docs = np.array([-1 if d is None else d for d in columns[1]], dtype=np.int32)
    facilities = np.array(columns[2], dtype=np.int32)
    disciplines = np.array([discipline_code.get(d, len(DISCIPLINES)) for d in columns[3]], dtype=np.int16)
    kinds = np.array([kind_code.get(k, 0) for k in columns[4]], dtype=np.int8)
    valid_until = np.array([_ordinal(d) for d in columns[5]], dtype=np.int32)
    order = np.lexsort((ids, docs))
    ids, docs, facilities, disciplines, kinds, valid_until = (
        a[order] for a in (ids, docs, facilities, disciplines, kinds, valid_until))
    return Postings(ids, docs, facilities, disciplines, kinds, valid_until, _starts(np, docs),
                    np.argsort(facilities, kind="stable").astype(np.int32), _starts(np, facilities), documents)


def _ordinal(day) -> int:
    """A stored date as a day ordinal (SQLite's driver gives ISO text, psycopg a date)."""
    if day is None:
        return NEVER
    return (day if isinstance(day, date) else date.fromisoformat(day)).toordinal()


def _starts(np, sorted_keys):
    """CSR offsets of non-negative keys: [k] -> first position of key k (sorted_keys sorted or not)."""
    keys = sorted_keys[sorted_keys >= 0]
    counts = np.bincount(keys, minlength=int(keys.max()) + 1 if len(keys) else 0)
    skipped = len(sorted_keys) - len(keys)  # the -1s sort first
    return np.concatenate(([0], np.cumsum(counts))).astype(np.int64) + skipped


def matching(p: Postings, match) -> object:
    """Positions of the capabilities a TermMatch matches: for every term, the capability's document
    matches it or its facility's own text does. The term with the fewest capabilities is read from the
    postings; the others are checked on those positions only."""
    import numpy as np

    if not match.active:
        return np.arange(len(p.ids))
    if match.impossible:
        return np.empty(0, dtype=np.int64)
    terms = [(_array(np, docs), _array(np, pks)) for docs, pks in zip(match.doc_sets, match.fac_sets)]
    sizes = [p.count_of_documents(docs) + p.count_of_facilities(pks) for docs, pks in terms]
    first = min(range(len(terms)), key=sizes.__getitem__)
    docs, pks = terms[first]
    found = p.of_documents(docs)
    if len(pks):  # the union, in position order, without sorting
        marked = np.zeros(len(p.ids), dtype=bool)
        marked[found] = True
        marked[p.of_facilities(pks)] = True
        found = np.flatnonzero(marked)
    for i, (docs, pks) in enumerate(terms):
        if i != first and len(found):
            keep = _member(np, p.docs[found], docs)
            if len(pks):
                keep |= _member(np, p.facilities[found], pks)
            found = found[keep]
    return found


def _member(np, values, members):
    """values[i] in members, for non-negative ints by a lookup table (np.isin sorts both)."""
    table = np.zeros(max(int(values.max(initial=0)), int(members.max(initial=0))) + 2, dtype=bool)
    table[members] = True
    return table[values]  # -1 (no document) reads the last entry, always False


def _array(np, values) -> object:
    return np.fromiter(values, dtype=np.int64, count=len(values))


class FacilitySet:
    """The facilities a search may list ({pk: row}) as arrays: which pks, and each one's kind and district,
    so that facets are counted per facility with numpy rather than per row in Python."""

    def __init__(self, rows: dict):
        import numpy as np

        self.rows = rows
        pks = _array(np, rows)
        size = int(pks.max(initial=-1)) + 1
        self.mask = np.zeros(size, dtype=bool)
        self.mask[pks] = True
        self.kinds = sorted({row.kind for row in rows.values()})
        self.districts = sorted({row.district_code for row in rows.values()})
        self.kind_of = np.zeros(size, dtype=np.int64)
        self.district_of = np.zeros(size, dtype=np.int64)
        kind_index = {k: i for i, k in enumerate(self.kinds)}
        district_index = {d: i for i, d in enumerate(self.districts)}
        self.kind_of[pks] = [kind_index[row.kind] for row in rows.values()]
        self.district_of[pks] = [district_index[row.district_code] for row in rows.values()]

    def keep(self, p: Postings, positions):
        """The positions whose facility is in the set."""
        facilities = p.facilities[positions]
        inside = facilities < len(self.mask)
        inside[inside] = self.mask[facilities[inside]]
        return positions[inside]

    def facets(self, per_facility, per_discipline) -> tuple[int, dict]:
        """(total, facets) from capabilities per facility pk (an array, zero outside the set) and per
        discipline code."""
        import numpy as np

        counts = np.zeros(len(self.mask), dtype=np.int64)
        shared = min(len(counts), len(per_facility))
        counts[:shared] = per_facility[:shared]
        counts *= self.mask
        return int(counts.sum()), {
            "facility_kind": _named(self.kinds, np.bincount(self.kind_of, weights=counts, minlength=len(self.kinds))),
            "district": _named(self.districts, np.bincount(self.district_of, weights=counts,
                                                           minlength=len(self.districts))),
            "discipline": _named(DISCIPLINE_CODES[:-1], per_discipline[:-1])}


def _named(names, counts) -> dict:
    return {name: int(n) for name, n in zip(names, counts.tolist()) if n}


def with_codes(positions, column, codes, values) -> object:
    """The positions whose `column` (disciplines or kinds) is one of `values` (names in `codes`)."""
    import numpy as np

    wanted = [codes.index(v) for v in values if v in codes]
    return positions[np.isin(column[positions], wanted)]


def per_facility(p: Postings, positions) -> dict[int, dict[str | None, int]]:
    """Capabilities at `positions` per facility and discipline, as matching.counts gives them."""
    import numpy as np

    width = len(DISCIPLINE_CODES)
    pairs = _pair_counts(np, p.facilities[positions], p.disciplines[positions])
    out: dict[int, dict[str | None, int]] = {}
    for pair in np.flatnonzero(pairs).tolist():
        out.setdefault(pair // width, {})[DISCIPLINE_CODES[pair % width]] = int(pairs[pair])
    return out


def _pair_counts(np, facilities, disciplines, facilities_at_least: int = 0):
    """Capabilities per (facility pk, discipline code), flat: [pk * len(DISCIPLINE_CODES) + code]."""
    width = len(DISCIPLINE_CODES)
    return np.bincount(facilities.astype(np.int64) * width + disciplines, minlength=facilities_at_least * width)


def facets(p: Postings, positions, facilities: FacilitySet) -> tuple[int, dict]:
    """(total, facets) of the capabilities at `positions` (all of `facilities`)."""
    import numpy as np

    return facilities.facets(np.bincount(p.facilities[positions]),
                             np.bincount(p.disciplines[positions], minlength=len(DISCIPLINE_CODES)))


def facets_of_facilities(p: Postings, facilities: FacilitySet, disciplines=()) -> tuple[int, dict]:
    """(total, facets) of every live capability of `facilities`, of `disciplines` if given, from the counts
    per facility and discipline: no capability is visited."""
    import numpy as np

    table = p.per_facility_discipline
    shared = min(len(table), len(facilities.mask))
    table = table[:shared] * facilities.mask[:shared, None]  # rows of facilities outside the set: zero
    if disciplines:
        keep = np.zeros(len(DISCIPLINE_CODES), dtype=np.int64)
        keep[[DISCIPLINE_CODES.index(d) for d in disciplines if d in DISCIPLINE_CODES]] = 1
        table = table * keep
    return facilities.facets(table.sum(axis=1), table.sum(axis=0))


def facilities_per_item(p: Postings, doc_sets: list[set[int]], today: date) -> list[dict[int, bool]]:
    """Per set of search documents (a test plan's item), {facility pk: one of its live capabilities with
    such a document is valid today} (plan_match.py; facilities of any status)."""
    import numpy as np

    day = today.toordinal()
    out = []
    for docs in doc_sets:
        positions = p.of_documents(_array(np, docs)) if docs else np.empty(0, dtype=np.int64)
        facilities = p.facilities[positions]
        valid = np.bincount(facilities, weights=p.valid_until[positions] >= day)
        out.append({pk: bool(valid[pk]) for pk in np.flatnonzero(np.bincount(facilities)).tolist()})
    return out


def first_ids(p: Postings, positions, after_id: int | None, limit: int) -> list[int]:
    """The `limit` smallest capability ids at `positions` above `after_id` (a keyset page), in order."""
    import numpy as np

    ids = p.ids[positions]
    if after_id is not None:
        ids = ids[ids > after_id]
    if len(ids) > limit:
        ids = np.partition(ids, limit - 1)[:limit]
    return np.sort(ids).tolist()
