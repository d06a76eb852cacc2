"""The inverted index of the search documents: which documents hold every given n-gram term.

A document's terms (registry/search_text.py `doc_grams`) are its characters, its pairs of adjacent
characters and the pairs of its standard keys: the CJK bigram approach of Lucene's CJKAnalyzer and
pg_bigm, which needs no word segmentation and finds any substring of two or more characters as the
intersection of its pairs' posting lists (one character: one list). Candidates are then confirmed
exactly: a substring in the same statement, a standard key by the caller (terms.term_documents), so
the index only has to never miss a document.

A worker that holds the capabilities' arrays (postings.py) answers the same lookups from its own copy of
these posting lists (doc_postings.py) without a round trip; this module answers the others.

The index is one `grams` column of `search_docs`, looked up by each database's own inverted index:

  PostgreSQL  GIN on string_to_array(grams, ' ');  `@>` intersects the posting lists in the index.
  SQLite      a contentless FTS5 table, detail=none (`a AND b`), kept by triggers on search_docs.

Why these and not pg_trgm / the FTS5 trigram tokenizer: trigrams cannot look up a 2-character word,
the most common length of a Chinese query (电阻, 压力, 噪声), and would need a second index for it;
one bigram index answers every length. Measured on the realistic data (1,500 facilities, 300,000
capabilities, 43,097 distinct documents; PostgreSQL 15, EXPLAIN ANALYZE, machine at load 12 on
2 cores): '离子' 0.5 ms and '铝合金棒' (3 pairs, 137 documents) 1.0 ms through GIN, against 111 ms
for the LIKE '%铝合金棒%' scan of every document it replaces. GIN on 43,097 documents: 10 MB.
"""
from __future__ import annotations

import json

from sqlalchemy import Text, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY

LOOKUPS_PER_STATEMENT = 200  # SQLite allows 500 SELECTs in one compound statement


def document_ids_each(session, lookups: list[tuple[list[str], str | None]]) -> list[dict[str, list[int]]]:
    """For many lookups at once, the ids of the documents holding all of a lookup's `terms`, grouped by
    the documents' standard keys ({standard_keys: [ids]}); when `contains` is given, only documents whose
    text contains it (the exact test, in the database) and in one group keyed "". One statement per
    LOOKUPS_PER_STATEMENT lookups: a UNION ALL of the lookups, each through the index with its own terms,
    returning one row per lookup and group, not one per document (a one-character word matches thousands)."""
    found: list[dict[str, list[int]]] = [{} for _ in lookups]
    asked = [(n, terms, contains) for n, (terms, contains) in enumerate(lookups) if terms]
    connection = session.connection()
    postgresql = connection.dialect.name == "postgresql"
    ids = "array_agg(d.id)" if postgresql else "json_group_array(d.id)"
    source = ("search_docs d WHERE string_to_array(d.grams, ' ') @> :t{n}" if postgresql else
              "search_doc_grams g JOIN search_docs d ON d.id = g.rowid WHERE search_doc_grams MATCH :t{n}")
    contained = "strpos(d.text, :c{n}) > 0" if postgresql else "instr(d.text, :c{n}) > 0"
    for start in range(0, len(asked), LOOKUPS_PER_STATEMENT):
        chunk = asked[start:start + LOOKUPS_PER_STATEMENT]
        branches, params, types = [], {}, []
        for n, terms, contains in chunk:  # n is an int of ours: safe in the text
            params[f"t{n}"] = list(terms) if postgresql else " AND ".join(terms)
            if postgresql:
                types.append(bindparam(f"t{n}", type_=ARRAY(Text)))
            if contains is None:
                branches.append(f"SELECT {n} AS n, d.standard_keys AS keys, {ids} AS ids FROM "
                                + source.format(n=n) + " GROUP BY d.standard_keys")
            else:
                params[f"c{n}"] = contains
                branches.append(f"SELECT {n} AS n, '' AS keys, {ids} AS ids FROM " + source.format(n=n)
                                + " AND " + contained.format(n=n))
        for row in connection.execute(text(" UNION ALL ".join(branches)).bindparams(*types), params):
            documents = row.ids if postgresql else json.loads(row.ids)
            if documents:
                found[row.n][row.keys or ""] = documents
    return found


def not_index_table(name, type_, parent_names) -> bool:
    """Alembic `include_name`: the FTS5 table with its shadow tables (SQLite) and the GIN expression
    index (PostgreSQL) are made by migration 0041, not by the models (neither can be declared on
    both databases), so schema comparisons (autogenerate, tests/test_migrations.py) leave them out."""
    if type_ == "table":
        return not (name or "").startswith("search_doc_grams")
    return not (type_ == "index" and name == "ix_search_docs_grams")
