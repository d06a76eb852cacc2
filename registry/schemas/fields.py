"""Marshmallow fields for values as bureaus type them: text cells, Chinese labels,
yes/no in either language, full-width characters, several date spellings.

Each field also accepts native JSON values, so that the API can reuse them.
Messages are lazy: they are rendered in the reader's language when shown.
"""
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, fields

from registry import identifiers, units, vocabulary
from registry.schemas import rules

IDENTIFIER_MESSAGES = {
    "uscc.length": _l("a Unified Social Credit Code has 18 characters"),
    "uscc.charset": _l("a Unified Social Credit Code uses digits and capital letters except I, O, Z, S, V"),
    "uscc.org_check": _l("the organisation-code check character (9th to 17th characters, GB 11714) is wrong"),
    "uscc.check": _l("the final check character is wrong"),
    "cma.format": _l("a CMA certificate number has 12 digits"),
    "cnas.format": _l("not a CNAS number such as CNAS L1234, CNAS IB0123 or CNAS C012-M"),
    "cnca.format": _l("not a CNCA approval number such as CNCA-R-2002-001"),
    "standard.format": _l("not a standard number such as GB/T 3048.4-2007 (separate several with ;)"),
    "unit.unknown": _l("not a unit that can be read (examples: MPa, kPa, ℃, mm, kN, Ω, Hz, dB)"),
}

MEMO_LIMIT = 50_000
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def clean_text(value: str) -> str:
    """Trim, fold full-width spaces and collapse runs of white space (U+3000 is white space)."""
    return " ".join(value.split())


class Cell(fields.Field):
    """A cell of the interchange format: text in (cleaned once), a typed value out."""

    default_error_messages = {
        "required": _l("this required value is missing"),
        "null": _l("this required value is missing"),
        "invalid": _l("not a valid value"),
        "control": _l("contains control characters (such as NUL); is the file damaged?"),
    }

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = clean_text(value)  # tabs and line breaks become spaces
            if not value:
                raise self.make_error("required" if self.required else "invalid")
            if CONTROL_CHARACTERS.search(value):
                raise self.make_error("control")
        return self.parse(value)

    def parse(self, value):
        return value

    def _serialize(self, value, attr, obj, **kwargs):
        return value

    def written(self, value, lang: str):
        """A stored value as `export` writes it in a file of `lang` (zh or en), so that import reads it back."""
        return value


class Text(Cell):
    def __init__(self, max_length: int = 200, **kwargs):
        super().__init__(**kwargs)
        self.max_length = max_length

    def parse(self, value):
        text = value if isinstance(value, str) else clean_text(str(value))
        if len(text) > self.max_length:
            raise ValidationError(_l("longer than %(max)s characters", max=self.max_length))
        return text


class ExternalId(Cell):
    PATTERN = re.compile(r"[A-Za-z0-9_.-]{1,64}")

    def parse(self, value):
        text = str(value)
        if not self.PATTERN.fullmatch(text):
            raise ValidationError(
                _l("an id has 1 to 64 characters among A-Z, a-z, 0-9, '_', '.' and '-'")
            )
        return text


class Choice(Cell):
    """One key of a vocabulary, given as the key or any of its labels."""

    def __init__(self, choices: dict[str, tuple[str, ...]], written_as_key: bool = False, **kwargs):
        """`written_as_key`: files of either language write the key (wgs84 is what people write for a CRS)."""
        super().__init__(**kwargs)
        self.written_as_key = written_as_key
        self.keys = list(choices)
        self.lookup = {}
        for key, labels in choices.items():
            for label in (key, *labels):
                self.lookup[label.casefold()] = key
        # what a Chinese reader is told to write: each key's first Chinese label (the key when it has none)
        self.chinese_of = {key: vocabulary.written(choices, key, "zh") for key in choices}
        self.chinese = list(self.chinese_of.values())

    def parse(self, value):
        text = str(value).casefold()
        key = self.lookup.get(text) or self.lookup.get(unicodedata.normalize("NFKC", text))
        if key is None:
            raise ValidationError(_l("must be one of: %(choices)s", choices=LazyString(self._choices_text)))
        return key

    def _choices_text(self) -> str:
        """Rendered with the message, in its reader's language."""
        return ", ".join(self.chinese if str(get_locale()) == "zh" else self.keys)

    def written(self, value, lang: str):
        if self.written_as_key or lang != "zh":
            return value
        return self.chinese_of.get(value, value)


class YesNo(Cell):
    TRUE = {"yes", "y", "true", "t", "1", "是", "有"}
    FALSE = {"no", "n", "false", "f", "0", "否", "无"}

    def parse(self, value):
        if isinstance(value, bool):
            return value
        text = str(value).casefold()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValidationError(_l("must be yes or no (also true/false, 1/0, 是/否)"))

    def written(self, value, lang: str):
        if value is None:
            return None
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")


