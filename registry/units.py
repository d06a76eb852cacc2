"""Units of measurement ranges, read with pint.

`parse_unit` checks that a unit can be read and returns the spelling to
store: the user's own (`MPa` stays `MPa`, `℃` stays `℃`, `μm` stays `μm`),
only cleaned -- full-width ASCII folded, spaces collapsed, and a few
unambiguous capitalisation slips fixed (`Mpa`, `KPa`, `KN`, `Kg`, `KHz`).
Cleaning is idempotent, so the stored spelling parses to itself.

`to_base` turns a value into SI base units plus a dimensionality string, so
that ranges written in MPa and kPa, or ℃ and K, can be compared.

Units that pint lacks or reads wrongly are defined here:
  - `%RH` relative humidity, its own dimension [relative_humidity]: 50 %RH
    is not 50 % of anything else and must not match a '%' range.
  - HV, HK, HBW, HRA, HRB, HRC hardness scales: each its own dimension.
    They are dimensionless numbers, but pint converts any dimensionless
    unit into any other, and hardness scales have no exact conversion
    (the ISO 18265 tables are empirical and material-dependent), so a
    separate dimension is the only way to make them parse yet not convert.
  - pH, dimensionless (pint would otherwise read it as picohenry).
  - r (revolution) so that r/min, the Chinese way of writing rpm, parses.
Levels -- dB, dB(A), dBm, dBW, dBμV, dBc/Hz, dB/km and a few more -- are
read from a short list rather than by pint (which fails on 'dB/m'), and
`to_base` leaves their value as it is, with a dimension naming the level
('[level dBm]'), rather than turning 94 dB into a power ratio of 2.5e9 that
would compare with plain numbers. Weighting (A, C, Z) is a measurement
condition and is dropped from that dimension: dB(A) and dB compare.

`parse_typed_unit` also reads Chinese unit names (兆帕, 千克, 摄氏度, 毫米, 牛·米…) as their symbols (MPa,
kg, ℃, mm, N·m): what a person types in a search. Imported data keeps to symbols (`parse_unit` refuses
公斤: a bureau's file is fixed at its source, not guessed at).

Building the pint registry costs about 0.15-0.25 s and is done once, on
first use, by `registry()`.
"""
from __future__ import annotations

import functools
import re
import threading
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pint takes ~0.3 s to import: loaded by registry() on first use
    import pint

__all__ = ["UnitError", "parse_unit", "parse_typed_unit", "to_base", "registry"]


class UnitError(ValueError):
    """A unit that cannot be read; `reason` is always 'unit.unknown'."""

    def __init__(self, message: str, value: object = None):
        super().__init__(message)
        self.reason = "unit.unknown"
        self.value = value


_DEFINITIONS = [
    "percent_RH = [relative_humidity]",
    "HV = [hardness_vickers]",
    "HK = [hardness_knoop]",
    "HBW = [hardness_brinell]",
    "HRA = [hardness_rockwell_A]",
    "HRB = [hardness_rockwell_B]",
    "HRC = [hardness_rockwell_C]",
    "pH_value = [] = pH",
    "r = revolution",
]
# Prefixes added in 2022 that turn typos into units: 'RH' would be ronnahenry.
_EXOTIC_PREFIXES = ("ronna", "quetta", "ronto", "quecto")

_lock = threading.Lock()
_registry: pint.UnitRegistry | None = None


def registry() -> pint.UnitRegistry:
    """The module's one UnitRegistry, built on first use (it is slow to build)."""
    global _registry
    if _registry is None:
        with _lock:
            if _registry is None:
                import pint

                ureg = pint.UnitRegistry(autoconvert_offset_to_baseunit=True)
                for definition in _DEFINITIONS:
                    ureg.define(definition)
                _registry = ureg
    return _registry


