"""API keys (CLI and service) and rate limits: anonymous low, a key higher, 401, 403, 429 with Retry-After."""
from sqlalchemy import select

from registry import create_app
from registry.models import ApiKey
from registry.services.accounts.api_keys import hash_key


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_cli_creates_a_key_printed_once_and_stores_only_its_hash(app, session):
    result = invoke(app, "apikey", "create", "--partner", "区政务服务平台", "--scopes", "read,book")
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert key.startswith("hqr_") and len(key) > 30
    row = session.scalars(select(ApiKey)).one()
    assert row.key_hash == hash_key(key) and key not in (row.prefix, row.key_hash)
    assert row.scopes == "read,book" and key.startswith(row.prefix)
    listing = invoke(app, "apikey", "list")
    assert row.prefix in listing.stdout and "区政务服务平台" in listing.stdout and key not in listing.stdout


def test_cli_refuses_unknown_scopes(app, session):
    result = invoke(app, "apikey", "create", "--partner", "x", "--scopes", "read,admin")
    assert result.exit_code != 0
    assert session.scalars(select(ApiKey)).first() is None


def test_revoked_key_is_a_401(app, client, registry, make_key):
    key = make_key()
    assert client.get("/api/v1/facilities", headers={"X-API-Key": key}).status_code == 200
    prefix = key[:12]
    assert invoke(app, "apikey", "revoke", prefix).exit_code == 0
    response = client.get("/api/v1/facilities", headers={"X-API-Key": key})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_unknown_key_is_a_401_also_as_bearer(client, registry):
    for headers in ({"X-API-Key": "hqr_nope"}, {"Authorization": "Bearer hqr_nope"}, {"X-API-Key": "x" * 500}):
        response = client.get("/api/v1/districts", headers=headers)
        assert response.status_code == 401, headers


def test_key_without_the_read_scope_is_a_403(client, registry, make_key):
    key = make_key(scopes="book")
    response = client.get("/api/v1/facilities", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 403
    assert "read" in response.get_json()["error"]["message"]


def test_anonymous_reads_hit_the_low_limit_a_key_the_higher_one(app, client, registry, make_key, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT_ANONYMOUS", "3 per minute")
    monkeypatch.setitem(app.config, "API_RATE_LIMIT_KEY", "6 per minute")
    statuses = [client.get("/api/v1/districts").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/districts")
    body = response.get_json()
    assert body["error"]["code"] == "too_many_requests" and set(body["error"]) == {
        "code", "message", "fields", "request_id"}
    assert 0 < int(response.headers["Retry-After"]) <= 60
    key = make_key()
    keyed = [client.get("/api/v1/districts", headers={"X-API-Key": key}).status_code for _ in range(7)]
    assert keyed == [200] * 6 + [429]
    other = make_key(partner="另一个伙伴")  # limits are per key
    assert client.get("/api/v1/districts", headers={"X-API-Key": other}).status_code == 200


def test_a_second_app_in_the_process_does_not_count_requests_twice(app, client, registry, monkeypatch):
    create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    monkeypatch.setitem(app.config, "API_RATE_LIMIT_ANONYMOUS", "2 per minute")
    assert [client.get("/api/v1/districts").status_code for _ in range(3)] == [200, 200, 429]
