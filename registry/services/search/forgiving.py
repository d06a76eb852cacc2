"""Reading the main search box forgivingly, and saying what was read differently.

People type what they need into one box: `压力 50 MPa`, `50兆帕`, `1200℃`, `0.1 mm`, `GB3048.4`. A value
with a unit there becomes the range filter (value, unit, and the word before it as the quantity);
a standard number typed without /T, without its spaces or dots, is matched against the registry's
distinct standard keys and searched as the standard it stands for, or offered as "did you mean".
Every such change is a `Note` shown next to the field, so the search never changes silently.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from registry import units
from registry.caching import VersionedCache
from registry.database import database_key
from registry.identifiers import standard_key_matches, standard_search_key
from registry.models.capability import SearchDoc
from registry.services.records.canonical import data_version

# A number and what follows it up to the next space or number (the unit, perhaps with more glued on).
# Not a number inside a word or a standard number (GB 50, JJG 52, 3048.4-2007).
_VALUE = re.compile(r"(?<![A-Za-z0-9.,/\-])([-+]?[0-9]+(?:\.[0-9]+)?)\s*([^\s0-9,，;；、]{1,12})")
_STANDARD_PREFIX = re.compile(r"(?:^|\s)[A-Za-z]{1,8}(?:/[A-Za-z]{1,5})*/?\s*$")
# A standard number as typed: issuer letters then digits, perhaps dotted, dashed or spaced.
_TYPED_STANDARD = re.compile(r"(?<![A-Za-z])([A-Za-z]{1,8}(?:/[A-Za-z]{1,5})?)\s*([0-9][0-9.\s-]*[0-9]|[0-9])")
MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class Note:
    """Something the search read differently from what was typed (said in the page's language)."""

    field: str
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass
class Reading:
    data: dict
    notes: list[Note] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)  # standard numbers as stored ("did you mean")


def _unit_prefix(token: str) -> tuple[str, str] | None:
    """The longest start of `token` that is a unit: (as typed, as stored)."""
    for end in range(len(token), 0, -1):
        try:
            return token[:end], units.parse_typed_unit(token[:end])
        except units.UnitError:
            continue
    return None


def value_in_text(q: str) -> tuple[str, float, str] | None:
    """(text left, value, unit as stored) for the first value-with-unit in `q`. The words around it stay
    keywords: `压力` of `压力 50 MPa` matches the capability's quantity, name or facility as any keyword does."""
    for m in _VALUE.finditer(q):
        before = q[:m.start()]
        if _STANDARD_PREFIX.search(before):
            continue
        unit = _unit_prefix(m[2])
        if unit is None:
            continue
        typed_unit, stored = unit
        left = " ".join((before + " " + m[2][len(typed_unit):] + " " + q[m.end():]).split())
        return left, float(m[1]), stored
    return None


def read_main_box(data: dict) -> Reading:
    """Move a value with its unit typed in `q` into the range filter (unless the form has one already)."""
    reading = Reading(dict(data))
    q = reading.data.get("q") or ""
    if not q or "value" in data or "unit" in data:
        return reading
    found = value_in_text(q)
    if found is None:
        return reading
    left, value, unit = found
    value_text = f"{value:g}"
    reading.data.update(value=value_text, unit=unit)
    if left:
        reading.data["q"] = left
    else:
        reading.data.pop("q")
    reading.notes.append(Note("q", str(_l("Read “%(typed)s” as: %(words)s, range covering %(value)s %(unit)s.",
                                          typed=q, words=left or "—", value=value_text, unit=unit))))
    return reading


def _loose(key: str) -> str:
    """A standard key without what people leave out: /T, spaces, dots, dashes and the year."""
    key = re.sub(r"-(19|20)[0-9]{2}$", "", key)
    return re.sub(r"/T|[^A-Z0-9]", "", key)


STANDARD_KEYS = VersionedCache(4)  # per database and data version


def standard_keys(session) -> tuple[str, ...]:
    """The registry's distinct standard keys (one read per data version: every write records a change set)."""
    def read() -> tuple[str, ...]:
        keys = set()
        for joined in session.scalars(select(SearchDoc.standard_keys).distinct()):
            keys.update(k for k in (joined or "").split(";") if k)
        return tuple(sorted(keys))
    return STANDARD_KEYS.get_or_compute((database_key(session), data_version(session)), read)


def read_standards(session, reading: Reading) -> Reading:
    """Each standard number in `q` that matches no stored key: searched as the one stored key it loosely
    equals (GB3048.4 → GB/T 3048.4), or left as typed with up to three "did you mean" suggestions."""
    q = reading.data.get("q") or ""
    if not q or session is None:
        return reading
    typed = [m for m in _TYPED_STANDARD.finditer(q) if re.search(r"[0-9]", m[0])]
    if not typed:
        return reading
    keys = standard_keys(session)
    by_loose: dict[str, set[str]] = {}  # loose key → the stored keys without their year
    for k in keys:
        by_loose.setdefault(_loose(k), set()).add(re.sub(r"-(19|20)[0-9]{2}$", "", k))
    for m in typed:
        key = standard_search_key(m[0])
        if not key or any(standard_key_matches(key, k) for k in keys):
            continue
        loose = _loose(key)
        exact = sorted(by_loose.get(loose, ()))
        if len(exact) == 1:
            stored = exact[0]
            reading.data["q"] = reading.data["q"].replace(m[0].strip(), stored, 1)
            reading.notes.append(Note("q", str(_l("No standard is numbered “%(typed)s”; searched for %(stored)s.",
                                                  typed=m[0].strip(), stored=stored))))
            continue
        close = exact or difflib.get_close_matches(loose, list(by_loose), n=MAX_SUGGESTIONS, cutoff=0.75)
        names = sorted({s for c in close for s in by_loose.get(c, {c})})[:MAX_SUGGESTIONS]
        if names:
            reading.suggestions.extend(n for n in names if n not in reading.suggestions)
            reading.notes.append(Note("q", str(_l("No standard is numbered “%(typed)s”. Did you mean %(names)s?",
                                                  typed=m[0].strip(), names=", ".join(names)))))
    return reading
