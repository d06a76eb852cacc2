"""The rate limits' Redis counters (registry/api/limit_storage.py): one round trip a counted request,
leases of large limits, shared by every worker, with the same counts in the headers, against the real
Redis."""
import time
import uuid

import pytest
import redis
from limits import parse
from limits.storage import MemoryStorage

from registry import create_app
from registry.api.limit_storage import MAX_LEASE, LeasedFixedWindowRateLimiter, OneTripRedisStorage
from registry.extensions import limiter

REDIS = "redis://127.0.0.1:6379"


@pytest.fixture
def redis_up():
    try:
        redis.Redis(socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("needs Redis at 127.0.0.1:6379")


def _worker(lease_share: float) -> LeasedFixedWindowRateLimiter:
    """One worker's strategy on a storage of its own, as in another gunicorn worker."""
    return LeasedFixedWindowRateLimiter(OneTripRedisStorage(REDIS, lease_share=lease_share,
                                                            key_prefix=f"test-{uuid.uuid4().hex}"))


@pytest.fixture
def commands(monkeypatch):
    """The Redis commands sent while the test runs."""
    sent = []
    execute = redis.Redis.execute_command
    monkeypatch.setattr(redis.Redis, "execute_command",
                        lambda self, *args, **options: sent.append(args[0]) or execute(self, *args, **options))
    return sent


@pytest.fixture
def workers(app, session):
    """Two apps (two workers) counting in Redis, for a client address of this test's own (its counter)."""
    settings = {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True,
                "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379", "API_RATE_LIMIT_ANONYMOUS": "5 per minute"}
    try:
        redis.Redis(socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("needs Redis at 127.0.0.1:6379")
    pair = [create_app(settings), create_app(settings)]
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    clients = [a.test_client() for a in pair]
    for client in clients:
        client.environ_base["REMOTE_ADDR"] = address
    yield clients
    create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True})
    with app.app_context():
        limiter.reset()


def test_two_workers_share_one_count_and_report_it_in_the_headers(workers):
    answers = [workers[i % 2].get("/api/v1/districts") for i in range(6)]
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers[:5]] == ["4", "3", "2", "1", "0"]
    resets = {int(a.headers["X-RateLimit-Reset"]) for a in answers[:5]}
    assert len(resets) == 1 or max(resets) - min(resets) <= 1  # one window, its end read from Redis's TTL


def test_a_limited_request_costs_one_round_trip_to_redis(workers, commands):
    answer = workers[0].get("/api/v1/districts")
    assert answer.status_code == 200, (answer.data, dict(answer.headers))
    assert answer.headers["X-RateLimit-Remaining"] == "4"
    assert len(commands) == 1, commands


def test_workers_taking_turns_pass_exactly_the_limit_from_leases(redis_up, commands):
    first = _worker(0.1)  # 10 calls a lease of a 100 a minute
    second = LeasedFixedWindowRateLimiter(OneTripRedisStorage(REDIS, lease_share=0.1,
                                                              key_prefix=first.storage.key_prefix))
    limit = parse("100 per minute")
    passed = [(first if i % 2 else second).hit(limit, "client") for i in range(130)]
    assert passed == [True] * 100 + [False] * 30
    # a lease of 10 is one round trip: 10 for the 100 calls, then one that finds the window spent (the
    # other worker's lease ended at the limit: it knows without asking)
    assert len(commands) == 11, commands


def test_calls_past_the_limit_are_refused_without_asking_redis_again(redis_up, commands):
    worker = _worker(0.1)
    limit = parse("50 per minute")
    assert all(worker.hit(limit, "client") for _ in range(50))
    asked = len(commands)
    assert not any(worker.hit(limit, "client") for _ in range(20))
    assert len(commands) == asked  # the last lease ended at the limit: nothing to ask until the window ends


def test_a_worker_holding_a_lease_makes_others_refuse_at_most_a_lease_early(redis_up):
    idle = _worker(0.1)
    busy = LeasedFixedWindowRateLimiter(OneTripRedisStorage(REDIS, lease_share=0.1,
                                                            key_prefix=idle.storage.key_prefix))
    limit = parse("100 per minute")
    assert idle.hit(limit, "client")  # takes calls 1-10, uses one
    passed = sum(busy.hit(limit, "client") for _ in range(120))
    assert passed == 90  # 9 of the idle worker's lease unused: refused early, never let through late


def test_small_limits_are_counted_in_redis_on_every_call(redis_up, commands):
    worker = _worker(0.01)
    limit = parse(f"{int(2 / 0.01) - 1} per minute")  # a lease would be one call
    for _ in range(5):
        assert worker.hit(limit, "client")
    assert len(commands) == 5


def test_a_lease_is_never_larger_than_max_lease(redis_up, commands):
    worker = _worker(0.5)
    limit = parse(f"{MAX_LEASE * 10} per minute")
    for _ in range(MAX_LEASE + 1):
        assert worker.hit(limit, "client")
    assert len(commands) == 2
    assert int(redis.Redis().get(worker.storage.prefixed_key(limit.key_for("client")))) == 2 * MAX_LEASE


def test_a_lease_ends_with_its_window(redis_up):
    worker = _worker(0.5)
    limit = parse("20 per second")
    assert sum(worker.hit(limit, "client") for _ in range(25)) == 20
    time.sleep(1.2)
    assert worker.hit(limit, "client")  # a new window, a new lease


def test_the_in_memory_fallback_counts_every_call():
    worker = LeasedFixedWindowRateLimiter(MemoryStorage())
    limit = parse("3 per minute")
    assert [worker.hit(limit, "client") for _ in range(4)] == [True, True, True, False]


def test_api_calls_are_counted_from_a_lease_and_report_their_own_count(app, session, redis_up, commands):
    settings = {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True,
                "RATELIMIT_STORAGE_URI": REDIS, "API_RATE_LIMIT_ANONYMOUS": "1000 per minute"}
    client = create_app(settings).test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.1"  # its own count
    try:
        answers = [client.get("/api/v1/districts") for _ in range(12)]
    finally:
        create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True})
    assert [a.status_code for a in answers] == [200] * 12
    assert [int(a.headers["X-RateLimit-Remaining"]) for a in answers] == list(range(999, 987, -1))
    assert commands.count("EVALSHA") == 2  # leases of 10 (1% of 1,000)