# Whole-word slips seen in bureau spreadsheets, none of which is a unit.
_CASE_FIXES = {
    "Mpa": "MPa", "MPA": "MPa", "Kpa": "kPa", "KPa": "kPa", "KPA": "kPa", "kpa": "kPa",
    "KN": "kN", "Kg": "kg", "KG": "kg", "KV": "kV", "KW": "kW",
    "HZ": "Hz", "hz": "Hz", "KHz": "kHz", "Khz": "kHz", "khz": "kHz", "KHZ": "kHz",
    "Mhz": "MHz", "MHZ": "MHz", "Ghz": "GHz", "GHZ": "GHz",
}
# Chinese names of units, longest first so that 千帕 is not read as 千 + 帕.
CHINESE_UNITS = {
    "摄氏度": "℃", "华氏度": "℉", "开尔文": "K", "兆帕斯卡": "MPa", "千帕斯卡": "kPa", "帕斯卡": "Pa",
    "吉帕": "GPa", "兆帕": "MPa", "千帕": "kPa", "百帕": "hPa", "帕": "Pa", "巴": "bar",
    "千克": "kg", "公斤": "kg", "毫克": "mg", "微克": "μg", "克": "g", "吨": "t",
    "千米": "km", "公里": "km", "厘米": "cm", "毫米": "mm", "微米": "μm", "纳米": "nm", "米": "m",
    "平方毫米": "mm²", "平方米": "m²", "立方米": "m³", "毫升": "mL", "升": "L",
    "兆牛": "MN", "千牛": "kN", "牛顿米": "N·m", "牛·米": "N·m", "牛米": "N·m", "牛顿": "N", "牛": "N",
    "千伏": "kV", "毫伏": "mV", "微伏": "μV", "伏特": "V", "伏": "V",
    "千安": "kA", "毫安": "mA", "微安": "μA", "安培": "A", "安": "A",
    "兆瓦": "MW", "千瓦": "kW", "毫瓦": "mW", "瓦特": "W", "瓦": "W",
    "兆欧": "MΩ", "千欧": "kΩ", "毫欧": "mΩ", "欧姆": "Ω", "欧": "Ω",
    "吉赫兹": "GHz", "兆赫兹": "MHz", "千赫兹": "kHz", "赫兹": "Hz", "吉赫": "GHz", "兆赫": "MHz", "千赫": "kHz",
    "赫": "Hz", "千焦": "kJ", "焦耳": "J", "焦": "J", "勒克斯": "lx", "坎德拉": "cd", "分贝": "dB",
    "转每分钟": "r/min", "转/分": "r/min", "毫秒": "ms", "微秒": "μs", "秒": "s", "分钟": "min", "小时": "h",
}
_CHINESE_UNIT = re.compile("|".join(sorted(map(re.escape, CHINESE_UNITS), key=len, reverse=True)))
_FULL_WIDTH = re.compile("[\u3000\uff01-\uff5e]")
_PINT_SPELLING = [  # (pattern, replacement) applied before pint reads the text
    (re.compile(r"%\s*R\.?H\.?|R\.?H\.?\s*%", re.IGNORECASE), "percent_RH"),
    (re.compile("\u2103"), "degC"),  # ℃
    (re.compile("\u2109"), "degF"),  # ℉
    (re.compile("\u2126"), "ohm"),  # Ω, the ohm sign, not Greek omega
    (re.compile(r"%"), "percent"),
]
# What a unit is written with; pint itself skips some stray characters ('m!').
_UNIT_CHARS = re.compile(
    "[A-Za-z0-9 .*/^()%\u00b0\u2103\u2109\u2126\u03a9\u00b5\u03bc\u00b7\u22c5"
    "\u00b2\u00b3\u00b9\u2070\u2074-\u2079\u207b-]+"  # ° ℃ ℉ Ω Ω µ μ · ⋅ and superscripts
)
_GLUED_EXPONENT = re.compile(r"(?<=[A-Za-z])([23])(?=$|[\s*/·.)])")  # m3/h, mm2


