"""How a person reads an amount of money: one formatter for every page, e-mail and calendar entry.

Fees are stored as Decimal CNY with two places; people read them as ¥2,030.00 (thousands grouped, two
decimals, the yuan sign in front), the same in Chinese and English pages.
"""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


def fee_text(amount, none: str = "—") -> str:
    """`amount` (Decimal, int, float or numeric text) as ¥2,030.00; `none` when there is no amount."""
    if amount is None or amount == "":
        return none
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return none
    sign = "-" if value < 0 else ""
    return f"{sign}¥{abs(value):,.2f}"
