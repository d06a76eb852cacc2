"""The text that search looks in, computed when a record is written.

Pure functions, no Flask, no database.

Keyword search is substring search over folded text (NFKC, case-folded, one
space between words): `导体直流电阻` finds `电线电缆 导体直流电阻`, and `电阻`,
`压力` or a single character work as well, which no word index or trigram index
does for Chinese. To keep that fast on hundreds of thousands of capabilities,
the searchable text of a capability (name, category, quantity, standards, and for an
item of a published scope what `scope_text` adds: its object and parameter, the titles
of its methods and the texts of its non-standard ones) is stored once per distinct text
in `search_docs`, and capabilities point to their
document: capabilities of a registry repeat the same few thousand names, so a
substring scan of the documents costs a fraction of a scan of the capabilities,
and the matching capabilities are then found through an index on the document
id. Facility text (name, English name, district, address) is kept on the
facility and searched the same way.

Standard numbers are matched on `identifiers.standard_search_key`: each
document keeps the keys of its standards as ';KEY1;KEY2;' so that a query key is
found with LIKE '%;' || key || '%' and confirmed with `standard_key_matches`.

The documents are found through an inverted index of their character n-grams (`doc_grams`,
registry/services/search/index.py): every character and every pair of adjacent characters of the
text (the approach of Lucene's CJK analyser and pg_bigm), and the pairs of the standard keys, so
that a 1- or 2-character word is one posting-list lookup and a longer one the intersection of its
pairs; every candidate is then confirmed with the exact substring test.

Range search compares values in SI base units: `range_in_base` gives the
stored (min, max, dimension) of a capability's range, `segment_in_base` that of
each range segment of a scope item (its lower end may be in another unit).
"""
from __future__ import annotations

import functools
import hashlib
import re
import unicodedata

from registry import identifiers, units
from registry.vocabulary import DISTRICTS

__all__ = ["fold", "doc_fields", "scope_text", "doc_grams", "keyword_grams", "standard_grams", "doc_digest",
           "facility_text", "range_in_base", "segment_in_base", "base_converter",
           "escape_like"]

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """NFKC (full-width to half-width), case-folded, whitespace collapsed to one space."""
    if not text:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


@functools.lru_cache(maxsize=65536)
def standard_keys(standards: str | None) -> str:
    """';KEY1;KEY2;' for the ';'-separated normalised codes of a capability, or ''."""
    if not standards:
        return ""
    keys = [identifiers.standard_search_key(code) for code in standards.split(";") if code.strip()]
    keys = [k for k in keys if k]
    return ";" + ";".join(keys) + ";" if keys else ""


@functools.lru_cache(maxsize=65536)
def doc_fields(name: str | None, category: str | None, quantity: str | None,
               standards: str | None, scope: str | None = None) -> tuple[str, str, str]:
    """(digest, text, standard keys) of a capability's searchable document; `scope` is the folded
    `scope_text` of a scope item (None for a record of the v1 format, whose document it leaves as it was)."""
    text = " | ".join(fold(part) for part in (name, category, quantity, (standards or "").replace(";", " "))
                      if part)
    if scope:
        text = f"{text} | {scope}" if text else scope
    keys = standard_keys(standards)
    return doc_digest(text, keys), text, keys


def scope_text(name: str | None, object_: str | None, parameter: str | None, methods) -> str | None:
    """What a scope item adds to its document, folded: its object and parameter where its name does not
    already hold them, the titles of its methods and the texts of its non-standard ones (作业指导书 …),
    each once; None when nothing. `methods`: dicts with `title` and `text` (a record's, or stored rows')."""
    named = fold(name)
    parts = [fold(p) for p in (object_, parameter) if p]
    parts = [p for p in parts if p not in named]
    for method in methods or ():
        parts += [fold(method.get(key)) for key in ("title", "text")]
    return " | ".join(dict.fromkeys(p for p in parts if p)) or None


def _hex(text: str) -> str:
    return "x".join(format(ord(c), "x") for c in text)


def _pairs(text: str, prefix: str) -> set[str]:
    return {prefix + _hex(text[i:i + 2]) for i in range(len(text) - 1) if " " not in text[i:i + 2]}


