"""gunicorn settings that `serve` cannot pass on the command line (loaded as python:registry.ops.gunicorn_conf),
and gunicorn's own error answers in the registry's JSON envelope."""
import json
import os
import uuid

from gunicorn import util
from prometheus_client import multiprocess

from registry.errors import snake_case

# heartbeat files off the disk: a slow disk must not look like a hung worker
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = None  # the app writes the access log, one JSON line per request (registry/ops/access_log.py)
# gunicorn >= 24 opens a control socket at one path per user (~/.gunicorn/gunicorn.ctl): two registries on one
# host (a second instance, CI beside a server) would take it from each other; systemd restarts, not gunicornc
control_socket_disable = True


def child_exit(server, worker):
    """A worker's live gauges go with it; its counters stay in the sum."""
    multiprocess.mark_process_dead(worker.pid)


def json_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's answer to a request it cannot parse (a bad request line or header, too long a URI), which
    never reaches the app: the envelope every other error of the registry has (http_errors.error_body),
    with a snake_case code, instead of gunicorn's HTML page."""
    body = json.dumps({"error": {"code": snake_case(reason), "message": mesg or reason, "fields": {},
                                 "request_id": uuid.uuid4().hex}}).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"X-Content-Type-Options: nosniff\r\nContent-Length: {len(body)}\r\n\r\n")
    util.write_nonblock(sock, head.encode("latin-1") + body)


util.write_error = json_error  # gunicorn's workers call util.write_error for every answer of their own
