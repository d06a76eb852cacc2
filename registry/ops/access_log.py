"""Per request: an id, one JSON line in the access log, and the request metrics.

The id comes from the proxy's X-Request-ID when it is a sane token (so nginx's $request_id
ties both logs together), otherwise a new one; it is echoed in X-Request-ID and in the API's
error envelope, so a partner's report can be traced to the line. Timing starts in the WSGI
layer, before any before_request hook (a 429 or 413 is timed and logged like any answer).
"""
from __future__ import annotations

import re
import time
import uuid

from flask import Flask, g, has_request_context, request

from registry.ops import metrics
from registry.ops.logs import ACCESS

HEADER = "X-Request-ID"
_ID = "registry.request_id"
_START = "registry.request_start"
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def request_id() -> str | None:
    """This request's id (None outside a request)."""
    return request.environ.get(_ID) if has_request_context() else None


class RequestIds:
    """WSGI middleware: the id and the start time go into the environ before Flask sees the request."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        given = environ.get("HTTP_X_REQUEST_ID", "")
        environ[_ID] = given if _SANE.fullmatch(given) else uuid.uuid4().hex
        environ[_START] = time.perf_counter()
        return self.wsgi_app(environ, start_response)


def who() -> str | None:
    """The signed-in user or the API key of this request, when the request already looked them up
    (reading the session here would add `Vary: Cookie` to every answer)."""
    cached = request.environ.get("registry.api_key")
    if cached and cached[0] is not None:
        return f"key:{cached[0].id}"
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.id}"
    return None


def finish(response):
    """after_request: echo the id, count and time the request, write its line."""
    response.headers[HEADER] = request.environ.get(_ID, "")
    seconds = time.perf_counter() - request.environ.get(_START, time.perf_counter())
    template = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
    metrics.observe_request(template, request.method, response.status_code, seconds)
    ACCESS.info("request", extra={"fields": {
        "method": request.method, "path": template, "status": response.status_code,
        "duration_ms": round(seconds * 1000, 2), "user": who(), "request_id": request.environ.get(_ID),
        "remote_addr": request.remote_addr}})
    return response


def init_app(app: Flask) -> None:
    app.wsgi_app = RequestIds(app.wsgi_app)
    # after_request hooks run last-registered first: at the front, this one sees the final answer
    # (a 304 from the ETag check, a cached API answer) whatever is registered after it.
    app.after_request_funcs.setdefault(None, []).insert(0, finish)