def _clean(text: str) -> str:
    if not isinstance(text, str):
        raise UnitError(f"not a unit: {text!r}", text)
    text = _FULL_WIDTH.sub(lambda m: unicodedata.normalize("NFKC", m[0]), text)
    text = " ".join(text.split())
    return re.sub(r"[A-Za-z]+", lambda m: _CASE_FIXES.get(m[0], m[0]), text)


def _read(expression: str) -> pint.Unit:
    try:
        return registry().parse_units(expression)
    except Exception:  # pint's tokenizer raises a mix of types for malformed input
        glued = _GLUED_EXPONENT.sub(r"**\1", expression)
        if glued == expression:
            raise
        return registry().parse_units(glued)


# Levels (logarithmic units) are spelled from this list and never reach pint,
# which cannot combine them with other units ('dB/m' fails inside pint).
_LEVEL = re.compile(
    r"dB\s*(?:\(\s*[ACZ]\s*\)|[ACZ]|m|W|i|c|[u\u00b5\u03bc][VA])?(?:\s*/\s*(?:k?m|[kMG]?Hz))?"
)  # dB, dB(A), dBA, dBm, dBW, dBi, dBc, dBμV, dBμA, dB/m, dB/km, dBμV/m, dBc/Hz, dBm/MHz


def _level_key(cleaned: str) -> str:
    key = re.sub(r"\s+", "", cleaned).replace("u", "\u03bc").replace("\u00b5", "\u03bc")
    return "[level " + re.sub(r"^dB\(?[ACZ]\)?(?![A-Za-z])", "dB", key) + "]"


@functools.lru_cache(maxsize=4096)
def _parse(text: str) -> tuple[str, pint.Unit | str]:
    """(stored spelling, pint unit) -- or, for a level, (stored spelling, its dimension name)."""
    cleaned = _clean(text)
    if _LEVEL.fullmatch(cleaned):
        return cleaned, _level_key(cleaned)
    expression = cleaned
    for pattern, replacement in _PINT_SPELLING:
        expression = pattern.sub(replacement, expression)
    unit = None
    if _UNIT_CHARS.fullmatch(cleaned):
        try:
            unit = _read(expression)
            unit.dimensionality  # noqa: B018 -- some malformed units only fail here
        except Exception:  # anything pint chokes on is simply not a unit
            unit = None
    if (
        unit is None
        or not unit._units  # '' and 'dimensionless'
        or any(name.startswith(_EXOTIC_PREFIXES) for name in unit._units)
        or _is_logarithmic(unit)  # 'decibel', 'Np': levels only from the list above
    ):
        raise UnitError(f"not a unit that can be read: {text!r}", text)
    return cleaned, unit


def parse_unit(text: str) -> str:
    """Return the unit as it should be stored (the user's cleaned spelling) or raise UnitError."""
    return _parse(text)[0]


def parse_typed_unit(text: str) -> str:
    """A unit typed in a search, where Chinese names are read as their symbols (兆帕 → MPa); else as parse_unit."""
    if isinstance(text, str):
        text = _CHINESE_UNIT.sub(lambda m: CHINESE_UNITS[m[0]], text)
    return parse_unit(text)


def _is_logarithmic(unit: pint.Unit) -> bool:
    # pint keeps this on the unit definition; there is no public accessor.
    definitions = registry()._units
    return any(definitions[name].is_logarithmic for name in unit._units)


def to_base(value: float, unit_text: str) -> tuple[float, str]:
    """Return (value in SI base units, dimensionality), e.g. (293.15, '[temperature]') for 20 ℃.

    Offset units are absolute (20 ℃ is 293.15 K); in a compound such as
    ℃/min the ℃ is a temperature difference. Levels come back unconverted,
    with a dimension naming the level: (94.0, '[level dB]') for 94 dB(A).
    """
    unit = _parse(unit_text)[1]
    if isinstance(unit, str):
        return float(value), unit
    quantity = registry().Quantity(float(value), unit).to_base_units()
    return float(quantity.magnitude), str(quantity.dimensionality)
