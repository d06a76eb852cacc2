"""Operations of the served registry (gunicorn, several workers, PostgreSQL, Redis): readiness,
request ids, and the metrics every worker adds to (prometheus multiprocess mode) after a
search and a booking made through the API. `.ci/api_live` serves it with `flask serve` and
passes BOOK_KEY, a key with the `book` scope. Skipped without API_BASE_URL."""
import os
import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
import requests

from tests.factories import uscc

BASE = os.environ.get("API_BASE_URL", "").rstrip("/")
BOOK_KEY = os.environ.get("BOOK_KEY", "")

pytestmark = pytest.mark.skipif(not (BASE and BOOK_KEY), reason="needs a served registry (API_BASE_URL, BOOK_KEY)")


def metric(text: str, name: str, **labels) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    total = 0.0
    for line in text.splitlines():
        match = re.fullmatch(rf"{re.escape(name)}\{{(.*)\}} (\S+)", line)
        if match and ",".join(sorted(match.group(1).split(","))) == wanted:
            total += float(match.group(2))
    return total


def test_served_registry_is_ready_with_database_schema_and_redis():
    response = requests.get(f"{BASE}/readyz", timeout=10)
    assert response.status_code == 200, response.text
    assert set(response.json()["checks"]) == {"database", "migrations", "redis"}
    assert response.headers["X-Request-ID"]


def test_metrics_show_search_and_booking_series_after_live_calls():
    before = requests.get(f"{BASE}/metrics", timeout=10).text
    headers = {"X-API-Key": BOOK_KEY}
    for limit in range(1, 5):  # several searches (different URLs: no kept answer), more than one worker answers
        found = requests.get(f"{BASE}/api/v1/facilities", params={"q": "检测", "limit": limit}, headers=headers,
                             timeout=30)
        assert found.status_code == 200
    offer = requests.get(f"{BASE}/api/v1/capabilities", params={"bookable": "true", "limit": 1}, headers=headers,
                         timeout=30).json()["items"][0]
    day = date.today() + timedelta(days=int(offer.get("lead_time_days") or 0) + 5)
    booked = requests.post(f"{BASE}/api/v1/bookings", headers=headers, timeout=30, json={
        "facility_id": offer["facility_id"], "capability_id": offer["capability_id"],
        "service_date": day.isoformat(), "quantity": 1, "description": "运维测试 1 个样品",
        "contact_name": "王工", "contact_phone": "0571-87000000",
        "enterprise": {"org_name": "运维测试有限公司", "uscc": uscc(4242)}})
    assert booked.status_code == 201, booked.text
    refused = requests.post(f"{BASE}/api/v1/bookings", headers={**headers, "X-Request-ID": "live-ops-422"},
                            timeout=30, json={"facility_id": "F0001"})
    assert refused.status_code == 422 and refused.json()["error"]["request_id"] == "live-ops-422"

    after = requests.get(f"{BASE}/metrics", timeout=10).text
    kind = {"kind": "api_facilities"}
    assert metric(after, "registry_search_duration_seconds_count", **kind) >= \
        metric(before, "registry_search_duration_seconds_count", **kind) + 4
    outcome = {"action": "request", "outcome": "requested"}
    assert metric(after, "registry_booking_outcomes_total", **outcome) == \
        metric(before, "registry_booking_outcomes_total", **outcome) + 1
    assert metric(after, "registry_http_requests_total", endpoint="/api/v1/bookings", method="POST",
                  status="201") >= 1


@pytest.mark.skipif(not os.environ.get("CACHE_REDIS_URL"), reason="needs the shared cache tier (CACHE_REDIS_URL)")
def test_a_question_is_searched_once_for_all_workers():
    """Asked a dozen times of several workers, a new question is searched once: the worker that computed it
    keeps it, every other takes it from Redis."""
    question = {"q": f"计量 {uuid.uuid4().hex[:8]}", "limit": 3}

    def ask(_n=0):
        return requests.get(f"{BASE}/api/v1/facilities", params=question, headers={"X-API-Key": BOOK_KEY},
                            timeout=30).text

    before = requests.get(f"{BASE}/metrics", timeout=10).text
    first = ask()  # one worker computes it; then 11 at once, so that the other (busy-free) workers take some
    with ThreadPoolExecutor(11) as pool:
        answers = {first, *pool.map(ask, range(11))}
    after = requests.get(f"{BASE}/metrics", timeout=10).text
    assert len(answers) == 1

    def grew(name, **labels):
        return metric(after, name, **labels) - metric(before, name, **labels)
    assert grew("registry_search_duration_seconds_count", kind="api_facilities") == 1
    shared_hits = grew("registry_shared_cache_lookups_total", cache="api_answers", result="hit")
    assert grew("registry_cache_lookups_total", cache="api_answers", result="hit") + shared_hits == 11
    assert shared_hits >= 1  # another worker than the first answered: the first cannot take 11 at once
