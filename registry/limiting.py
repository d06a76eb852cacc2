"""Flask-Limiter, with one limit shared by whole blueprints counted in one step: the API's one counter per key.

Flask-Limiter finds a request's limits through general machinery (default, application, blueprint,
decorated and meta limits, exemption scopes, conditional deductions, the limit string parsed anew,
its request context looked up a dozen times) on every request. For the API, whose endpoints share
exactly one limit, that was 0.85 M of a facility detail's 4.8 M instructions (callgrind). A limit
declared with `shared_blueprint_limit` is counted here directly, with the same strategy and storage
(limit_storage.py's leases), the same counter key as a `shared_limit` of that scope, the same
in-memory fallback while the storage is unreachable, and the same X-RateLimit-* headers (Retry-After
on a 429 only). Every other request (the sign-in forms' limits) goes through Flask-Limiter unchanged.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache

import flask
from flask_limiter import Limiter
from limits import RateLimitItem, parse
from werkzeug.exceptions import TooManyRequests

STORAGE_RETRY_SECONDS = 5.0  # while counting in this process, how often the storage is tried again
_COUNTED = "registry.rate_limit"  # the request's (limit, its window stats) for the headers


@lru_cache(maxsize=64)
def _parsed(value: str) -> RateLimitItem:
    return parse(value)


class RegistryLimiter(Limiter):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._blueprint_limits: dict[str, tuple[Callable[[], str], Callable[[], str], str]] = {}
        self._storage_retry_at = 0.0

    def shared_blueprint_limit(self, blueprints, limit_value: Callable[[], str], key_func: Callable[[], str],
                               scope: str) -> None:
        """One limit (`limit_value()`, e.g. "1200 per minute") for every request to these blueprints,
        counted per `key_func()` under `scope`."""
        for blueprint in blueprints:
            self._blueprint_limits[blueprint.name] = (limit_value, key_func, scope)

    def init_app(self, app: flask.Flask) -> None:
        super().init_app(app)
        if self._shared_limit_headers not in app.after_request_funcs.get(None, []):
            app.after_request(self._shared_limit_headers)

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        shared = self._blueprint_limits.get(flask.request.blueprint) if in_middleware else None
        if shared is None or not (self.enabled and self.initialized):
            return super()._check_request_limit(callable_name, in_middleware)
        limit_value, key_func, scope = shared
        item = _parsed(limit_value())
        args = [key_func(), scope]
        if self._key_prefix:
            args.insert(0, self._key_prefix)
        allowed = self._hit(item, args)
        try:  # the count just taken, kept by the storage: no second round trip
            flask.request.environ[_COUNTED] = (item, self.limiter.get_window_stats(item, *args))
        except Exception:  # the storage went away since: the answer goes without the headers
            self.logger.warning("Rate limit window unreadable: no X-RateLimit headers")
        if not allowed:
            self.logger.info("ratelimit %s (%s) exceeded at scope: %s", item, args[-2], scope)
            raise TooManyRequests(str(item))
        return None

    def _shared_limit_headers(self, response: flask.Response) -> flask.Response:
        counted = flask.request.environ.get(_COUNTED)
        if counted is not None and self._headers_enabled:
            item, (reset_at, remaining) = counted
            headers = response.headers
            headers["X-RateLimit-Limit"] = str(item.amount)
            headers["X-RateLimit-Remaining"] = str(remaining)
            headers["X-RateLimit-Reset"] = str(int(reset_at + 1))
            if response.status_code == 429:
                headers["Retry-After"] = str(max(int(reset_at + 1 - time.time()), 0))
        return response

    def _hit(self, item: RateLimitItem, args: list[str]) -> bool:
        """Count the request; while the storage is unreachable, in this process (fail open, not blind)."""
        if self._storage_dead and time.monotonic() >= self._storage_retry_at:
            self._storage_retry_at = time.monotonic() + STORAGE_RETRY_SECONDS
            if self._storage is not None and self._storage.check():
                self.logger.info("Rate limit storage recovered")
                self._storage_dead = False
        try:
            return self.limiter.hit(item, *args)
        except Exception:
            if self._storage_dead or not self._in_memory_fallback_enabled:
                if not self._swallow_errors:
                    raise
                self.logger.exception("Failed to rate limit. Swallowing error")
                return True
            self.logger.warning("Rate limit storage unreachable - falling back to in-memory storage")
            self._storage_dead = True
            self._storage_retry_at = time.monotonic() + STORAGE_RETRY_SECONDS
            return self.limiter.hit(item, *args)
