"""Keywords and standard numbers of a search, and which capability documents and facilities they match.

Terms are matched against the distinct capability texts (`search_docs`, registry/search_text.py),
found through their n-gram index (the database's, index.py, or the worker's copy, doc_postings.py) and
confirmed exactly, and against the facilities' own text (an n-gram index of the few facilities, kept per
data version); `TermMatch` then turns the matches into one condition on capabilities.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import Integer, String, all_, and_, any_, bindparam, false, func, or_, select, true
from sqlalchemy.dialects.postgresql import ARRAY

from registry.caching import VersionedCache
from registry.database import database_key
from registry.identifiers import standard_key_matches, standard_search_key
from registry.models import Capability, Facility
from registry.search_text import doc_grams, escape_like, fold, keyword_grams, standard_grams
from registry.services.records.canonical import data_version
from registry.services.search.doc_postings import DocumentPostings
from registry.services.search.doc_postings import build as build_postings
from registry.services.search.index import document_ids_each
from registry.services.search.query import MAX_QUERY_CHARS, MAX_TERMS

# A standard number as people type it: an issuer prefix (GB, GB/T, ISO/IEC, DB33/T, JJG) then digits.
# Every repetition is anchored by a required "/" or "-"/":": no two ways to match the same text, so a
# hostile 10,000-letter query costs linear time, not exponential backtracking.
_STANDARD = re.compile(
    r"(?<![a-z0-9])([a-z]{1,8}(?:[0-9]{1,4})?(?:/[a-z]{1,5})*/?)\s*([0-9][0-9.]*(?:\s*[-:]\s*[0-9]+)*)(?![0-9])",
    re.IGNORECASE)


@dataclass
class Terms:
    keywords: list[str]    # folded substrings
    standards: list[tuple[str, str]]  # (search key, folded text as typed)


def parse_terms(q: str) -> Terms:
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
    return Terms(keywords[:MAX_TERMS], standards[:MAX_TERMS])


def has_terms(q: str | None) -> bool:
    """Whether a search's text has a keyword or a standard number (what a TermMatch is active on)."""
    terms = parse_terms(q)
    return bool(terms.keywords or terms.standards)


def ids_in(column, ids, dialect: str, *, negate: bool = False):
    """`column IN ids` for id sets of any size. On PostgreSQL one array parameter (`= ANY`)
    instead of a bind parameter per id: compiling thousands of those cost more than the query."""
    ids = sorted(ids)
    if dialect == "postgresql":
        array = bindparam(None, ids, type_=ARRAY(Integer))
        return column != all_(array) if negate else column == any_(array)
    # SQLite: one JSON parameter read by json_each, for the same reason.
    each = func.json_each(bindparam(None, json.dumps(ids), type_=String)).table_valued("value")
    values = select(each.c.value).scalar_subquery()
    return column.not_in(values) if negate else column.in_(values)


