"""Every item of a test plan matched at once: which facilities have a live capability matching each item,
and whether one of them is valid today.

An item matches as a search's text does with `facility_text=False` (terms.TermMatch): a capability
matches when its search document matches every term of the item, a keyword as a substring of the
document's text, a standard number by its key (else, when no document has the key, as typed text).
Matching the items one by one cost two to four statements each, 60-120 round trips for a 30-item plan
(p95 0.8-3 s on PostgreSQL at 300,000 capabilities); here a whole plan costs three at most for up to
LOOKUPS_PER_STATEMENT terms: every term's documents in one statement through the n-gram index, the
typed-text fallback of standards no key matched in a second (only when there are such; both
terms.term_documents, which TermMatch uses too), then one statement for the capabilities of all matched
documents, per document and facility; none of them when the worker holds the capabilities' arrays and the
documents' index (postings.py, doc_postings.py).
"""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import Date, bindparam, text

from registry.services.search import postings as memory
from registry.services.search.terms import Terms, parse_terms, term_documents


def match_items(session, items: list[str], today: date, version=None) -> list[dict[int, bool]]:
    """Per item, {facility pk: a matching live capability is valid today} (facilities of any status). With
    the data's `version`, the documents' capabilities are read from the worker's arrays (postings.py)
    when it holds them, instead of by the third statement."""
    held = memory.postings(session, version) if version is not None else None
    doc_sets = _doc_sets(session, [parse_terms(item) for item in items], held.documents if held else None)
    if held is not None:
        return memory.facilities_per_item(held, doc_sets, today)
    out: list[dict[int, bool]] = [{} for _ in items]
    for n, pk, valid in _facilities_per_item(session, doc_sets, today):
        out[n][pk] = bool(valid)
    return out


def _doc_sets(session, terms: list[Terms], documents) -> list[set[int]]:
    """Per item, the documents matching all its terms (none when it has no terms or one matches nothing)."""
    return [set.intersection(*sets) if sets and all(sets) else set()
            for sets in term_documents(session, terms, documents)]


# The documents' capabilities are first narrowed by the distinct documents (`= ANY`, a hashed filter of one
# scan) and only then joined with the (item, document) pairs: joined directly, PostgreSQL 15 misjudged the
# join's size and walked the whole search_doc index with a heap visit per capability (330 ms, not 145 ms).
_VALID = "max(CASE WHEN c.valid_until IS NULL OR c.valid_until >= :today THEN 1 ELSE 0 END)"
_PER_ITEM = {
    "postgresql": text(
        f"SELECT m.n, c.facility_pk, {_VALID} "
        "FROM unnest(CAST(:items AS integer[]), CAST(:docs AS integer[])) AS m(n, doc) "
        "JOIN capabilities c ON c.search_doc_id = m.doc WHERE c.deleted_at IS NULL "
        "AND c.search_doc_id = ANY(CAST(:distinct AS integer[])) GROUP BY m.n, c.facility_pk").bindparams(
        bindparam("today", type_=Date)),
    "sqlite": text(
        f"SELECT json_extract(m.value, '$[0]') AS n, c.facility_pk, {_VALID} FROM json_each(:pairs) m "
        "JOIN capabilities c ON c.search_doc_id = json_extract(m.value, '$[1]') "
        "WHERE c.deleted_at IS NULL GROUP BY n, c.facility_pk").bindparams(bindparam("today", type_=Date)),
}


def _facilities_per_item(session, doc_sets: list[set[int]], today: date):
    """(item, facility pk, 1 if one of its live capabilities with a document of the item is valid today)."""
    pairs = [(n, doc) for n, docs in enumerate(doc_sets) for doc in sorted(docs)]
    if not pairs:
        return []
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        return connection.execute(_PER_ITEM["postgresql"], {
            "items": _array(n for n, _doc in pairs), "docs": _array(doc for _n, doc in pairs),
            "distinct": _array(sorted(set().union(*doc_sets))), "today": today}).all()
    return connection.execute(_PER_ITEM["sqlite"], {"pairs": json.dumps(pairs), "today": today}).all()


def _array(numbers) -> str:
    """An integer array as PostgreSQL's text form: tens of thousands of ids are written 10x faster so
    than by the driver's array adapter (20 ms of a plan)."""
    return "{" + ",".join(map(str, numbers)) + "}"