class Number(Cell):
    def __init__(self, minimum: float | None = None, maximum: float | None = None, **kwargs):
        super().__init__(**kwargs)
        self.minimum, self.maximum = minimum, maximum

    THOUSANDS = re.compile(r"[-+]?\d{1,3}(,\d{3})+(\.\d*)?")

    def parse(self, value):
        text = unicodedata.normalize("NFKC", str(value))
        if "," in text:  # 12,500 is twelve thousand five hundred; 1,5 is a mistake
            text = text.replace(",", "") if self.THOUSANDS.fullmatch(text) else "?"
        if "_" in text:  # Python reads 1_000; a spreadsheet user did not mean that
            text = "?"
        try:
            number = self.convert(text)
        except (ValueError, InvalidOperation):
            raise ValidationError(self.not_a_number) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ValidationError(self.not_a_number)
        if self.minimum is not None and number < self.minimum:
            raise ValidationError(_l("must be at least %(min)s", min=self.minimum))
        if self.maximum is not None and number > self.maximum:
            raise ValidationError(_l("must be at most %(max)s", max=self.maximum))
        return number

    not_a_number = _l("not a number")

    def convert(self, text: str):
        return float(text)


class Integer(Number):
    not_a_number = _l("not a whole number")

    def convert(self, text: str):
        number = float(text)
        if not number.is_integer():
            raise ValueError(text)
        return int(number)


class Money(Number):
    """Yuan with two decimals, kept exact."""

    def convert(self, text: str):
        amount = Decimal(text)
        if not amount.is_finite():
            raise ValueError(text)
        if amount != amount.quantize(Decimal("0.01")):
            raise ValidationError(_l("at most two decimals (yuan and fen)"))
        return amount.quantize(Decimal("0.01"))


ON_REQUEST = "on request"  # what a Price cell of 面议 loads as; the row's record keeps it as price_on_request


class Price(Money):
    """A unit price: yuan (Money), or 面议, a price agreed on request (vocabulary.PRICE_ON_REQUEST)."""

    def parse(self, value):
        if isinstance(value, str) and unicodedata.normalize("NFKC", value).casefold() in vocabulary.PRICE_ON_REQUEST:
            return ON_REQUEST
        return super().parse(value)


def checked(function, value):
    """Call a normaliser of registry.identifiers or units; its reason becomes our message."""
    try:
        return function(value)
    except ValueError as exc:
        reason = getattr(exc, "reason", None)
        raise ValidationError(IDENTIFIER_MESSAGES.get(reason, str(exc))) from None


class Memoised(Cell):
    """Remembers what valid inputs parse to: units, standards and the like repeat
    thousands of times in one import, and their parsers are pure."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.memo: dict = {}

    def parse(self, value):
        text = str(value)
        try:
            return self.memo[text]
        except KeyError:
            pass
        result = self.parse_new(text)
        if len(text) <= 200:  # bounded, whatever a hostile file holds
            if len(self.memo) >= MEMO_LIMIT:
                self.memo.clear()
            self.memo[text] = result
        return result

    def parse_new(self, text: str):
        raise NotImplementedError


class Normalised(Memoised):
    """A value checked and normalised by a function of registry.identifiers or units."""

    def __init__(self, normalise, **kwargs):
        super().__init__(**kwargs)
        self.normalise = normalise

    def parse_new(self, text):
        return checked(self.normalise, text)


class Day(Memoised):
    FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
    COMPACT = re.compile(r"\d{8}")  # 20250630, as some systems export dates

    def parse(self, value):
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        return super().parse(value)

    def parse_new(self, text):
        text = unicodedata.normalize("NFKC", text).split("T")[0].split(" ")[0]
        formats = ("%Y%m%d",) if self.COMPACT.fullmatch(text) else self.FORMATS
        for fmt in formats:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValidationError(_l("not a date (write it as 2025-06-30)"))


class Email(Cell):
    def parse(self, value):
        if not rules.is_email(str(value)):
            raise ValidationError(_l("not an e-mail address"))
        return str(value)


class Url(Cell):
    PATTERN = re.compile(r"https?://[^\s/$.?#][^\s]*\.[^\s]+", re.IGNORECASE)

    def parse(self, value):
        if not self.PATTERN.fullmatch(str(value)) or len(str(value)) > rules.WEBSITE_MAX:
            raise ValidationError(_l("not a web address starting with http:// or https://"))
        return str(value)


class SeparatedList(Memoised):
    """A ';'-separated list (full-width '；' and line breaks too), stored as one string."""

    def __init__(self, split=None, **kwargs):
        super().__init__(**kwargs)
        self.split = split or self.split_plain

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):  # before white space is folded: a line break separates
            value = value.replace("\r\n", ";").replace("\n", ";").replace("\r", ";")
        return super()._deserialize(value, attr, data, **kwargs)

    @staticmethod
    def split_plain(text: str) -> list[str]:
        seen = []
        for part in text.replace("；", ";").split(";"):
            part = clean_text(part)
            if part and part not in seen:
                seen.append(part)
        return seen

    def parse_new(self, text):
        parts = checked(self.split, text)
        return ";".join(parts) if parts else None


def standards_field(**kwargs) -> SeparatedList:
    return SeparatedList(split=identifiers.split_standards, **kwargs)


def unit_field(**kwargs) -> Normalised:
    return Normalised(units.parse_unit, **kwargs)
