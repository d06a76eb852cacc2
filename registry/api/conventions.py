"""What every /api/v1 answer has in common: JSON bodies, keyset cursors with a
`Link: rel="next"` header, ETags with 304s, and CORS for reading.

Cursors are signed with the app's secret (itsdangerous): a partner cannot forge
one to reach past the keyset's rules, and an altered one is a 400, not a 500.
"""
import orjson
from flask import Response, current_app, request
from itsdangerous import BadData, URLSafeSerializer
from werkzeug.datastructures import MultiDict
from werkzeug.urls import urlencode

from registry.api.dumping import dumper
from registry.api.schemas import ErrorSchema
from registry.errors import RegistryError
from registry.extensions import db

API_PREFIX = "/api/v1"
# A partner's browser code reads these; X-Request-ID so that it can quote the id of a failed call.
EXPOSED_HEADERS = ("ETag, Link, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, "
                   "X-Request-ID")


class BadCursor(RegistryError):
    code = "invalid_cursor"


def _serializer(kind: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=f"api-cursor:{kind}")


def make_cursor(kind: str, position) -> str:
    return _serializer(kind).dumps(position)


def read_cursor(kind: str, token: str | None, check=lambda position: True):
    """The position a cursor of `kind` holds; None without one; BadCursor when it was not ours."""
    if not token:
        return None
    try:
        position = _serializer(kind).loads(token)
    except (BadData, ValueError, UnicodeError):
        raise BadCursor("The cursor is not valid (use next_cursor of a previous page unchanged).") from None
    if not check(position):
        raise BadCursor("The cursor belongs to a different query or sort order.")
    return position


def json_response(schema_class, data, status: int = 200, next_cursor: str | None = None,
                  mimetype: str = "application/json") -> Response:
    """The dump of `schema_class` (compiled once per process, dumping.py) as JSON (orjson: several
    times faster than the standard encoder), with `Link: <…>; rel="next"` when there is a next page."""
    body = orjson.dumps(dumper(schema_class)(data) if schema_class is not None else data)
    response = Response(body, status=status, mimetype=mimetype)
    if next_cursor:
        args = MultiDict(request.args)
        args["cursor"] = next_cursor
        response.headers["Link"] = f'<{request.base_url}?{urlencode(args)}>; rel="next"'
    return response


def read_without_transaction(blueprints: set[str]):
    """A before_request hook: GETs of the read-only `blueprints` run their statements in autocommit, with
    no BEGIN and ROLLBACK round trips around them. Nothing is lost: on PostgreSQL each statement of a
    READ COMMITTED transaction takes its own snapshot anyway, and pysqlite begins no transaction for a
    SELECT. A session already in a transaction (an API key looked up by the limiter) is left as it is."""
    def hook():
        if request.method in ("GET", "HEAD") and request.blueprint in blueprints and not db.session().in_transaction():
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return hook


def after_api_request(response: Response) -> Response:
    """ETag and If-None-Match (304) on every successful GET, CORS headers on every answer."""
    if not request.path.startswith(API_PREFIX):
        return response
    if request.method in ("GET", "HEAD") and response.status_code == 200 and not response.direct_passthrough:
        response.add_etag()
        response.make_conditional(request)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Authorization, X-API-Key, If-None-Match, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def error_responses(blp, *, paged: bool = False):
    """Document the answers every read can give besides 200, in the registry's envelope."""
    def decorate(view):
        view = blp.alt_response(304, description="Not modified: the If-None-Match ETag is current.")(view)
        if paged:
            view = blp.alt_response(400, schema=ErrorSchema, description="The cursor is not valid.")(view)
        view = blp.alt_response(401, schema=ErrorSchema, description="Unknown or revoked API key.")(view)
        view = blp.alt_response(403, schema=ErrorSchema, description="The API key lacks the scope.")(view)
        view = blp.alt_response(429, schema=ErrorSchema, description="Over the rate limit.", headers={
            "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}})(view)
        return view
    return decorate
