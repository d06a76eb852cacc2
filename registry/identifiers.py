"""Check and normalise the identifiers of the interchange format.

Pure functions, no Flask: each takes text as a bureau typed it (full-width
characters, stray spaces, lower case, en/em dashes) and returns the one
spelling the registry stores, or raises `IdentifierError`.

`IdentifierError.reason` is a short, stable, machine-readable string that the
UI maps to a Chinese or English message; the exception text itself is English
and only for logs. The complete set of reasons:

    uscc.length     not 18 characters (after removing spaces and hyphens)
    uscc.charset    a character other than 0-9 and A-Z without I, O, Z, S, V
    uscc.check      the 18th (final) check character is wrong
    uscc.org_check  the GB 11714 check character (17th, closing the embedded
                    organisation code) is wrong while the final one is right
    cma.format      not a 12-digit CMA certificate number
    cnas.format     not a CNAS accreditation number
    cnca.format     not a CNCA approval number (or an implausible year)
    standard.format not a standard number such as GB/T 3048.4-2007

A typo anywhere in a USCC breaks the final check, so `uscc.check` is tested
first; `uscc.org_check` is therefore the sign of a code that was computed
without the GB 11714 step (made up, or mangled by a generator).
"""
from __future__ import annotations

import re
import unicodedata

__all__ = [
    "IdentifierError",
    "normalize_uscc",
    "make_uscc",
    "normalize_cma",
    "normalize_cnas",
    "normalize_cnca",
    "normalize_standard_code",
    "split_standards",
    "standard_search_key",
    "standard_key_matches",
]


class IdentifierError(ValueError):
    """A value that is not a valid identifier; `reason` says why (see module doc)."""

    def __init__(self, reason: str, message: str, value: object = None):
        super().__init__(message)
        self.reason = reason
        self.value = value


# Dashes that people (and Chinese input methods) type where '-' is meant.
_DASHES = re.compile("[\u2010-\u2015\u2212\u2500\ufe58\ufe63\uff0d]")
_SPACE = re.compile(r"\s+")


