"""Answers kept until the data changes: one small cache class for every such answer.

Every write to facilities or capabilities records a change set (and every booking step a booking
event), so a key that carries the data's version can never serve an answer of older data; no
entry needs expiring, only evicting when the cache is full. Each process keeps its own (a
gunicorn worker, a CLI command); `size` 0 turns a cache off. A cache given a `codec` (its values to
bytes and back) also shares its answers between workers through Redis when `CACHE_REDIS_URL` is set
(registry/shared_cache.py): the process's LRU is asked first, Redis on a miss there. Hits and
misses are counted per tier so that the metrics can show how much each serves.
"""
from __future__ import annotations

import json
import threading
from typing import Any, Callable, NamedTuple

from cachetools import LRUCache

from registry import shared_cache
from registry.ops import metrics


class Codec(NamedTuple):
    """How a cache's values cross Redis: `encode` returns None for a value to keep in this process only."""
    encode: Callable[[Any], bytes | None]
    decode: Callable[[bytes], Any]


class VersionedCache:
    """A thread-safe LRU of computed values; callers put the data's version in the key."""

    def __init__(self, size: int, name: str = "unnamed", codec: Codec | None = None):
        self.name = name  # the `cache` label of registry_cache_lookups_total
        self.codec = codec
        self._lock = threading.Lock()
        self.resize(size)

    def resize(self, size: int) -> None:
        with self._lock:
            self.size = size
            self._items = LRUCache(maxsize=max(size, 1))
            self.hits = self.misses = 0

    def get(self, key):
        """The kept value for `key`, or None: this process's first, then the shared tier's (kept here too)."""
        if not self.size:
            return None
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
            else:
                self.hits += 1
        metrics.count_cache_lookup(self.name, value is not None)
        if value is None and self.codec is not None:
            value = self._shared_get(key)
        return value

    def put(self, key, value):
        """Keep `value` here, and in the shared tier when there is one."""
        if self.size:
            with self._lock:
                self._items[key] = value
            tier = shared_cache.current_tier() if self.codec is not None else None
            if tier is not None:
                data = self.codec.encode(value)
                if data is not None:
                    tier.set(self.name, key, data)
        return value

    def get_or_compute(self, key, compute):
        """The kept value for `key`, computing and keeping it on a miss (outside the lock)."""
        value = self.get(key)
        if value is None:
            value = self.put(key, compute())
        return value

    def _shared_get(self, key):
        tier = shared_cache.current_tier()
        if tier is None:
            return None
        data, answered = tier.get(self.name, key)
        metrics.count_shared_cache_lookup(self.name, "unavailable" if not answered else
                                          "hit" if data is not None else "miss")
        if data is None:
            return None
        try:
            value = self.codec.decode(data)
        except ValueError:  # not this codec's bytes (another release's): computed again, stored anew
            return None
        with self._lock:
            self._items[key] = value
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


def pack(header: dict, body: bytes) -> bytes:
    """A value's small fields (JSON, one line) and its body, as one Redis value."""
    return json.dumps(header, separators=(",", ":")).encode() + b"\n" + body


def unpack(data: bytes) -> tuple[dict, bytes]:
    """(header, body) of `pack`; ValueError when `data` is not such a value."""
    header, newline, body = data.partition(b"\n")
    if not newline:
        raise ValueError("not a packed cache value")
    fields = json.loads(header)
    if not isinstance(fields, dict):
        raise ValueError("not a packed cache value")
    return fields, body


def text_codec() -> Codec:
    """Share str values (rendered pages, maps); keep any other value in this process only."""
    return Codec(lambda value: value.encode() if isinstance(value, str) else None, bytes.decode)