def doc_grams(text: str, keys: str) -> str:
    """The index terms of a document, space-separated: 'u' + each character of its text, 'b' + each
    pair of adjacent characters (none across a space), 'k' + each pair of its standard keys
    (';KEY1;KEY2;'). Written as hex code points so that every tokenizer (SQLite FTS5 unicode61,
    PostgreSQL string_to_array) keeps each term whole."""
    terms = {"u" + _hex(c) for c in text if c != " "} | _pairs(text, "b") | _pairs(keys, "k")
    return " ".join(sorted(terms))


def keyword_grams(keyword: str, most: int = 6) -> list[str]:
    """Index terms every document containing `keyword` (folded, or a typed standard, which may hold
    spaces) has: its character for one character, else up to `most` of its pairs spread over the
    word (the first and the last among them); [] if it has none (a lone space)."""
    if len(keyword) == 1:
        return ["u" + _hex(keyword)]
    pairs = [keyword[i:i + 2] for i in range(len(keyword) - 1) if " " not in keyword[i:i + 2]]
    pairs = list(dict.fromkeys(pairs))
    if not pairs:
        return ["u" + _hex(c) for c in dict.fromkeys(keyword) if c != " "][:most]
    if len(pairs) > most:
        step = (len(pairs) - 1) / (most - 1)
        pairs = [pairs[round(i * step)] for i in range(most)]
    return ["b" + _hex(p) for p in pairs]


def standard_grams(key: str, most: int = 6) -> list[str]:
    """Index terms of every document with a standard key starting with `key`."""
    text = ";" + key
    pairs = list(dict.fromkeys(text[i:i + 2] for i in range(len(text) - 1)))
    if len(pairs) > most:
        step = (len(pairs) - 1) / (most - 1)
        pairs = [pairs[round(i * step)] for i in range(most)]
    return ["k" + _hex(p) for p in pairs]


def doc_digest(text: str, keys: str) -> str:
    return hashlib.blake2b(f"{text}\x00{keys}".encode(), digest_size=16).hexdigest()


def facility_text(name: str | None, name_en: str | None, district_code: str | None,
                  address: str | None) -> str:
    district = DISTRICTS.get(district_code or "", ("", ""))
    return " | ".join(fold(p) for p in (name, name_en, district[0], district[1], address) if p)


@functools.lru_cache(maxsize=4096)
def base_converter(unit: str) -> tuple[float, float, str] | None:
    """(a, b, dimension) such that value * a + b is the value in SI base units; None if unreadable.

    Every unit the registry stores is linear or affine (℃), so two points give the conversion
    exactly (up to rounding) and pint is asked once per unit, not once per row.
    """
    try:
        zero, dimension = units.to_base(0.0, unit)
        one, _ = units.to_base(1.0, unit)
    except Exception:  # an unknown unit, or one pint cannot convert: no range search for it
        return None
    return one - zero, zero, dimension


def range_in_base(range_min, range_max, unit) -> tuple[float | None, float | None, str | None]:
    """(min, max, dimension) in SI base units; all None without a unit or a bound."""
    if not unit or (range_min is None and range_max is None):
        return None, None, None
    converter = base_converter(unit)
    if converter is None:
        return None, None, None
    a, b, dimension = converter
    low = None if range_min is None else float(range_min) * a + b
    high = None if range_max is None else float(range_max) * a + b
    if low is not None and high is not None and low > high:  # a negative factor never happens; be safe
        low, high = high, low
    return low, high, dimension[:80]


def segment_in_base(low, high, unit, min_unit=None) -> tuple[float | None, float | None, str | None]:
    """(min, max, dimension) in SI base units of a range segment whose lower end may be written in another
    unit (10 Hz～1 GHz); all None without a readable unit or a bound, or when the two ends' dimensions differ."""
    if not min_unit or min_unit == unit:
        return range_in_base(low, high, unit)
    low_base, _none, low_dimension = range_in_base(low, None, min_unit)
    _none, high_base, dimension = range_in_base(None, high, unit)
    if (low is not None and low_dimension is None) or (high is not None and dimension is None) or (
            low_dimension and dimension and low_dimension != dimension):
        return None, None, None  # an end that cannot be read must not open the segment on that side
    dimension = dimension or low_dimension
    if low_base is not None and high_base is not None and low_base > high_base:
        low_base, high_base = high_base, low_base
    return low_base, high_base, dimension


def escape_like(text: str) -> str:
    """Escape LIKE wildcards with backslash (use ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
