"""The API's one limit counted in one step (registry/limiting.py): the counter Flask-Limiter's shared
limit used, its headers, a 429 with Retry-After, and back to Redis once Redis is back."""
import shutil
import socket
import subprocess
import time
import uuid

import pytest
import redis
from limits import parse

from registry import create_app, limiting
from registry.extensions import limiter


def _address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def test_api_requests_count_on_the_shared_limits_counter(app, client, registry, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT_ANONYMOUS", "5 per minute")
    client.environ_base["REMOTE_ADDR"] = address = _address()
    for path in ("/api/v1/districts", "/api/v1/facilities"):
        assert client.get(path).status_code == 200
    # the key of `shared_limit(scope="api")` for this address: workers of either kind count together
    args = [limiter._key_prefix, f"ip:{address}", "api"] if limiter._key_prefix else [f"ip:{address}", "api"]
    _reset, remaining = limiter.limiter.get_window_stats(parse("5 per minute"), *args)
    assert remaining == 3


def test_headers_count_down_and_retry_after_comes_with_the_429_only(app, client, registry, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT_ANONYMOUS", "2 per minute")
    client.environ_base["REMOTE_ADDR"] = _address()
    answers = [client.get("/api/v1/districts") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert [a.headers["X-RateLimit-Limit"] for a in answers] == ["2", "2", "2"]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["1", "0", "0"]
    assert len({a.headers["X-RateLimit-Reset"] for a in answers}) == 1
    assert int(answers[0].headers["X-RateLimit-Reset"]) > time.time()
    assert "Retry-After" not in answers[0].headers and "Retry-After" not in answers[1].headers
    assert 0 < int(answers[2].headers["Retry-After"]) <= 60
    assert answers[2].get_json()["error"]["code"] == "too_many_requests"


def test_pages_outside_the_api_carry_no_api_limit_headers(client, registry):
    assert "X-RateLimit-Limit" not in client.get("/healthz").headers


@pytest.fixture
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_counts_go_back_to_redis_once_it_is_reachable_again(app, session, registry, free_port, monkeypatch):
    monkeypatch.setattr(limiting, "STORAGE_RETRY_SECONDS", 0.0)
    settings = {"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True,
                "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{free_port}", "API_RATE_LIMIT_ANONYMOUS": "3 per minute"}
    client = create_app(settings).test_client()
    client.environ_base["REMOTE_ADDR"] = address = _address()
    server = None
    try:
        assert client.get("/api/v1/districts").status_code == 200  # Redis down: counted in this process
        assert limiter._storage_dead
        server = subprocess.Popen(["redis-server", "--port", str(free_port), "--save", "", "--appendonly", "no"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        back = redis.Redis(port=free_port, socket_connect_timeout=1)
        for _ in range(50):
            try:
                back.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        assert [client.get("/api/v1/districts").status_code for _ in range(4)] == [200, 200, 200, 429]
        assert not limiter._storage_dead
        counted = [k for k in back.keys("*") if address.encode() in k]
        assert len(counted) == 1 and int(back.get(counted[0])) == 4  # every call since Redis came back
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "TESTING": True})
        with app.app_context():
            limiter.reset()
