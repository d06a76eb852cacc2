"""/healthz and /readyz: alive, and ready only while the database, the schema and Redis are there.

Outages are made with a TCP forwarder in front of the real servers (tcp_proxy.py): stopping
it is, for the app, PostgreSQL or Redis going away; starting it again, their return.
"""
import os
import socket

import flask_migrate
import pytest
from sqlalchemy.engine import make_url

from registry import create_app
from tests.ops.tcp_proxy import TcpProxy

REDIS_PORT = 6379


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_healthz_answers_json_without_a_session(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "alive"}
    assert "Set-Cookie" not in response.headers


def test_readyz_is_200_on_a_migrated_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "ready" and body["failing"] == []
    assert body["checks"]["migrations"]["current"] == body["checks"]["migrations"]["head"]


def test_readyz_names_migrations_when_the_schema_is_behind(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.sqlite3'}"})
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failing"] == ["migrations"]
    with app.app_context():
        flask_migrate.upgrade()
    assert app.test_client().get("/readyz").status_code == 200


def test_health_checks_are_exempt_from_rate_limits(own_app):
    client = own_app(RATELIMIT_DEFAULT="2 per minute", RATELIMIT_KEY_PREFIX=f"ops-exempt-{os.getpid()}").test_client()
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
        assert client.get("/metrics").status_code == 200
    assert [client.get("/login").status_code for _ in range(3)] == [200, 200, 429]  # the default limit is on


@pytest.fixture
def postgres_url(database_url):
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("needs TEST_DATABASE_URL on PostgreSQL")
    return url


def test_readyz_503_naming_the_database_while_postgresql_is_away_and_200_when_back(app, postgres_url, own_app):
    proxy = TcpProxy(postgres_url.port or 5432).start()
    try:
        through = postgres_url.set(host="127.0.0.1", port=proxy.port)
        client = own_app(SQLALCHEMY_DATABASE_URI=through.render_as_string(False)).test_client()
        assert client.get("/readyz").status_code == 200
        proxy.stop()
        response = client.get("/readyz")
        assert response.status_code == 503
        body = response.get_json()
        assert "database" in body["failing"] and body["checks"]["database"]["error"]
        assert client.get("/healthz").status_code == 200  # alive, only not ready
        proxy.start()
        assert client.get("/readyz").status_code == 200
    finally:
        proxy.stop()


@pytest.mark.skipif(not _listening(REDIS_PORT), reason="needs Redis on 127.0.0.1:6379 (.ci/run starts it)")
def test_readyz_503_naming_redis_while_it_is_away_and_200_when_back(app, own_app):
    proxy = TcpProxy(REDIS_PORT).start()
    try:
        client = own_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{proxy.port}",
                         RATELIMIT_KEY_PREFIX=f"ops-test-{os.getpid()}").test_client()
        first = client.get("/readyz")
        assert first.status_code == 200, first.get_json()
        assert first.get_json()["checks"]["redis"]["ok"] is True
        proxy.stop()
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.get_json()["failing"] == ["redis"]
        proxy.start()
        assert client.get("/readyz").status_code == 200
    finally:
        proxy.stop()
