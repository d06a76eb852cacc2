"""Kept answers shared by the workers through the real Redis (CACHE_REDIS_URL): an answer computed by one
worker is served by another without computing it again, until a write changes the data's version.

Two apps stand for two gunicorn workers. A worker is a process of its own, so its own tier starts empty:
each worker's turn begins by emptying the process's tier (the apps of one test process share it)."""
import socket

import pytest

from registry.api import response_cache
from registry.api.cache import COMPRESS_FROM_BYTES
from registry.ops import metrics
from registry.web.maps import POINTS_CACHE
from tests.factories import capability, facility, run, write_dataset

ASKED = "/api/v1/facilities?q=计量"


@pytest.fixture
def searches(monkeypatch):
    """How many times the facility search behind ASKED ran (the real search, counted)."""
    from registry.api import facilities

    calls = []
    real = facilities.api_facility_list

    def counted(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)
    monkeypatch.setattr(facilities, "api_facility_list", counted)
    return calls


def shared(result: str, cache: str = "api_answers") -> float:
    return metrics.REGISTRY.get_sample_value("registry_shared_cache_lookups_total",
                                             {"cache": cache, "result": result}) or 0


def as_worker(app, path, **kwargs):
    """`path` asked of `app` as a worker process whose own tier holds nothing yet."""
    response_cache.entries.clear()
    POINTS_CACHE.clear()
    return app.test_client().get(path, **kwargs)


def test_second_worker_serves_the_first_workers_answer_without_searching(registry, own_app, shared_redis,
                                                                          searches):
    first_worker, second_worker = own_app(**shared_redis), own_app(**shared_redis)
    hits_before, misses_before = shared("hit"), shared("miss")

    first = as_worker(first_worker, ASKED)
    assert first.status_code == 200 and len(searches) == 1
    assert shared("miss") == misses_before + 1
    second = as_worker(second_worker, ASKED)
    assert second.status_code == 200
    assert len(searches) == 1, "the second worker searched again instead of taking the shared answer"
    assert shared("hit") == hits_before + 1
    assert second.get_data() == first.get_data() and second.mimetype == first.mimetype
    assert [i["facility_id"] for i in second.get_json()["items"]] == ["F0002"]


def test_a_write_leaves_the_shared_answer_unused(registry, own_app, shared_redis, searches, tmp_path):
    first_worker, second_worker = own_app(**shared_redis), own_app(**shared_redis)
    as_worker(first_worker, ASKED)
    report = run(registry, write_dataset(tmp_path / "more", [facility(9, name="滨江计量站")], [capability(9, 1)]))
    assert report.committed

    after = as_worker(second_worker, ASKED)
    assert len(searches) == 2, "the answer of the older data was served after the write"
    assert sorted(i["facility_id"] for i in after.get_json()["items"]) == ["F0002", "F0009"]
    again = as_worker(first_worker, ASKED)  # the new answer is shared in its turn
    assert len(searches) == 2 and again.get_data() == after.get_data()


def test_link_header_and_large_bodies_cross_redis_whole(registry, own_app, shared_redis):
    first_worker, second_worker = own_app(**shared_redis), own_app(**shared_redis)
    path = "/api/v1/capabilities?limit=1"
    first = as_worker(first_worker, path)
    assert "rel=\"next\"" in first.headers["Link"]
    second = as_worker(second_worker, path)
    assert second.headers["Link"] == first.headers["Link"] and second.get_data() == first.get_data()
    everything = as_worker(first_worker, "/api/v1/capabilities?limit=200")
    assert len(everything.get_data()) > COMPRESS_FROM_BYTES  # compressed on its way to Redis, whole on the way back
    assert as_worker(second_worker, "/api/v1/capabilities?limit=200").get_data() == everything.get_data()


def test_map_markers_are_shared_by_the_workers(registry, own_app, shared_redis, monkeypatch):
    from registry.web import maps

    computed = []
    real = maps._points
    monkeypatch.setattr(maps, "_points", lambda query: computed.append(query) or real(query))
    first_worker, second_worker = own_app(**shared_redis), own_app(**shared_redis)
    path = "/map/facilities.geojson?q=电缆"
    first = as_worker(first_worker, path)
    second = as_worker(second_worker, path)
    assert first.status_code == second.status_code == 200 and len(computed) == 1
    assert second.get_json() == first.get_json() and second.headers["ETag"] == first.headers["ETag"]
    assert as_worker(second_worker, path, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert len(computed) == 1


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the socket is closed


def test_requests_succeed_with_redis_unreachable(registry, own_app, searches, caplog):
    worker = own_app(CACHE_REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0", CACHE_REDIS_PREFIX="unreachable")
    unavailable_before = shared("unavailable")
    with caplog.at_level("WARNING", logger="registry.shared_cache"):
        responses = [as_worker(worker, ASKED) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 200]
    assert [i["facility_id"] for i in responses[-1].get_json()["items"]] == ["F0002"]
    assert len(searches) == 3  # computed by the worker itself each time
    assert shared("unavailable") == unavailable_before + 3
    assert len([r for r in caplog.records if "unavailable" in r.getMessage()]) == 1  # logged once


def test_a_silent_redis_costs_one_timeout_then_is_left_alone(registry, own_app, searches):
    """A Redis that takes connections and never answers (hung, or a full network queue)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the kernel completes connections; nothing ever reads or answers them
        worker = own_app(CACHE_REDIS_URL=f"redis://127.0.0.1:{silent.getsockname()[1]}/0",
                         CACHE_REDIS_PREFIX="silent", CACHE_REDIS_TIMEOUT=0.2)
        statuses = [as_worker(worker, ASKED).status_code for _ in range(3)]
        silent.setblocking(False)
        attempts = 0
        while True:
            try:
                silent.accept()[0].close()
            except BlockingIOError:
                break
            attempts += 1
    assert statuses == [200, 200, 200] and len(searches) == 3
    assert attempts == 1  # the first lookup timed out; the next requests did not wait for Redis again
