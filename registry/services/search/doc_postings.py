"""The n-gram index of the search documents, held in each worker's memory beside the capabilities' arrays.

The database's own index (index.py: GIN on PostgreSQL, FTS5 on SQLite) answers the same lookups, but each
search paid a round trip and a statement built for its terms, and the database's CPU for the posting lists
and the substring test: on distinct questions over a city's data, the largest part of a keyword search
after the counting moved into memory (postings.py). Here a lookup is a dictionary read per term, an
intersection of sorted arrays and, for a word of three or more characters, the substring test on the few
candidates left. The answers are those of `index.document_ids_each`, term for term (the posting lists are
the `grams` the database indexes; tests/services/test_search_postings.py compares them).

Held with the capabilities' arrays (postings.py), so built, kept and dropped with them, per data version:
every write of a document records a change set. Size: a document's terms take 8 bytes each, plus its text
(43,097 documents of the realistic data: 2.5 million terms, 26 MB, built in under a second).
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass

_DOCUMENTS = "SELECT id, text, standard_keys, grams FROM search_docs ORDER BY id"


@dataclass(frozen=True)
class DocumentPostings:
    terms: dict[str, int]  # index term -> its row in `starts`
    starts: object  # int64 CSR offsets into `docs`, one row per term
    docs: object  # int32 document ids, ascending within each term
    texts: list  # [document id] -> folded text (None: no such document)
    keys: list  # [document id] -> ';KEY1;KEY2;' standard keys

    def each(self, lookups: list[tuple[list[str], str | None]]) -> list[dict[str, list[int]]]:
        """What index.document_ids_each answers for `lookups`, from memory."""
        return [self._lookup(terms, contains) if terms else {} for terms, contains in lookups]

    def _lookup(self, terms: list[str], contains: str | None) -> dict[str, list[int]]:
        import numpy as np

        lists = []
        for term in terms:
            row = self.terms.get(term)
            if row is None:
                return {}
            lists.append(self.docs[self.starts[row]:self.starts[row + 1]])
        lists.sort(key=len)
        found = lists[0]
        for other in lists[1:]:  # each list sorted: look the fewer up in the next by binary search
            if not len(found):
                return {}
            at = np.searchsorted(other, found)
            inside = at < len(other)
            inside[inside] = other[at[inside]] == found[inside]
            found = found[inside]
        ids = found.tolist()
        if contains is not None:
            # One character, or two without a space: the term is the substring itself, nothing to confirm.
            if len(contains) > 2 or " " in contains:
                texts = self.texts
                ids = [d for d in ids if contains in texts[d]]
            return {"": ids} if ids else {}
        groups: dict[str, list[int]] = {}
        keys = self.keys
        for d in ids:
            groups.setdefault(keys[d] or "", []).append(d)
        return groups


def load_documents(cursor) -> DocumentPostings:
    """Every search document through the driver's cursor (on the connection the capabilities were read
    from), made into posting lists."""
    cursor.execute(_DOCUMENTS)
    return build(cursor.fetchall())


def build(rows) -> DocumentPostings:
    """Posting lists of (id, text, standard keys, index terms space-separated) rows in id order: the
    documents', or any text's whose terms registry/search_text.doc_grams made (a facility's own text)."""
    import numpy as np

    size = max((row[0] for row in rows), default=-1) + 1
    texts, keys = [None] * size, [None] * size
    index: dict[str, int] = {}
    codes, owners = array("i"), array("i")  # 4 bytes a term, not a list's 36: millions of them
    code = index.setdefault
    for doc_id, text, standard_keys, grams in rows:
        texts[doc_id], keys[doc_id] = text or "", standard_keys or ""
        split = grams.split(" ") if grams else []
        codes.extend([code(term, len(index)) for term in split])
        owners.extend(array("i", [doc_id]) * len(split))
    codes_array = np.frombuffer(codes, dtype=np.int32)
    owners_array = np.frombuffer(owners, dtype=np.int32)
    order = np.argsort(codes_array, kind="stable")  # by term, each term's documents in id order
    starts = np.concatenate(([0], np.cumsum(np.bincount(codes_array, minlength=len(index))))).astype(np.int64)
    return DocumentPostings(index, starts, owners_array[order], texts, keys)
