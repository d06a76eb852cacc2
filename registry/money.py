"""How a person reads an amount of money: one formatter for every page, e-mail and calendar entry.

Fees are stored as Decimal CNY with two places; people read them as ¥2,030.00 (thousands grouped, two
decimals, the yuan sign in front), the same in Chinese and English pages; a price agreed on request reads 面议.
"""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l


def fee_text(amount, none: str = "—", on_request: bool = False) -> str:
    """`amount` (Decimal, int, float or numeric text) as ¥2,030.00; `none` when there is no amount;
    面议 (On request, in the reader's language) when the price is agreed on request."""
    if on_request:
        return str(_l("On request"))
    if amount is None or amount == "":
        return none
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return none
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"
