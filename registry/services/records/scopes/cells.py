"""Read the cell forms of published scopes: methods, ranges, uncertainties, limitations, dates, prices.

Each reader takes the cell's text and returns the typed value and a list of
(reason, text) warnings; the caller adds the sheet, row and column. A form
that is not understood comes back verbatim (as text) with a warning, never
dropped. Full-width ASCII is folded one character for one (so positions in
the folded text are positions in the original, and titles keep their own
punctuation); standard numbers go through registry.identifiers, units through
registry.units.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from registry.identifiers import IdentifierError, normalize_standard_code
from registry.services.records.scopes.items import Limitation, Method, RangeSegment, Uncertainty
from registry.units import UnitError, parse_unit
from registry.vocabulary import PRICE_ON_REQUEST

Warnings = list[tuple[str, str]]

_FOLD = {c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: " ", 0x2212: "-", 0x2013: "-", 0x2014: "-", 0x2015: "-", 0xFE63: "-", 0x301C: "~"})
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")


def fold(text: str) -> str:
    """Full-width ASCII to ASCII, ideographic space to space, dashes to '-': one character for one."""
    return text.translate(_FOLD)


def squash(text: str) -> str:
    """Whitespace (also U+3000) collapsed to single spaces, trimmed; line breaks kept."""
    lines = [" ".join(line.replace("\u3000", " ").split()) for line in text.replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


# --- numbers -------------------------------------------------------------------

NUMBER = r"[-+]?\d+(?:\.\d+)?(?:\s*[×xX*]\s*10\s*\^?\s*[-+]?\d+|[eE][-+]?\d+)?"


def number(text: str) -> Decimal | None:
    """'0.05', '5×10⁻¹⁰', '1×10^-11', '1E-11', '1,000' as a Decimal; None if not a number."""
    plain = fold(text).translate(_SUPERSCRIPT).replace(",", "").replace(" ", "")
    m = re.fullmatch(r"([-+]?\d+(?:\.\d+)?)(?:[×xX*]10\^?([-+]?\d+)|[eE]([-+]?\d+))?", plain)
    if not m:
        return None
    try:
        value = Decimal(m[1])
        exponent = m[2] or m[3]
        return value.scaleb(int(exponent)) if exponent else value
    except InvalidOperation:
        return None


def number_text(value: Decimal) -> str:
    """A Decimal as a person writes it: no exponent for ordinary sizes, '5×10⁻¹⁰' for tiny or huge ones."""
    if value == 0:
        return "0"
    exponent = value.adjusted()
    if -6 <= exponent <= 12:
        text = format(value, "f")
        return text
    mantissa = value.scaleb(-exponent).normalize()
    sup = str(exponent).translate(str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻"))
    return f"{format(mantissa, 'f')}×10{sup}"


# --- methods -------------------------------------------------------------------

_PREFIXES = (
    "GB/T GB/Z GBZ/T GBZ GB JJG JJF HJ/T HJ SN/T SN QB/T QB YY/T YY NB/T NB JB/T JB JG/T JGJ/T JGJ DL/T CJ/T CJJ "
    "SH/T HG/T GA/T GA WS/T WS NY/T NY LY/T FZ/T TB/T JT/T MH/T SJ/T YD/T SL/T SL JC/T QC/T CB/T "
    "ISO/IEC ISO/TS ISO/TR ISO IEC/TR IEC ASTM BS EN EN DIN JIS UL SAE AATCC ANSI IEEE CISPR IATF OIML AOAC"
).split()
_PREFIX = "|".join([r"DB\d{2,4}\s*/\s*T", r"DB\d{2,4}\s*/?", r"T\s*/\s*[A-Z]{2,10}", r"Q\s*/\s*[A-Z0-9]{2,12}"]
                   + [re.escape(p).replace("/", r"\s*/\s*").replace(r"\ ", r"\s+") for p in _PREFIXES])
STANDARD = re.compile(
    rf"(?<![A-Za-z0-9])(?:{_PREFIX})\s*[A-Z]{{0,2}}\s*\d+(?:\s*\.\s*\d+)*(?:\s*-\s*\d+)*(?:\s*[-:]\s*\d{{2,4}})?"
    r"(?:\s*\+\s*A\d+(?:\s*:\s*\d{4})?)?(?![0-9])"
)
# Non-standard methods, kept as text: a lab's own 作业指导书, and methods published by announcement
# (农业部1025号公告-14-2008), which are not standard numbers.
_NONSTANDARD = re.compile(r"^(作业指导书|作业指导|实施细则|检测细则|检验细则|操作规程|非标|自编|自制|内部方法|SOP)"
                          r"|^[^A-Za-z]*(部|局|委|院)[^A-Za-z]*公告")
_LINE_SPLIT = re.compile(r"[\n;；]")
_BETWEEN = re.compile(r"^[\s、,，/及和与或]*$")
_BRACKETED = re.compile(r"^[(（\[［]\s*(.*?)\s*[)）\]］]$")


def methods(text: str) -> tuple[tuple[Method, ...], Warnings]:
    """The methods of a standards cell: one per line (also per '；'), several standards on a line split."""
    found: list[Method] = []
    warnings: Warnings = []
    for line in _LINE_SPLIT.split(squash(text)):
        line = line.strip()
        if not line:
            continue
        if _NONSTANDARD.match(fold(line)):
            found.append(Method(text=line))
            continue
        line_methods, problem = _standards_in_line(line)
        if problem:
            warnings.append(problem)
        found.extend(line_methods)
    return tuple(dict.fromkeys(found)), warnings


def _standards_in_line(line: str) -> tuple[list[Method], tuple[str, str] | None]:
    folded = fold(line)
    spans = [m.span() for m in STANDARD.finditer(folded)]
    if not spans:
        return [Method(text=line)], ("method.unknown", line)
    result: list[Method] = []
    for i, (start, end) in enumerate(spans):
        try:
            code = normalize_standard_code(folded[start:end])
        except IdentifierError:
            return [Method(text=line)], ("standard.format", line)
        before = line[spans[i - 1][1] if i else 0:start]
        after = line[end:spans[i + 1][0] if i + 1 < len(spans) else len(line)]
        title = "" if i and _BETWEEN.match(before) else before
        if i and title and "《" not in title:  # text between two standards belongs to the first as its clause
            title = ""
        if not title.strip() and after.lstrip().startswith("《") and "》" in after:
            title, _, after = after.lstrip()[1:].partition("》")
        if i + 1 < len(spans) and ("《" in after or _BETWEEN.match(after)):
            after = ""  # the next standard's title, or a separator
        clause = after.strip(" 、,，")
        bracketed = _BRACKETED.match(clause)
        result.append(Method(code, _title(title), bracketed[1] if bracketed else clause))
    return result, None


def _title(text: str) -> str:
    text = text.strip(" 、,，:：")
    if "《" in text:
        text = text[text.index("《") + 1:]
        text = text[:text.index("》")] if "》" in text else text
    return text.strip()


def method_text(method: Method) -> str:
    """One line of a standards cell, as the reader reads it back."""
    if method.nonstandard:
        return method.text
    title = f"《{method.title}》" if method.title else ""
    return title + method.standard + (f" {method.clause}" if method.clause else "")


# --- ranges --------------------------------------------------------------------

_RANGE = re.compile(rf"(?P<a>{NUMBER})\s*(?P<ua>[^\d~\-至到]*?)\s*(?:~|-|至|到)\s*(?P<b>{NUMBER})\s*(?P<ub>.*)")
_BOUND = re.compile(rf"(?P<op><=|>=|≤|≥|<|>|不大于|不超过|不小于|不低于|小于等于|大于等于)"
                    rf"\s*(?P<a>{NUMBER})\s*(?P<u>.*)")
_POINT = re.compile(rf"(?P<a>{NUMBER})\s*(?P<u>[^\d]*)")
_PARENS = re.compile(r"\((?P<inner>[^()]*)\)\s*(?P<unit>.*)")


def _unit(text: str, warnings: Warnings) -> str:
    text = text.strip()
    if not text:
        return ""
    try:
        return parse_unit(text)
    except UnitError:
        warnings.append(("unit.unknown", text))
        return text


def range_segment(text: str) -> tuple[RangeSegment, Warnings]:
    """One range: '(0～10) MPa', '0 MPa～100 MPa', '-40℃～300℃', '10 Hz～1 GHz', '≤ 2 kg', '50 Hz'."""
    warnings: Warnings = []
    written = squash(text)
    folded = fold(written).translate(_SUPERSCRIPT).strip()
    outer = _PARENS.fullmatch(folded)
    inner, outer_unit = (outer["inner"].strip(), outer["unit"]) if outer else (folded, "")
    if m := _RANGE.fullmatch(inner):
        low, high = number(m["a"]), number(m["b"])
        unit = _unit(outer_unit or m["ub"], warnings)
        low_unit = _unit(m["ua"], warnings) if m["ua"].strip() else ""
        if low is not None and high is not None:
            if low_unit == unit:
                low_unit = ""
            if not low_unit and low > high:
                warnings.append(("range.order", written))
            return RangeSegment(low, high, unit, low_unit, written), warnings
    if m := _BOUND.fullmatch(inner):
        value, unit = number(m["a"]), _unit(outer_unit or m["u"], warnings)
        if value is not None:
            upper = m["op"] in ("<=", "≤", "<", "不大于", "不超过", "小于等于")
            return RangeSegment(None if upper else value, value if upper else None, unit, "", written), warnings
    if (m := _POINT.fullmatch(inner)) and (value := number(m["a"])) is not None:
        return RangeSegment(value, value, _unit(outer_unit or m["u"], warnings), "", written), warnings
    return RangeSegment(text=written), [("range.unknown", written)]


def range_text(segment: RangeSegment) -> str:
    if segment.text:
        return segment.text
    low = "" if segment.min is None else number_text(segment.min)
    high = "" if segment.max is None else number_text(segment.max)
    unit = f" {segment.unit}" if segment.unit else ""
    if segment.min is None:
        return f"≤ {high}{unit}"
    if segment.max is None:
        return f"≥ {low}{unit}"
    if segment.min_unit:
        return f"{low} {segment.min_unit}～{high}{unit}"
    return f"({low}～{high}){unit}"


# --- uncertainty ---------------------------------------------------------------

_K = re.compile(r"[,;，；]?\s*\(?\s*[kK]\s*=\s*(\d+(?:\.\d+)?)\s*\)?\s*")
_U = re.compile(r"U(?P<rel>\s*rel|r)?\s*[=＝]\s*(?P<body>.+)", re.IGNORECASE)
_VALUE_UNIT = re.compile(rf"(?P<v>{NUMBER})\s*(?P<u>.*)")
_CLASS_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*级")
_MPE = re.compile(rf"(?:MPE|最大允许误差)?\s*[:=]?\s*±\s*(?P<v>{NUMBER})\s*(?P<u>.*)|(?:MPE|最大允许误差)\s*[:=]?\s*"
                  rf"(?P<v2>{NUMBER})\s*(?P<u2>.*)", re.IGNORECASE)


def uncertainty(text: str, default_k: Decimal | None = None) -> tuple[Uncertainty, Warnings]:
    """U=0.3 ℃, Urel=0.1%, U=0.05%, k=2/k=3, 0.05级, E2等级, MPE: ±0.02 mm, or a formula kept verbatim."""
    written = squash(text).replace("\n", " ")
    folded = fold(written).translate(_SUPERSCRIPT).strip()
    k_match = _K.search(folded)
    k = Decimal(k_match[1]) if k_match else default_k
    body = (folded[:k_match.start()] + " " + folded[k_match.end():]).strip(" ,;，；") if k_match else folded
    if m := _U.fullmatch(body):
        value_unit = _VALUE_UNIT.fullmatch(m["body"].strip())
        if value_unit and (value := number(value_unit["v"])) is not None and not re.search(r"[+(]", value_unit["u"]):
            unit_text = value_unit["u"].strip()
            if m["rel"] or unit_text in ("", "%"):
                return Uncertainty("relative", value, unit_text, k, written), []
            warnings: Warnings = []
            return Uncertainty("absolute", value, _unit(unit_text, warnings), k, written), warnings
        return Uncertainty("formula", None, "", k, written), []
    if "级" in body or re.search(r"等(标准)?$", body):
        m = _CLASS_NUMBER.fullmatch(body)
        return Uncertainty("class", Decimal(m[1]) if m else None, "", None, written), []
    if (m := _MPE.fullmatch(body)) and (value := number(m["v"] or m["v2"])) is not None:
        warnings = []
        unit_text = (m["u"] if m["v"] else m["u2"]).strip()
        unit = unit_text if unit_text == "%" else _unit(unit_text, warnings)
        return Uncertainty("mpe", value, unit, None, written), warnings
    return Uncertainty("text", None, "", k_match and k, written), [("uncertainty.unknown", written)]


def uncertainty_text(value: Uncertainty) -> str:
    if value.text:
        return value.text
    k = f", k={value.k}" if value.k is not None else ""
    amount = "" if value.value is None else number_text(value.value)
    unit = value.unit if value.unit in ("", "%") else f" {value.unit}"
    if value.kind == "relative":
        return f"Urel={amount}{unit}{k}"
    if value.kind == "absolute":
        return f"U={amount}{unit}{k}"
    if value.kind == "class":
        return f"{amount}级"
    if value.kind == "mpe":
        return f"MPE: ±{amount}{unit}"
    return value.text


# --- the other cells -----------------------------------------------------------

_ONLY = re.compile(r"^(只测|仅测|只检|仅检|只做|仅做|只用于|仅用于|仅限|只限|只对|仅对|只适用|仅适用)")
_EXCEPT = re.compile(r"^(不测|不检|不做|不含|不包括|不适用|除)")


def limitation(text: str) -> Limitation | None:
    written = squash(text)
    if not written:
        return None
    folded = fold(written)
    kind = "only" if _ONLY.match(folded) else "except" if _EXCEPT.match(folded) else "other"
    return Limitation(kind, written)


_BRACKETS = str.maketrans({"〔": "[", "［": "[", "【": "[", "(": "[", "（": "[",
                           "〕": "]", "］": "]", "】": "]", ")": "]", "）": "]"})
_CERTIFICATE = re.compile(r"\[\s*(\d{4})\s*\]\s*(\S+?证字)\s*第\s*(\d+)\s*号")


def certificate(text: str) -> tuple[str, Warnings]:
    """'〔2021〕浙量标杭证字第058号' as '[2021]浙量标杭证字第058号'; other forms verbatim, with a warning."""
    written = squash(text)
    m = _CERTIFICATE.fullmatch(fold(written).translate(_BRACKETS))
    if m:
        return f"[{m[1]}]{m[2]}第{m[3]}号", []
    return written, [("certificate.format", written)]


_DATE = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?")


def date(value) -> tuple[dt.date | None, Warnings]:
    if isinstance(value, dt.datetime):
        return value.date(), []
    if isinstance(value, dt.date):
        return value, []
    written = squash(str(value))
    m = _DATE.fullmatch(fold(written))
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])), []
        except ValueError:
            pass
    return None, [("date.unknown", written)]


def price(text: str) -> tuple[Decimal | None, bool, Warnings]:
    """(price, on request): '面议' is a price on request; '200', '200元', '200元/项' a number."""
    written = squash(text)
    folded = fold(written).replace(",", "")
    if folded.casefold() in PRICE_ON_REQUEST:
        return None, True, []
    m = re.fullmatch(r"[¥￥]?\s*(\d+(?:\.\d+)?)\s*(元.*)?", folded)
    if m:
        return Decimal(m[1]), False, []
    return None, False, [("price.unknown", written)]


def public_standard(text: str) -> bool:
    folded = fold(squash(text)).casefold()
    return "社会公用" in folded or folded in ("是", "√", "✓", "y", "yes", "true", "1")
