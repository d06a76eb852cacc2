"""The bounds of the registry's values, each defined once.

The interchange schemas (imports, uploads, edit forms, restores), the booking forms, the API
schemas and the services all read them from here, so a page cannot accept what the API refuses.
Where docs/interchange-format.md names a bound it is that one; where it is silent, the stricter of
the bounds the code used to have in several places (see the comments).
"""
import re
from decimal import Decimal

# Booking: how far ahead a service can be booked, and so the longest lead time that still lets
# one be booked (the workspace form had 365; the interchange format was unbounded).
BOOKING_HORIZON_DAYS = 365
LEAD_TIME_DAYS = (0, BOOKING_HORIZON_DAYS)

# Samples or instruments a day: a capability's daily capacity, and so the most one request can ask
# for (the booking form had 10,000, the API 100,000, the workspace form 100,000 for the capacity).
DAILY_CAPACITY = (1, 10_000)
BOOKING_QUANTITY = DAILY_CAPACITY  # and never more than the capability's own daily capacity

# A unit fee in yuan: what the column (NUMERIC(12, 2)) holds.
PRICE_CNY = (Decimal("0"), Decimal("9999999999.99"))

# E-mail: "must look like name@domain.cn" (interchange format); 254 characters, a local part of 64
# (RFC 5321); no control character anywhere (a CR/LF would add mail headers).
EMAIL_PATTERN = re.compile(r"[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f.]+")
EMAIL_MAX = 254


def is_email(text: str | None) -> bool:
    """One address as the registry accepts it anywhere: sign-up, contacts, bookings, imports."""
    return bool(text) and len(text) <= EMAIL_MAX and EMAIL_PATTERN.fullmatch(text) is not None

# Coordinates in decimal degrees (the location rules then ask for a point in Hangzhou).
LONGITUDE = (-180, 180)
LATITUDE = (-90, 90)

USCC_LENGTH = 18  # the characters of a Unified Social Credit Code (checked by identifiers.normalize_uscc)

# Text lengths (characters), as the interchange format lists them, and those of a booking request.
ORG_NAME_MAX = 200
PHONE_MAX = 50
WEBSITE_MAX = 300
DESCRIPTION_MAX = 2000
CONTACT_NAME_MAX = 100
VOUCHER_MAX = 40
REASON_MAX = 2000

# A test plan (registry/services/search/plan.py): its items, each matched like a search's text
# (so no longer than a search's `q`), and the spreadsheet or text file a plan may come in.
PLAN_ITEMS_MAX = 100
PLAN_ITEM_MAX = 200
PLAN_FILE_MAX_BYTES = 2_000_000
