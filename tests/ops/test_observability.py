"""Request ids, the JSON request line, domain-event lines and the metrics they feed."""
import json
import logging
from datetime import date, timedelta

import pytest

from registry.caching import VersionedCache
from registry.ops import logs, metrics
from registry.ops.logs import JsonLines
from registry.services.booking.workflow import FullyBooked, request_booking, transition
from tests.factories import bookable_dataset, booking_request, capability_of, run, user

TODAY = date(2026, 12, 1)


@pytest.fixture
def lines(caplog):
    """The JSON lines the registry's loggers write (formatted as production formats them). The
    handler goes on the loggers themselves: an app made without TESTING in this process (the CLI
    tests) gave them their own handlers and stopped their propagation."""
    loggers = [logging.getLogger("registry.access"), logging.getLogger("registry.events")]
    kept = [(logger.level, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.addHandler(caplog.handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False  # once, not again through the root logger's capture
    formatter = JsonLines()
    yield lambda name: [json.loads(formatter.format(r)) for r in caplog.records if r.name == name]
    for logger, (level, propagate) in zip(loggers, kept):
        logger.removeHandler(caplog.handler)
        logger.setLevel(level)
        logger.propagate = propagate



def test_every_answer_carries_a_request_id_and_a_sane_given_one_is_kept(client):
    made = client.get("/healthz").headers["X-Request-ID"]
    assert len(made) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "nginx-abc.123"}).headers["X-Request-ID"] == "nginx-abc.123"
    forged = client.get("/healthz", headers={"X-Request-ID": "a b;c" * 30}).headers["X-Request-ID"]
    assert forged != "a b;c" * 30 and len(forged) == 32


def test_api_error_envelope_names_the_request_id(client):
    response = client.get("/api/v1/facilities/NO-SUCH-ONE", headers={"X-Request-ID": "trace-me-1"})
    assert response.status_code == 404
    assert response.get_json()["error"]["request_id"] == "trace-me-1"
    assert response.headers["X-Request-ID"] == "trace-me-1"


def test_one_json_line_per_request_with_the_path_template(client, registry, lines):
    client.get("/api/v1/facilities/F0001", headers={"X-Request-ID": "line-1"})
    [line] = [entry for entry in lines("registry.access") if entry["request_id"] == "line-1"]
    assert line["event"] == "request"
    assert line["method"] == "GET" and line["status"] == 200
    assert line["path"] == "/api/v1/facilities/<string:facility_id>"  # the template, not the id
    assert line["duration_ms"] >= 0 and "time" in line and line["user"] is None


def test_the_line_names_the_api_key(client, registry, lines, session):
    from registry.services.accounts.api_keys import create_key
    row, key = create_key(session, "伙伴", "read")
    client.get("/api/v1/facilities", headers={"X-API-Key": key, "X-Request-ID": "keyed"})
    [line] = [entry for entry in lines("registry.access") if entry["request_id"] == "keyed"]
    assert line["user"] == f"key:{row.id}"


def test_request_metrics_by_path_template(client, registry):
    labels = {"endpoint": "/api/v1/facilities/<string:facility_id>", "method": "GET", "status": "200"}
    before = metrics.REGISTRY.get_sample_value("registry_http_requests_total", labels) or 0
    client.get("/api/v1/facilities/F0001")
    assert metrics.REGISTRY.get_sample_value("registry_http_requests_total", labels) == before + 1


def test_metrics_show_search_latency_by_kind(client, registry):
    client.get("/search?q=电缆")
    client.get("/api/v1/facilities?q=电缆")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'registry_search_duration_seconds_count{kind="facilities"}' in text
    assert 'registry_search_duration_seconds_count{kind="api_facilities"}' in text
    assert 'registry_http_request_duration_seconds_bucket{' in text


@pytest.fixture
def cap(session, tmp_path):
    run(session, bookable_dataset(tmp_path))
    return capability_of(session)


def test_booking_steps_are_counted_and_logged(client, session, cap, lines):
    def count(action, outcome):
        return metrics.REGISTRY.get_sample_value("registry_booking_outcomes_total",
                                                 {"action": action, "outcome": outcome}) or 0
    requested, accepted, full = count("request", "requested"), count("accept", "accepted"), \
        count("request", "fully_booked")
    enterprise, operator = user(session, "enterprise"), user(session, "operator", facility_ids=["F0001"])
    day = TODAY + timedelta(days=10)
    booking = request_booking(session, enterprise, booking_request(cap, day, 3), today=TODAY)
    transition(session, booking, operator, "accept")
    with pytest.raises(FullyBooked):
        request_booking(session, enterprise, booking_request(cap, day, 1), today=TODAY)
    assert (count("request", "requested"), count("accept", "accepted"), count("request", "fully_booked")) == (
        requested + 1, accepted + 1, full + 1)
    steps = [(e["action"], e["from_state"], e["to_state"]) for e in lines("registry.events") if e["event"] == "booking"]
    assert steps == [("request", None, "requested"), ("accept", "requested", "accepted")]
    assert "registry_booking_outcomes_total{" in client.get("/metrics").get_data(as_text=True)


def test_imports_are_counted_and_logged(session, tmp_path, lines):
    def rows(result):
        return metrics.REGISTRY.get_sample_value("registry_import_rows_total",
                                                 {"entity": "facilities", "result": result}) or 0
    created = rows("created")
    run(session, bookable_dataset(tmp_path, facilities=2))
    assert rows("created") == created + 2
    [line] = [e for e in lines("registry.events") if e["event"] == "import"]
    assert line["outcome"] == "committed" and line["counts"]["facilities"]["created"] == 2
    assert line["change_set_id"]


def test_admin_actions_are_logged_once_committed(session, lines):
    from registry.services.accounts.administration import invite_user
    admin = user(session, "admin")
    invite_user(session, admin, email="new@example.com", name="新用户", role="auditor")
    session.commit()
    [line] = [e for e in lines("registry.events") if e["event"] == "admin_action"]
    assert (line["actor"], line["entity"], line["target"], line["action"]) == (
        f"user:{admin.email}", "user", "new@example.com", "create")


def test_versioned_cache_lookups_are_counted():
    cache = VersionedCache(4, name="ops-test")

    def count(result):
        return metrics.REGISTRY.get_sample_value("registry_cache_lookups_total",
                                                 {"cache": "ops-test", "result": result}) or 0
    cache.get_or_compute(("v1", "a"), lambda: 1)
    cache.get_or_compute(("v1", "a"), lambda: 1)
    cache.get(("v1", "b"))
    assert (count("hit"), count("miss")) == (1, 2)
    assert (cache.hits, cache.misses) == (1, 2)


def test_event_lines_are_json_with_beijing_time(lines):
    logs.event("import", outcome="committed")
    [line] = lines("registry.events")
    assert line["time"].endswith("+08:00") and line["event"] == "import" and line["outcome"] == "committed"
