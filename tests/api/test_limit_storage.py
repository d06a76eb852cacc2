"""The rate limits' Redis counters in one round trip a request (registry/api/limit_storage.py): shared
by every worker, with the same counts in the headers, against the real Redis."""
import uuid

import pytest
import redis

from registry import create_app
from registry.extensions import limiter


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


def test_a_limited_request_costs_one_round_trip_to_redis(workers, monkeypatch):
    commands = []
    execute = redis.Redis.execute_command
    monkeypatch.setattr(redis.Redis, "execute_command",
                        lambda self, *args, **options: commands.append(args[0]) or execute(self, *args, **options))
    answer = workers[0].get("/api/v1/districts")
    assert answer.status_code == 200, (answer.data, dict(answer.headers))
    assert answer.headers["X-RateLimit-Remaining"] == "4"
    assert len(commands) == 1, commands
