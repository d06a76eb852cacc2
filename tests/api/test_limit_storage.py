"""The limiter's Redis storage: one round trip per request, the same limits and headers (real Redis)."""
import os
import random
import time
import uuid

import pytest
import redis

from registry import create_app
from registry.api.limit_storage import OneTripRedisStorage
from registry.extensions import db, limiter

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


def _redis_or_skip():
    client = redis.Redis.from_url(REDIS, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"needs Redis at {REDIS}")
    return client


def test_api_requests_are_counted_by_the_one_trip_storage_with_the_same_limit_and_headers(app):
    server = _redis_or_skip()
    seconds = random.randint(100, 999)  # a window of its own: the limiter's counter keys name it
    limited = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True,
                          "RATELIMIT_STORAGE_URI": REDIS, "API_RATE_LIMIT_ANONYMOUS": f"3 per {seconds} second"})
    try:
        assert limited.config["RATELIMIT_STORAGE_URI"] == REDIS  # the setting stays as given
        with limited.app_context():
            client = limited.test_client()
            assert isinstance(limiter.storage, OneTripRedisStorage)
            answers = [client.get("/api/v1/districts") for _ in range(4)]
            assert [a.status_code for a in answers] == [200, 200, 200, 429]
            assert [a.headers["X-RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
            assert all(0 < int(a.headers["Retry-After"]) <= seconds for a in answers[:3])
            db.session.remove()
    finally:
        for key in server.scan_iter(f"*/api/3/{seconds}/second"):
            server.delete(key)
        create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True})
        with app.app_context():
            limiter.reset()


def test_the_window_stats_after_a_hit_come_from_the_hit_not_from_more_round_trips():
    server = _redis_or_skip()
    storage = OneTripRedisStorage("registry+" + REDIS, key_prefix=f"test-{uuid.uuid4().hex}")
    key = "ip:127.0.0.1"
    try:
        assert storage.incr(key, 60) == 1
        server.incrby(storage.prefixed_key(key), 5)  # someone else's hits, after ours
        assert storage.get(key) == 1  # what our hit saw, without asking Redis again
        assert 55 < storage.get_expiry(key) - time.time() <= 60
        assert storage.get(key) == 6  # read once: later questions go to Redis
        assert storage.incr(key, 60) == 7  # the count itself is Redis's, as always
    finally:
        server.delete(storage.prefixed_key(key))
