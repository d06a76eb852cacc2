"""Answers kept until the data changes: one small cache class for every such answer.

Every write to facilities or capabilities records a change set (and every booking step a booking
event), so a key that carries the data's version can never serve an answer of older data; no
entry needs expiring, only evicting when the cache is full. Each process keeps its own (a
gunicorn worker, a CLI command); `size` 0 turns a cache off. Hits and misses are counted so
that the metrics can show how much a cache serves.
"""
from __future__ import annotations

import threading

from cachetools import LRUCache

from registry.ops import metrics


class VersionedCache:
    """A thread-safe LRU of computed values; callers put the data's version in the key."""

    def __init__(self, size: int, name: str = "unnamed"):
        self.name = name  # the `cache` label of registry_cache_lookups_total
        self._lock = threading.Lock()
        self.resize(size)

    def resize(self, size: int) -> None:
        with self._lock:
            self.size = size
            self._items = LRUCache(maxsize=max(size, 1))
            self.hits = self.misses = 0

    def get(self, key):
        """The kept value for `key`, or None."""
        if not self.size:
            return None
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
            else:
                self.hits += 1
        metrics.count_cache_lookup(self.name, value is not None)
        return value

    def put(self, key, value):
        if self.size:
            with self._lock:
                self._items[key] = value
        return value

    def get_or_compute(self, key, compute):
        """The kept value for `key`, computing and keeping it on a miss (outside the lock)."""
        value = self.get(key)
        if value is None:
            value = self.put(key, compute())
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self):
        """The keys kept now, least recently used first (a copy: safe while others write)."""
        with self._lock:
            return iter(list(self._items))
