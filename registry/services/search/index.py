"""The inverted index of the search documents: which documents hold every given n-gram term.

A document's terms (registry/search_text.py `doc_grams`) are its characters, its pairs of adjacent
characters and the pairs of its standard keys: the CJK bigram approach of Lucene's CJKAnalyzer and
pg_bigm, which needs no word segmentation and finds any substring of two or more characters as the
intersection of its pairs' posting lists (one character: one list). Candidates are then confirmed
with the exact substring / standard-key test by the caller (terms.py), so the index only has to
never miss a document.

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

from sqlalchemy import Text, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY

_POSTGRESQL = text("SELECT id, text, standard_keys FROM search_docs "
                   "WHERE string_to_array(grams, ' ') @> :terms").bindparams(bindparam("terms", type_=ARRAY(Text)))
_SQLITE = text("SELECT d.id, d.text, d.standard_keys FROM search_doc_grams g "
               "JOIN search_docs d ON d.id = g.rowid WHERE search_doc_grams MATCH :terms")


def documents_with(session, terms: list[str]) -> list:
    """(id, text, standard_keys) of every search document holding all `terms` (a superset of the
    documents a word matches: confirm each). No terms: no documents."""
    if not terms:
        return []
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        return connection.execute(_POSTGRESQL, {"terms": list(terms)}).all()
    return connection.execute(_SQLITE, {"terms": " AND ".join(terms)}).all()


def not_index_table(name, type_, parent_names) -> bool:
    """Alembic `include_name`: the FTS5 table with its shadow tables (SQLite) and the GIN expression
    index (PostgreSQL) are made by migration 0041, not by the models (neither can be declared on
    both databases), so schema comparisons (autogenerate, tests/test_migrations.py) leave them out."""
    if type_ == "table":
        return not (name or "").startswith("search_doc_grams")
    return not (type_ == "index" and name == "ix_search_docs_grams")
