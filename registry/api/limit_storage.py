"""The rate limits' Redis counters in one round trip a request instead of three.

A limited request adds to its counter (a Lua script: INCRBY, EXPIRE on the first hit) and then reads
the counter and its time to live back for the `X-RateLimit-*` headers: GET and TTL, two more round
trips to Redis. Under load those three were a fifth of an API answer's time. Here the script returns
the count and the TTL with the increment, and the headers of the same request read them from there.
The counters, their keys and their expiry are `limits`' own, so workers with and without this class
share them; any other read goes to Redis as before.

Registered for the redis:// and rediss:// schemes, in place of `limits`' class (its storage registry
maps a scheme to the last class declaring it), by importing this module before the limiter is set up.
"""
from __future__ import annotations

import threading
import time

from limits.storage import RedisStorage

FRESH_SECONDS = 1.0  # a remembered count is used for the same request's headers, never a later one's

_INCR_TTL = """
local amount = tonumber(ARGV[2])
local current = redis.call("incrby", KEYS[1], amount)
if tonumber(current) == amount then
    redis.call("expire", KEYS[1], ARGV[1])
end
return {current, redis.call("ttl", KEYS[1])}
"""


class OneTripRedisStorage(RedisStorage):
    STORAGE_SCHEME = ["redis", "rediss"]

    def initialize_storage(self, uri: str) -> None:
        super().initialize_storage(uri)
        self.lua_incr_ttl = self.get_connection().register_script(_INCR_TTL)
        self._seen = threading.local()  # per thread: {prefixed key: (count, expires at, when)}

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        key = self.prefixed_key(key)
        count, ttl = self.lua_incr_ttl([key], [expiry, amount])
        seen = getattr(self._seen, "counts", None)
        if seen is None or len(seen) > 16:  # only this request's few limits matter
            seen = self._seen.counts = {}
        seen[key] = (int(count), time.time() + max(int(ttl), 0), time.monotonic())
        return int(count)

    def _remembered(self, key: str):
        kept = getattr(self._seen, "counts", {}).get(self.prefixed_key(key))
        return kept if kept and time.monotonic() - kept[2] < FRESH_SECONDS else None

    def get(self, key: str) -> int:
        kept = self._remembered(key)
        return kept[0] if kept else super().get(key)

    def get_expiry(self, key: str) -> float:
        kept = self._remembered(key)
        return kept[1] if kept else super().get_expiry(key)

    def clear(self, key: str) -> None:
        getattr(self._seen, "counts", {}).pop(self.prefixed_key(key), None)
        super().clear(key)
