"""The API as production serves it: gunicorn with several workers on PostgreSQL and Redis.

`.ci/run` starts the server once and runs this module with API_BASE_URL (and API_KEY, a
`read` key, and API_RATE_LIMIT_ANONYMOUS, the anonymous limit the server was started with).
Without API_BASE_URL these tests are skipped: they need a served registry.
Schemathesis fuzzes every operation of the committed spec: at least 2,000 generated requests,
no 5xx and no answer outside the spec.
"""
import os
from pathlib import Path

import pytest
import requests

BASE = os.environ.get("API_BASE_URL", "").rstrip("/")
KEY = os.environ.get("API_KEY", "")
SPEC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
FUZZ_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "300"))
FUZZ_MINIMUM = 2000

pytestmark = pytest.mark.skipif(not BASE, reason="API_BASE_URL not set: needs a served API (.ci/run starts one)")

if BASE:
    import schemathesis
    from hypothesis import HealthCheck, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    # Our key goes in every request; generated credentials would be refused by gunicorn's header
    # parsing before reaching the app. Anonymous reading is allowed (security `{}`), so
    # schemathesis' "authentication declared but not enforced" check does not apply.
    schema = schemathesis.from_path(str(SPEC), base_url=BASE, generation_config=schemathesis.GenerationConfig(
        with_security_parameters=False))
    CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance,
              response_headers_conformance, response_schema_conformance)
else:  # the module must still import for collection
    schema = None

FUZZED = {"requests": 0}


def get(path, key=KEY, **kw):
    headers = kw.pop("headers", {})
    if key:
        headers["X-API-Key"] = key
    return requests.get(BASE + path, headers=headers, timeout=30, **kw)


def test_served_registry_answers_with_data_etag_and_304():
    response = get("/api/v1/facilities?limit=5")
    assert response.status_code == 200
    body = response.json()
    assert body["total"] > 0 and len(body["items"]) == 5 and body["next_cursor"]
    # The ETag is the same whichever worker answers.
    for _ in range(6):
        again = get("/api/v1/facilities?limit=5", headers={"If-None-Match": response.headers["ETag"]})
        assert again.status_code == 304


def test_docs_page_and_its_assets_are_served():
    assert "swagger-ui-bundle.js" in get("/api/v1/docs").text
    assert get("/static/vendor/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200


def test_a_revoked_or_unknown_key_is_refused():
    # Before the limit test: over the anonymous limit, a bad key (counted per address) gets 429 first.
    assert get("/api/v1/districts", key="hqr_00000000_not-a-key").status_code == 401


def test_anonymous_limit_is_shared_by_every_worker():
    limit = int(os.environ.get("API_RATE_LIMIT_ANONYMOUS", "20 per minute").split()[0])
    statuses = [get("/api/v1/districts", key="").status_code for _ in range(limit + 5)]
    # Counters live in Redis: with per-process memory several workers would each allow `limit`.
    assert statuses.count(200) <= limit and statuses[-1] == 429
    response = get("/api/v1/districts", key="")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 0
    assert set(response.json()["error"]) == {"code", "message", "fields", "request_id"}
    assert get("/api/v1/districts").status_code == 200  # a key has its own, higher limit


if schema is not None:
    @schema.parametrize()
    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def test_fuzz_every_operation_of_the_committed_spec(case):
        """Generated requests: no 5xx, status, headers, content type and body as the spec says."""
        FUZZED["requests"] += 1
        case.call_and_validate(headers={"X-API-Key": KEY}, checks=CHECKS, timeout=30)


def test_fuzzing_made_enough_requests():
    """Runs after the fuzz test (file order): hypothesis stops early on small input spaces."""
    assert FUZZED["requests"] >= FUZZ_MINIMUM, FUZZED
