"""Audit results kept until the data changes: keyed on `records.data_version()` and the newest booking step.

Every write to facilities or capabilities records a change set, and every booking step a booking
event, so such a key can never serve figures of older data; the date is part of the key too
(certificates lapse at midnight). A small per-process LRU: each gunicorn worker keeps its own.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import func, select

from registry.models import BookingEvent
from registry.services.records.canonical import data_version

MAX_ITEMS = 64


class ResultCache:
    def __init__(self, size: int = MAX_ITEMS):
        self.size = size
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    def get_or_compute(self, key: tuple, compute):
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                self.hits += 1
                return self.items[key]
        value = compute()
        with self.lock:
            self.misses += 1
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


_cache = ResultCache()


def cached(session, name: str, args: tuple, compute):
    """`compute()` for (`name`, `args`) on the data as it is now, computed once per data version.

    The booking figures move with every booking step, which `data_version` (facilities and
    capabilities) does not see: the newest booking event is part of the key too."""
    bind = session.get_bind()
    newest_booking_step = session.scalar(select(func.max(BookingEvent.id)))
    key = (str(bind.url), name, args, data_version(session), newest_booking_step)
    return _cache.get_or_compute(key, compute)


def cache() -> ResultCache:
    return _cache
