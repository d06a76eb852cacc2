"""The rate limits' Redis counters: one round trip for a counted request, and most requests counted
from a lease the worker took from Redis before.

A limited request adds to its counter (a Lua script: INCRBY, EXPIRE on the first hit) and then reads
the counter and its time to live back for the `X-RateLimit-*` headers: GET and TTL, two more round
trips to Redis. Under load those three were a fifth of an API answer's time. Here the script returns
the count and the TTL with the increment, and the headers of the same request read them from there.

Even that one trip was a seventh of a facility detail's time on two cores. So a worker takes a share
of a large limit at once (`API_RATE_LIMIT_LEASE`, 1% of it, at most `MAX_LEASE` calls: 12 at 1,200
per minute) and counts its next calls from that lease, in memory, until the lease or the window ends.
Redis's count therefore runs ahead of the calls answered, never behind: no more calls than the limit
pass in a window, and a client may be refused up to a lease per worker early. Limits whose lease would
be a single call (below 200 a window: anonymous reads, sign-in) are counted in Redis on every call.

The counters, their keys and their expiry are `limits`' own, so workers with and without this class
share them; any other read goes to Redis as before. Registered for the redis:// and rediss:// schemes,
in place of `limits`' class (its storage registry maps a scheme to the last class declaring it), by
importing this module before the limiter is set up; `LEASED` names the strategy that takes leases.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

from limits.storage import RedisStorage
from limits.strategies import STRATEGIES, FixedWindowRateLimiter

FRESH_SECONDS = 1.0  # a remembered count is used for the same request's headers, never a later one's
MAX_LEASE = 100  # calls a worker may take from Redis at once, however large the limit
LEASED = "fixed-window-leased"

_INCR_TTL = """
local amount = tonumber(ARGV[2])
local current = redis.call("incrby", KEYS[1], amount)
if tonumber(current) == amount then
    redis.call("expire", KEYS[1], ARGV[1])
end
return {current, redis.call("ttl", KEYS[1])}
"""


@dataclass
class Lease:
    next: int  # the count the next call of this worker takes
    end: int  # the last count of the lease
    expires: float  # wall-clock end of the window (Redis's TTL, rounded down)


class OneTripRedisStorage(RedisStorage):
    STORAGE_SCHEME = ["redis", "rediss"]

    def __init__(self, uri: str, lease_share: float = 0.0, **options) -> None:
        self.lease_share = float(lease_share)
        super().__init__(uri, **options)

    def initialize_storage(self, uri: str) -> None:
        super().initialize_storage(uri)
        self.lua_incr_ttl = self.get_connection().register_script(_INCR_TTL)
        self._seen = threading.local()  # per thread: {prefixed key: (count, expires at, when)}
        self._leases: dict[str, Lease] = {}
        self._leases_of = os.getpid()  # a forked worker starts with none of its parent's
        self._lock = threading.Lock()

    def _remember(self, key: str, count: int, expires: float) -> None:
        seen = getattr(self._seen, "counts", None)
        if seen is None or len(seen) > 16:  # only this request's few limits matter
            seen = self._seen.counts = {}
        seen[key] = (count, expires, time.monotonic())

    def _incr_ttl(self, key: str, expiry: int, amount: int) -> tuple[int, int]:
        count, ttl = self.lua_incr_ttl([key], [expiry, amount])
        return int(count), max(int(ttl), 0)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        key = self.prefixed_key(key)
        count, ttl = self._incr_ttl(key, expiry, amount)
        self._remember(key, count, time.time() + ttl)
        return count

    def take(self, key: str, expiry: int, amount: int, limit: int) -> int:
        """The count of this call in the window of a limit of `limit`: from this worker's lease when it
        holds one, else from a new lease of `lease_share` of the limit (a plain increment below 2)."""
        size = min(MAX_LEASE, int(limit * self.lease_share))
        if size < 2 or amount >= size:
            return self.incr(key, expiry, amount)
        key = self.prefixed_key(key)
        now = time.time()
        with self._lock:
            if self._leases_of != os.getpid():
                self._leases, self._leases_of = {}, os.getpid()
            lease = self._leases.get(key)
            if lease is None or lease.expires <= now or (lease.next <= limit and lease.next + amount - 1 > lease.end):
                count, ttl = self._incr_ttl(key, expiry, size)
                lease = self._leases[key] = Lease(count - size + 1, count, now + ttl)
                if len(self._leases) > 10_000:  # clients come and go: drop the ended windows
                    self._leases = {k: v for k, v in self._leases.items() if v.expires > now}
            count = lease.next + amount - 1
            if lease.next <= limit:  # past the limit, the window is spent: refused here until it ends
                lease.next += amount
        self._remember(key, count, lease.expires)
        return count

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
        with self._lock:
            self._leases.pop(self.prefixed_key(key), None)
        super().clear(key)


class LeasedFixedWindowRateLimiter(FixedWindowRateLimiter):
    """`fixed-window`, counted from leases where the storage gives them (the in-memory fallback does not)."""

    def hit(self, item, *identifiers: str, cost: int = 1) -> bool:
        take = getattr(self.storage, "take", None)
        if take is None:
            return super().hit(item, *identifiers, cost=cost)
        return take(item.key_for(*identifiers), item.get_expiry(), cost, item.amount) <= item.amount


STRATEGIES[LEASED] = LeasedFixedWindowRateLimiter
