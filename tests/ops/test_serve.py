"""`flask serve`: gunicorn as production runs it, and never with settings unsafe for the public."""
import json
import os
import socket
import subprocess
import time

import pytest

from registry.ops.serve import default_workers, gunicorn_argv, metrics_dir


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


def test_gunicorns_own_answer_to_an_unparsable_request_is_the_json_envelope(database_url, tmp_path):
    """Issue 13, row 18: a request line gunicorn cannot parse never reaches the app; its 400 is still JSON
    with a snake_case code (it was gunicorn's HTML page)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    home = tmp_path / "home"
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "k" * 40,
           "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "ACCESS_LOG": "", "HOME": str(home), "XDG_RUNTIME_DIR": ""}
    server = subprocess.Popen([*gunicorn_argv(f"127.0.0.1:{port}", 1, 1, 30, 5, 2)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=10)
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        with connection:
            connection.sendall(b"NOT A REQUEST LINE AT ALL\r\n\r\n")
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not (home / ".gunicorn").exists()  # no control socket another registry on the host would share
    head, body = answer.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 400 ") and b"Content-Type: application/json" in head
    error = json.loads(body)["error"]
    assert error["code"] == "bad_request" and set(error) == {"code", "message", "fields", "request_id"}
