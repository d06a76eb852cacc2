"""The caches' shared tier (registry/shared_cache.py) in the real Redis: keys every process spells alike,
values only through a cache's codec, and a Redis that goes away and comes back."""
import datetime
import os
import subprocess
import sys

from registry import shared_cache
from registry.caching import VersionedCache, text_codec
from registry.ops import metrics
from tests.ops.tcp_proxy import TcpProxy

KEY_SCRIPT = """
import datetime
from registry.shared_cache import RedisTier
key = ("sqlite:///x", frozenset({"检测", "计量", "认证", "b", "a"}), {"z": 1, "a": (2, 3)},
       datetime.date(2026, 12, 4), (17, datetime.datetime(2026, 12, 4, 8, 30)))
print(RedisTier("redis://x", "p", 60, 0.1).key("c", key))
"""


def test_a_key_is_spelled_alike_in_every_process():
    """Sets iterate in an order that follows each process's hash seed; the shared key must not."""
    spelled = {subprocess.run([sys.executable, "-c", KEY_SCRIPT], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(spelled) == 1
    key = spelled.pop().strip()
    assert key.startswith("p:c:") and len(key) == len("p:c:") + 40


def test_keys_of_different_values_differ():
    tier = shared_cache.RedisTier("redis://x", "p", 60, 0.1)
    day = datetime.date(2026, 12, 4)
    keys = {tier.key("c", k) for k in [("a", day), ("a", day.isoformat()), ("a", 1), ("a", "1"), ("a", None)]}
    assert len(keys) == 5
    assert tier.key("c", ("a",)) != tier.key("d", ("a",))


def _worker(own_app, settings, name="unit"):
    """A fresh cache of this process, as a worker that has not asked anything yet would have."""
    return own_app(**settings), VersionedCache(4, name=name, codec=text_codec())


def test_only_values_the_codec_takes_are_shared(own_app, shared_redis):
    app, first = _worker(own_app, shared_redis)
    _, second = _worker(own_app, shared_redis)
    with app.app_context():
        first.put(("v1", "page"), "<html>地图</html>")
        first.put(("v1", "figures"), {"rows": [1, 2]})  # a Python object: this process only
        assert second.get(("v1", "page")) == "<html>地图</html>"
        assert second.get(("v1", "figures")) is None


def test_bytes_of_another_format_are_a_miss_not_an_error(own_app, shared_redis):
    import redis

    from registry.api.cache import KEPT_CODEC, Kept

    app = own_app(**shared_redis)
    cache = VersionedCache(4, name="unit", codec=KEPT_CODEC)
    with app.app_context():
        tier = shared_cache.current_tier()
        redis.Redis.from_url(shared_redis["CACHE_REDIS_URL"]).set(tier.key("unit", ("v1",)), b"\x80not ours")
        computed = Kept(b"{}", "application/json", None)
        assert cache.get_or_compute(("v1",), lambda: computed) is computed
        cache.clear()
        assert cache.get(("v1",)) == computed  # stored over the foreign bytes


def test_shared_tier_is_asked_again_once_redis_is_back(own_app, shared_redis, monkeypatch, caplog):
    proxy = TcpProxy(6379).start()
    try:
        app, first = _worker(own_app, {**shared_redis, "CACHE_REDIS_URL": f"redis://127.0.0.1:{proxy.port}/0"})
        second = VersionedCache(4, name="unit", codec=text_codec())
        with app.app_context():
            first.put(("v1", "a"), "kept")
            assert second.get(("v1", "a")) == "kept"
            monkeypatch.setattr(shared_cache, "RETRY_AFTER_S", 0.0)  # ask again at the next lookup
            proxy.stop()
            second.clear()
            with caplog.at_level("WARNING", logger="registry.shared_cache"):
                assert second.get_or_compute(("v1", "a"), lambda: "computed") == "computed"
                proxy.start()
                second.clear()
                before = metrics.REGISTRY.get_sample_value("registry_shared_cache_lookups_total",
                                                           {"cache": "unit", "result": "hit"}) or 0
                assert second.get(("v1", "a")) == "kept"
                assert metrics.REGISTRY.get_sample_value("registry_shared_cache_lookups_total",
                                                         {"cache": "unit", "result": "hit"}) == before + 1
            messages = [r.getMessage() for r in caplog.records]
            assert [m for m in messages if "unavailable" in m] and [m for m in messages if "answers again" in m]
    finally:
        proxy.stop()


def test_no_shared_tier_without_the_setting(app):
    with app.app_context():
        assert app.config["CACHE_REDIS_URL"] == ""
        assert shared_cache.current_tier() is None
        cache = VersionedCache(4, name="unit", codec=text_codec())
        assert cache.get_or_compute(("v1",), lambda: "x") == "x"
        cache.clear()
        assert cache.get(("v1",)) is None