def _fold(value: str | int) -> str:
    """NFKC (full-width to half-width, U+3000 to space), one kind of dash, trimmed."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TypeError(f"expected text, got {type(value).__name__}")
    text = unicodedata.normalize("NFKC", str(value))
    return _DASHES.sub("-", text).strip()


# --- Unified Social Credit Code (GB 32100-2015) -----------------------------

# The 31 characters of GB 32100: digits and capitals without I, O, Z, S, V.
# A character's position here is its value for the final check character.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _uscc_check_char(first17: str) -> str:
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS))
    return USCC_ALPHABET[-total % 31]


def _org_check_char(body8: str) -> str:
    # GB 11714: letters count A=10 ... Z=35 (base 36), not their USCC value.
    total = sum(int(c, 36) * w for c, w in zip(body8, _ORG_WEIGHTS))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def _uscc_text(value, length: int, what: str) -> str:
    text = re.sub(r"[\s-]", "", _fold(value)).upper()
    if len(text) != length:
        raise IdentifierError("uscc.length", f"{what} must have {length} characters, not {len(text)}", value)
    bad = sorted({c for c in text if c not in _USCC_VALUE})
    if bad:
        raise IdentifierError("uscc.charset", f"{what} contains characters not allowed: {''.join(bad)}", value)
    return text


def normalize_uscc(value: str) -> str:
    """Return the 18-character USCC in upper case, or raise IdentifierError.

    Checks length, character set, the final check character and the GB 11714
    check character at position 17. Positions 1-2 (registering department,
    organisation type) are not checked against the GB 32100 table, which has
    grown by amendment (e.g. 'N' for rural collectives, 'A' military units)
    and would reject valid new codes; positions 3-8 are the registering
    authority's division *at registration*, so old codes like 330103 are valid
    and are deliberately not compared with current division codes.
    python-stdnum's cn.uscc is not used: it skips the GB 11714 check and wants
    digits in positions 1-8, which rejects valid codes from departments N, Y, A.
    """
    code = _uscc_text(value, 18, "a Unified Social Credit Code")
    if code[17] != _uscc_check_char(code[:17]):
        raise IdentifierError("uscc.check", "the final check character of the USCC is wrong", value)
    if code[16] != _org_check_char(code[8:16]):
        raise IdentifierError("uscc.org_check", "the organisation-code (GB 11714) check character is wrong", value)
    return code


def make_uscc(prefix_8: str, org_body_8: str) -> str:
    """Build a valid USCC from positions 1-8 and the 8-character organisation-code body.

    Computes both check characters; meant for test-data generators.
    """
    prefix = _uscc_text(prefix_8, 8, "the USCC prefix")
    body = _uscc_text(org_body_8, 8, "the organisation-code body")
    first17 = prefix + body + _org_check_char(body)
    return first17 + _uscc_check_char(first17)


# --- Accreditation and approval numbers -------------------------------------

def normalize_cma(value: str) -> str:
    """Return the 12-digit CMA (资质认定) certificate number with spaces removed."""
    text = _SPACE.sub("", _fold(value))
    if not re.fullmatch(r"[0-9]{12}", text):
        raise IdentifierError("cma.format", "a CMA certificate number has 12 digits", value)
    return text


# CNAS registration numbers by programme. Labs passed L9999 long ago, hence 4-5
# digits; certification bodies carry the scheme letter(s) after the number:
# C001-M management systems, C001-P products, C001-S services, and so on.
_CNAS = re.compile(
    r"(?P<kind>L|ML|IB|RM|PT|BB)(?P<num>[0-9]{4,5})"  # lab, medical lab, inspection, ref. material, PT, biobank
    r"|C(?P<cb>[0-9]{3})-?(?P<scheme>[A-Z]{1,2})"  # certification body
)


def normalize_cnas(value: str) -> str:
    """Return a CNAS number as 'CNAS L1234', 'CNAS IB0123' or 'CNAS C012-M'.

    Accepts any spacing and case, full-width characters, an optional 'CNAS'
    prefix (also 'CNAS-'), and the certification-body form without its hyphen.
    """
    text = _SPACE.sub("", _fold(value)).upper()
    text = re.sub(r"^CNAS-?", "", text)
    m = _CNAS.fullmatch(text)
    if not m:
        raise IdentifierError("cnas.format", "not a CNAS number such as CNAS L1234, CNAS IB0123, CNAS C012-M", value)
    if m["cb"]:
        return f"CNAS C{m['cb']}-{m['scheme']}"
    return f"CNAS {m['kind']}{m['num']}"


def normalize_cnca(value: str) -> str:
    """Return a certification-body approval number as 'CNCA-R-2002-001'.

    R is a domestic body, RF a foreign-invested one; the serial is 2-4 digits
    (RF numbers are written with 2, R numbers with 3) and kept as written.
    Spaces, underscores and dashes of any kind all separate the parts.
    """
    text = re.sub(r"[\s_-]+", "-", _fold(value).upper())
    m = re.fullmatch(r"CNCA-(RF|R)-([0-9]{4})-([0-9]{2,4})", text)
    if not m or not 1990 <= int(m[2]) <= 2100:
        raise IdentifierError("cnca.format", "not a CNCA approval number such as CNCA-R-2002-001", value)
    return "-".join(("CNCA",) + m.groups())


# --- Standard numbers -------------------------------------------------------

# An issuer prefix: GB, GB/T, ISO/IEC, T/ZZB, DB33/T, DB3301/T, and DB33/ (a
# mandatory local standard is written 'DB33/ 1234-2020').
_PREFIX = r"[A-Z]+(?:[0-9]+/)?(?:/?[A-Z]+)*/?"
_GLUED = re.compile(f"({_PREFIX})([0-9].*)")  # GB/T3048.4, DB33/T1234, ISO/IEC17025
_STANDARD_CHARS = re.compile(r"[A-Z0-9 /.:()+-]+")
_LIST_SEPARATORS = re.compile(r"[;,\n\r\u3001]")  # also full-width ；， via NFKC; 、


def normalize_standard_code(value: str) -> str:
    """Return a standard number as the registry stores it: 'GB/T 3048.4-2007'.

    Full-width to half-width, upper case, one kind of dash, no spaces around
    '/', '-', '.', ':', and exactly one space between the issuer prefix and the
    number (inserted when they are glued together, as in 'GB/T3048.4').
    Titles, clauses and other Chinese text are refused, not silently dropped.
    """
    text = _SPACE.sub(" ", _fold(value).upper())
    text = re.sub(r" ?([/.:-]) ?", r"\1", text)
    first, _, rest = text.partition(" ")
    glued = not re.fullmatch(_PREFIX, first) and _GLUED.fullmatch(first)
    if glued:
        first = f"{glued[1]} {glued[2]}"
    text = f"{first} {rest}".strip()
    if (
        len(text) > 80
        or not text[:1].isalpha()
        or " " not in text
        or not any(c.isdigit() for c in text)
        or not _STANDARD_CHARS.fullmatch(text)
    ):
        raise IdentifierError("standard.format", f"not a standard number such as GB/T 3048.4-2007: {value!r}", value)
    return text


def split_standards(text: str) -> list[str]:
    """Split a list of standard numbers and normalise each; drop empties and repeats.

    Separators: ';' '；' ',' '，' '、' and line breaks. Standard numbers never
    contain any of them (':' in 'ISO 9001:2015' is not a separator). The
    first item that is not a standard number raises IdentifierError.
    """
    result: list[str] = []
    for part in _LIST_SEPARATORS.split(_fold(text)):
        if part.strip():
            code = normalize_standard_code(part)
            if code not in result:
                result.append(code)
    return result


def standard_search_key(value: str) -> str:
    """Reduce a stored standard number or a typed query to a comparable key.

    Upper case, half-width, one kind of dash, no spaces, and only the
    characters standard numbers use: 'gb/t 3048.4' and 'GB/T3048.4' both give
    'GB/T3048.4', a prefix of the key of 'GB/T 3048.4-2007'.

    Use: store the key of each normalised code next to it (or compute it on
    the fly) and find candidates with key.startswith(query_key) -- in SQL,
    LIKE query_key || '%' (keys never contain '%' or '_'). Then confirm with
    `standard_key_matches` so that 'GB/T3048.4' does not also find
    'GB/T 3048.41'. An empty key means the query is not a standard number.
    """
    text = _SPACE.sub("", _fold(value).upper())
    return re.sub(r"[^A-Z0-9/.:()+-]", "", text)


def standard_key_matches(query_key: str, key: str) -> bool:
    """True if `key` starts with `query_key` at a boundary (both from standard_search_key).

    A match may not end in the middle of a number or a word: 'GB/T3048.4'
    matches 'GB/T3048.4-2007' and 'GB/T3048.4' but not 'GB/T3048.41';
    'GB' matches 'GB/T...' and 'GB4706...' but not 'GBZ2.1'.
    """
    if not query_key or not key.startswith(query_key):
        return False
    if len(key) == len(query_key):
        return True
    last, following = query_key[-1], key[len(query_key)]
    return not (
        (last.isdigit() and following.isdigit()) or (last.isalpha() and following.isalpha())
    )
