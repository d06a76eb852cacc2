"""The API limiter's Redis storage: one round trip per request instead of three.

Flask-Limiter (fixed window, with X-RateLimit-* headers) counts a hit with limits' `incr` script and
then asks for the window's remaining count (`get`) and reset time (`get_expiry`): three Redis round
trips for every API request. This storage (limits' own RedisStorage, registered for the scheme
`registry+redis`) counts the hit with a script that also answers the key's TTL, and answers that
`get` and `get_expiry` from it. The limit itself is enforced exactly as before (the same atomic
INCRBY and EXPIRE); only the headers read what the hit returned, not a second look a moment later.
registry/api/__init__.py hands it the configured `redis://` URI.
"""
from __future__ import annotations

import threading
import time

from limits.storage import RedisStorage

_FRESH_SECONDS = 0.05  # what a hit returned answers `get`/`get_expiry` for the same key this long


class OneTripRedisStorage(RedisStorage):
    STORAGE_SCHEME = ["registry+redis", "registry+rediss"]
    SCRIPT_INCR_TTL = """
local amount = tonumber(ARGV[2])
local current = redis.call("incrby", KEYS[1], amount)
if tonumber(current) == amount then
    redis.call("expire", KEYS[1], ARGV[1])
end
return {current, redis.call("ttl", KEYS[1])}
"""

    def __init__(self, uri: str, **options):
        self._last = threading.local()
        super().__init__(uri.removeprefix("registry+"), **options)

    def initialize_storage(self, uri: str) -> None:
        super().initialize_storage(uri)
        self.lua_incr_ttl = self.get_connection().register_script(self.SCRIPT_INCR_TTL)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        current, ttl = self.lua_incr_ttl([self.prefixed_key(key)], [expiry, amount])
        now = time.time()
        self._last.hit = (key, int(current), max(int(ttl), 0) + now, time.monotonic())
        return int(current)

    def _fresh(self, key: str):
        hit = getattr(self._last, "hit", None)
        if hit and hit[0] == key and time.monotonic() - hit[3] < _FRESH_SECONDS:
            return hit
        return None

    def get(self, key: str) -> int:
        hit = self._fresh(key)
        return hit[1] if hit else super().get(key)

    def get_expiry(self, key: str) -> float:
        hit = self._fresh(key)
        if hit:
            self._last.hit = None  # the window's stats are read once per hit
            return hit[2]
        return super().get_expiry(key)


def one_trip_uri(uri: str) -> str:
    """The URI that selects this storage for a `redis://` or `rediss://` one; others unchanged."""
    return "registry+" + uri if uri.startswith(("redis://", "rediss://")) else uri
