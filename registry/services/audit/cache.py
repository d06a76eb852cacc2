"""Audit results kept until the data changes: keyed on `records.data_version()` and the newest booking step.

Every write to facilities or capabilities records a change set, and every booking step a booking
event, so such a key can never serve figures of older data; the date is part of the key too
(certificates lapse at midnight). The registry's one cache class (registry/caching.py); the rendered
pages and maps (text, the costliest entries) are also shared by the workers with `CACHE_REDIS_URL`,
figures and tables (Python objects) stay in each worker.
"""
from __future__ import annotations

from sqlalchemy import func, select

from registry.caching import VersionedCache, text_codec
from registry.database import database_key
from registry.models import BookingEvent
from registry.services.records.canonical import data_version

MAX_ITEMS = 64

_cache = VersionedCache(MAX_ITEMS, name="audit", codec=text_codec())


def cached(session, name: str, args: tuple, compute):
    """`compute()` for (`name`, `args`) on the data as it is now, computed once per data version.

    The booking figures move with every booking step, which `data_version` (facilities and
    capabilities) does not see: the newest booking event is part of the key too."""
    bind = session.get_bind()
    newest_booking_step = session.scalar(select(func.max(BookingEvent.id)))
    key = (database_key(bind), name, args, data_version(session), newest_booking_step)
    return _cache.get_or_compute(key, compute)


def cache() -> VersionedCache:
    return _cache
