"""`flask serve`: gunicorn as production runs it, and never with settings unsafe for the public."""
import pytest

from registry.ops.serve import default_workers, metrics_dir


def serve(app, *args):
    return app.test_cli_runner().invoke(args=["serve", *args])


def test_refuses_the_generated_secret_key_and_an_insecure_cookie(own_app):
    result = serve(own_app(SECRET_KEY_GENERATED=True, SESSION_COOKIE_SECURE=False), "--dry-run")
    assert result.exit_code == 1
    assert "refusing to serve" in result.output
    assert "SECRET_KEY is not set" in result.output and "SESSION_COOKIE_SECURE is off" in result.output


def test_refuses_an_insecure_cookie_even_with_a_key(own_app):
    result = serve(own_app(SECRET_KEY="k" * 40, SECRET_KEY_GENERATED=False, SESSION_COOKIE_SECURE=False), "--dry-run")
    assert result.exit_code == 1 and "SESSION_COOKIE_SECURE" in result.output and "SECRET_KEY is" not in result.output


def test_allow_insecure_serves_with_a_warning(own_app):
    result = serve(own_app(SECRET_KEY_GENERATED=True, SESSION_COOKIE_SECURE=False), "--dry-run", "--allow-insecure")
    assert result.exit_code == 0, result.output
    assert "warning: SECRET_KEY is not set" in result.output


def test_gunicorn_command_with_workers_timeouts_and_metrics_folder(own_app, tmp_path, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "prom"))
    (tmp_path / "prom").mkdir()
    (tmp_path / "prom" / "counter_123.db").write_bytes(b"stale")
    app = own_app(SECRET_KEY="k" * 40, SECRET_KEY_GENERATED=False, SESSION_COOKIE_SECURE=True)
    result = serve(app, "--dry-run", "--bind", "127.0.0.1:19401", "--timeout", "90")
    assert result.exit_code == 0, result.output
    command = result.output
    assert f"PROMETHEUS_MULTIPROC_DIR={tmp_path / 'prom'}" in command
    assert "-m gunicorn --config python:registry.ops.gunicorn_conf --bind 127.0.0.1:19401" in command
    assert f"--workers {default_workers()}" in command and "--timeout 90" in command
    assert "'registry:create_app()'" in command
    assert (tmp_path / "prom" / "counter_123.db").exists()  # a dry run leaves a running server's files alone


def test_the_metrics_folder_is_emptied_when_serving_starts(tmp_path):
    (tmp_path / "prom").mkdir()
    (tmp_path / "prom" / "counter_123.db").write_bytes(b"stale")
    assert metrics_dir(str(tmp_path / "prom"), empty=True) == tmp_path / "prom"
    assert not (tmp_path / "prom" / "counter_123.db").exists()
    assert metrics_dir(str(tmp_path / "new" / "prom"), empty=True).is_dir()


def test_workers_follow_the_cpus_unless_web_concurrency_says(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    assert default_workers() >= 3
    monkeypatch.setenv("WEB_CONCURRENCY", "7")
    assert default_workers() == 7


@pytest.mark.parametrize("count, expected", [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_proxy_count_trusts_that_many_proxies_for_the_client_address(own_app, count, expected):
    app = own_app(PROXY_COUNT=count)
    seen = {}

    @app.get("/_ops_test_addr")
    def addr():
        from flask import request
        seen["addr"] = request.remote_addr
        return "ok"

    app.test_client().get("/_ops_test_addr", headers={"X-Forwarded-For": "203.0.113.9"})
    assert seen["addr"] == expected
