"""The caches' second tier: answers shared by every worker through Redis (`CACHE_REDIS_URL`).

Each worker keeps its own LRU (registry/caching.py); a miss there asks Redis before computing, and
what a worker computes it also stores there, so a question is computed once for all workers instead
of once per worker. The keys already carry the database, the data's version and the date, so a
shared entry is never stale, only unused after a write; a TTL (`CACHE_REDIS_TTL`) and Redis's own
`maxmemory` with `maxmemory-policy allkeys-lru` bound its memory.

A cache is a help, never a dependency: a Redis that is down, slow or full costs each request at most
`CACHE_REDIS_TIMEOUT` once, then this process leaves Redis alone for `RETRY_AFTER_S` and computes
locally (logged once per outage). Values cross Redis as bytes through each cache's own codec, never
pickle: whoever can write to Redis must not be able to run code in the workers.

redis is imported when the first shared lookup is made, not at start.
"""
from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import logging
import threading
import time

from flask import current_app, has_app_context

log = logging.getLogger(__name__)

RETRY_AFTER_S = 30.0  # after a failure, this process asks Redis again only this much later
MAX_VALUE_BYTES = 4 * 2**20  # larger values stay in the worker's own tier


class RedisTier:
    """One Redis (URL and key prefix) as the second tier of every cache that has a codec."""

    def __init__(self, url: str, prefix: str, ttl: int, timeout: float):
        self.url, self.prefix, self.ttl, self.timeout = url, prefix, ttl, timeout
        self._client = None
        self._lock = threading.Lock()
        self._down_until = 0.0  # monotonic time before which Redis is not asked
        self._down_logged = False

    def key(self, cache: str, key) -> str:
        """`<prefix>:<cache>:<hash of the key tuple>` (the tuple holds database, data version and date)."""
        digest = hashlib.blake2b(_canonical_bytes(key), digest_size=20).hexdigest()
        return f"{self.prefix}:{cache}:{digest}"

    def get(self, cache: str, key) -> tuple[bytes | None, bool]:
        """(the stored bytes or None, whether Redis answered)."""
        return self._call(lambda client: client.get(self.key(cache, key)))

    def set(self, cache: str, key, data: bytes) -> bool:
        if len(data) > MAX_VALUE_BYTES:
            return False
        return self._call(lambda client: client.set(self.key(cache, key), data, ex=self.ttl))[1]

    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _call(self, operation):
        if not self.available():
            return None, False
        try:
            result = operation(self._connection())
        except Exception as exc:  # noqa: BLE001  (any failure of the cache: compute locally instead)
            self._down_until = time.monotonic() + RETRY_AFTER_S
            if not self._down_logged:
                self._down_logged = True
                log.warning("shared cache %s unavailable (%s: %s); computing in this worker, asking again "
                            "every %.0f s", self._safe_url(), type(exc).__name__, exc, RETRY_AFTER_S)
            return None, False
        if self._down_logged:
            self._down_logged = False
            log.warning("shared cache %s answers again", self._safe_url())
        return result, True

    def _connection(self):
        if self._client is None:
            with self._lock:
                if self._client is None:
                    import redis  # loaded on the first shared lookup, not when the app starts
                    from redis.backoff import NoBackoff
                    from redis.retry import Retry

                    self._client = redis.Redis.from_url(
                        self.url, socket_connect_timeout=self.timeout, socket_timeout=self.timeout,
                        retry=Retry(NoBackoff(), 0), health_check_interval=0)
        return self._client

    def _safe_url(self) -> str:
        """The URL without its password, for the log."""
        scheme, _, rest = self.url.partition("://")
        return f"{scheme}://{rest.rpartition('@')[2]}"


_tiers: dict[tuple, RedisTier] = {}
_tiers_lock = threading.Lock()


def current_tier() -> RedisTier | None:
    """The app's shared tier (one per URL and prefix in a process), or None when it has none."""
    if not has_app_context():
        return None
    config = current_app.config
    url = config.get("CACHE_REDIS_URL")
    if not url:
        return None
    spec = (url, config["CACHE_REDIS_PREFIX"], int(config["CACHE_REDIS_TTL"]), float(config["CACHE_REDIS_TIMEOUT"]))
    tier = _tiers.get(spec)
    if tier is None:
        with _tiers_lock:
            tier = _tiers.setdefault(spec, RedisTier(*spec))
    return tier


def _canonical(value):
    """The key as plain JSON data, the same in every process (sets sorted: their order follows the
    process's hash seed; dates and dataclasses spelled out)."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (tuple, list)):
        return [_canonical(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    if isinstance(value, dict):
        return sorted(([_canonical(k), _canonical(v)] for k, v in value.items()),
                      key=lambda kv: json.dumps(kv, sort_keys=True, ensure_ascii=False))
    if isinstance(value, (datetime.date, datetime.datetime, datetime.time)):
        return {"t": type(value).__name__, "v": value.isoformat()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"t": type(value).__qualname__,
                "v": [[f.name, _canonical(getattr(value, f.name))] for f in dataclasses.fields(value)]}
    return {"t": type(value).__qualname__, "v": repr(value)}


def _canonical_bytes(key) -> bytes:
    return json.dumps(_canonical(key), ensure_ascii=False, separators=(",", ":")).encode()