def ids_parameter(column, dialect: str, name: str = "ids"):
    """`column IN :name`, with the ids given at execution as `ids_value(ids, dialect)`: for statements
    built once (ids_in binds its ids into the statement, which then has to be built for each set)."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(Integer)))
    return column.in_(select(func.json_each(bindparam(name, type_=String)).table_valued("value").c.value))


def ids_value(ids, dialect: str):
    return list(ids) if dialect == "postgresql" else json.dumps(list(ids))


def like(column, term: str):
    return column.like("%" + escape_like(term) + "%", escape="\\")


FACILITY_TEXTS = VersionedCache(4)  # per database and data version


def facility_texts(session, version=None) -> DocumentPostings:
    """The search texts of every live facility (name, district, address) in an n-gram index like the
    documents' (a common word such as 检测 is in most facilities' names: one posting list, not a substring
    test of each), kept until the data changes."""
    key = (database_key(session), version or data_version(session))
    return FACILITY_TEXTS.get_or_compute(key, lambda: build_postings([
        (pk, text or "", "", doc_grams(text or "", "")) for pk, text in session.connection().execute(
            select(Facility.id, Facility.search_text).where(Facility.deleted_at.is_(None))
            .order_by(Facility.id)).all()]))


def term_documents(session, many: list[Terms], documents=None) -> list[list[set[int]]]:
    """Per Terms, the documents each of its terms matches, keywords first, then standards: a keyword as a
    substring of the document's text, a standard number by its key (else, when no document has the key,
    as typed text). Every lookup of every Terms in one statement through the n-gram index, the substring
    test in the database, the key test here (index.document_ids_each); a second only for the typed-text
    fallback. One search's terms and a whole test plan's items alike. With `documents` (the worker's
    doc_postings.DocumentPostings of the data's version), the same lookups are answered from memory."""
    def each(lookups):
        return documents.each(lookups) if documents is not None else document_ids_each(session, lookups)

    lookups: dict[tuple, int] = {}  # the same lookup is made once

    def lookup(grams: list[str], contains: str | None) -> int:
        return lookups.setdefault((tuple(grams), contains), len(lookups))

    asked = [([lookup(keyword_grams(k), k) for k in t.keywords],
              [(key, typed, lookup(standard_grams(key), None)) for key, typed in t.standards]) for t in many]
    found = each([(list(grams), contains) for grams, contains in lookups]) if lookups else []
    by_key = {(key, n): {doc for keys, docs in found[n].items()
                         if any(standard_key_matches(key, k) for k in keys.split(";") if k) for doc in docs}
              for _keywords, standards in asked for key, _typed, n in standards}
    fallback: dict[tuple, int] = {}
    for _keywords, standards in asked:
        for key, typed, n in standards:
            if not by_key[(key, n)]:
                fallback.setdefault((tuple(keyword_grams(typed)), typed), len(fallback))
    typed_found = each([(list(g), c) for g, c in fallback]) if fallback else []
    out = []
    for keywords, standards in asked:
        sets = [set(found[n].get("", ())) for n in keywords]
        for key, typed, n in standards:
            sets.append(by_key[(key, n)] or set(typed_found[fallback[(tuple(keyword_grams(typed)), typed)]]
                                                .get("", ())))
        out.append(sets)
    return out


class TermMatch:
    """Which documents and facilities each term matches; builds the capability condition."""

    def __init__(self, session, terms: Terms, *, facility_text: bool = True, version=None, documents=None):
        """`facility_text=False`: a facility's own name and address select none of its capabilities
        (searching within one facility). `documents`: see term_documents."""
        self.terms = terms
        self.doc_sets: list[set[int]] = []
        self.fac_sets: list[set[int]] = []
        self.facility_only = True  # every term may also match a facility's own text
        self.impossible = False
        self.dialect = session.get_bind().dialect.name
        if not terms.keywords and not terms.standards:
            return
        self.doc_sets = term_documents(session, [terms], documents)[0]
        # Facilities' own text (name, district, address): keyword terms only.
        if terms.keywords and facility_text:
            texts = facility_texts(session, version)
            self.fac_sets = [set(found.get("", ())) for found in
                             texts.each([(keyword_grams(keyword), keyword) for keyword in terms.keywords])]
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
            base = ids_in(Capability.search_doc_id, all_docs, self.dialect)
            parts.append(and_(base, ids_in(Capability.facility_pk, special, self.dialect, negate=True))
                         if special else base)
        for matched, pks in groups.items():
            rest = [self.doc_sets[i] for i in range(n) if i not in matched]
            docs = set.intersection(*rest) if rest else None
            if docs is None:
                parts.append(ids_in(Capability.facility_pk, pks, self.dialect))
            elif docs:
                parts.append(and_(ids_in(Capability.facility_pk, pks, self.dialect),
                                  ids_in(Capability.search_doc_id, docs, self.dialect)))
        return or_(*parts) if parts else false()

    def doc_relevance(self, doc_text: str | None) -> int:
        return sum(1 for k in self.terms.keywords if doc_text and k in doc_text)
