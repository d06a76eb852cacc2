"""`flask --app registry serve`: the registry under gunicorn, as production runs it.

The command checks the settings a production server must not run with, then replaces itself
with gunicorn (exec: signals from systemd or a container reach gunicorn's master directly) with
PROMETHEUS_MULTIPROC_DIR set before any worker imports prometheus_client, so /metrics sums the
workers. Workers: WEB_CONCURRENCY, or gunicorn's rule of thumb, 2 × the CPUs this process may
use + 1.
"""
from __future__ import annotations

import importlib.util
import os
import shlex
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from registry.config import INSTANCE_DIR

APP = "registry:create_app()"


def default_workers() -> int:
    if os.environ.get("WEB_CONCURRENCY"):
        return int(os.environ["WEB_CONCURRENCY"])
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return 2 * cpus + 1


def production_problems(config) -> list[str]:
    """What makes these settings unsafe to serve the public with."""
    problems = []
    if config.get("SECRET_KEY_GENERATED") or not config.get("SECRET_KEY"):
        problems.append("SECRET_KEY is not set: sessions and API cursors would be signed with a key generated "
                        "on this machine (set a long random SECRET_KEY, the same for every server)")
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("SESSION_COOKIE_SECURE is off: the session cookie would also travel over plain HTTP "
                        "(set SESSION_COOKIE_SECURE=1 behind HTTPS)")
    return problems


def metrics_dir(given: str | None, *, empty: bool) -> Path:
    """PROMETHEUS_MULTIPROC_DIR, emptied when serving: prometheus_client wants a clean folder at every
    start (never by a --dry-run, which may run beside a server using it)."""
    folder = Path(given or INSTANCE_DIR / "prometheus")
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db") if empty else ():
        stale.unlink()
    return folder


def gunicorn_argv(bind: str, workers: int, threads: int, timeout: int, graceful_timeout: int,
                  keep_alive: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "--config", "python:registry.ops.gunicorn_conf",
            "--bind", bind, "--workers", str(workers), "--threads", str(threads),
            "--timeout", str(timeout), "--graceful-timeout", str(graceful_timeout), "--keep-alive", str(keep_alive),
            "--error-logfile", "-", APP]


@click.command("serve")
@click.option("--bind", default=lambda: os.environ.get("BIND", "127.0.0.1:8000"), show_default="BIND or 127.0.0.1:8000",
              help="Address:port (or unix:/path) to listen on.")
@click.option("--workers", type=int, default=default_workers, show_default="WEB_CONCURRENCY or 2 × CPUs + 1",
              help="Worker processes.")
@click.option("--threads", type=int, default=1, show_default=True, help="Threads per worker.")
@click.option("--timeout", type=int, default=60, show_default=True,
              help="Seconds a request may take before its worker is restarted.")
@click.option("--graceful-timeout", type=int, default=30, show_default=True,
              help="Seconds running requests get to finish on a restart or stop.")
@click.option("--keep-alive", type=int, default=5, show_default=True, help="Seconds an idle connection is kept.")
@click.option("--access-log", default=None,
              help="File for the JSON access log (default: ACCESS_LOG, '-' for stderr; '' turns it off).")
@click.option("--allow-insecure", is_flag=True,
              help="Serve even without SECRET_KEY or with SESSION_COOKIE_SECURE off (a trial on a private network).")
@click.option("--dry-run", is_flag=True, help="Check the settings and print the gunicorn command, start nothing.")
@with_appcontext
def serve_command(bind, workers, threads, timeout, graceful_timeout, keep_alive, access_log, allow_insecure,
                  dry_run):
    """Serve the registry with gunicorn (production): workers, timeouts, JSON access log, metrics."""
    problems = production_problems(current_app.config)
    if problems and not allow_insecure:
        raise click.ClickException("refusing to serve:\n  - " + "\n  - ".join(problems)
                                   + "\n(--allow-insecure serves anyway, e.g. for a trial on a private network)")
    for problem in problems:
        click.echo(f"warning: {problem}", err=True)
    if importlib.util.find_spec("gunicorn") is None:
        raise click.ClickException("gunicorn is not installed: pip install 'hangzhou-quality-registry[serve]'")
    argv = gunicorn_argv(bind, workers, threads, timeout, graceful_timeout, keep_alive)
    env = dict(os.environ)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir(env.get("PROMETHEUS_MULTIPROC_DIR"), empty=not dry_run))
    if access_log is not None:
        env["ACCESS_LOG"] = access_log
    if dry_run:
        click.echo(f"PROMETHEUS_MULTIPROC_DIR={shlex.quote(env['PROMETHEUS_MULTIPROC_DIR'])} " + shlex.join(argv))
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, argv, env)
