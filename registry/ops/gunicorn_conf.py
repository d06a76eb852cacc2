"""gunicorn settings that `serve` cannot pass on the command line (loaded as python:registry.ops.gunicorn_conf)."""
import os

from prometheus_client import multiprocess

# heartbeat files off the disk: a slow disk must not look like a hung worker
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = None  # the app writes the access log, one JSON line per request (registry/ops/access_log.py)


def child_exit(server, worker):
    """A worker's live gauges go with it; its counters stay in the sum."""
    multiprocess.mark_process_dead(worker.pid)
