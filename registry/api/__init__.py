"""The partner JSON API, /api/v1: flask-smorest blueprints, its OpenAPI description and docs page,
API keys and rate limits. `register(app)` is all create_app needs to call."""
from flask import Flask
from flask_smorest import Api

from registry.api import audit, bookings, capabilities, changes, districts, facilities, limit_storage, plan
from registry.api.access import rate_limit_key, rate_limit_value
from registry.api.cache import ResponseCache
from registry.api.conventions import API_PREFIX, after_api_request, read_without_transaction
from registry.api.schemas import ErrorSchema
from registry.extensions import csrf, limiter

BLUEPRINTS = (facilities.blp, capabilities.blp, districts.blp, changes.blp, bookings.blp, audit.blp, plan.blp)
# One counter per key (or per address without one) for the whole API, not one per endpoint (counted
# in one step: registry/limiting.py).
limiter.shared_blueprint_limit(BLUEPRINTS, rate_limit_value, rate_limit_key, scope="api")
# District figures also depend on the district table, which the change log does not cover.
response_cache = ResponseCache({facilities.blp.name, capabilities.blp.name, changes.blp.name})
READ_ONLY = {facilities.blp.name, capabilities.blp.name, changes.blp.name, districts.blp.name}
API_VERSION = "1.0.0"

SPEC = {
    "info": {"description": (
        "The Hangzhou Quality Infrastructure Registry (杭州市质量基础设施登记平台) for partner platforms: "
        "find metrology institutes, testing labs and certification bodies and what they can do, "
        "and mirror the registry through the change feed.\n\n"
        "**Keys.** Reading works without a key at a low rate limit; send `X-API-Key: <key>` (or "
        "`Authorization: Bearer <key>`) for a higher one. An unknown or revoked key is a 401, a key "
        "without the needed scope a 403. Over the limit: 429 with `Retry-After` (seconds).\n\n"
        "**Lists** answer `{\"items\", \"next_cursor\", \"total\"}`; pass `next_cursor` back as "
        "`cursor` (and keep the other parameters) for the next page, also given as "
        "`Link: <…>; rel=\"next\"`. `limit` is at most 200.\n\n"
        "**Caching.** Every GET answers with an `ETag`; send it back in `If-None-Match` to get a "
        "304 when nothing changed.\n\n"
        "**Errors** always have the body `{\"error\": {\"code\", \"message\", \"fields\", \"request_id\"}}`; "
        "quote `request_id` (also the `X-Request-ID` header) when reporting a problem.\n\n"
        "Field names are English, coordinates WGS-84 (longitude, latitude), times ISO 8601 in UTC, "
        "dates `YYYY-MM-DD` (Asia/Shanghai calendar). Records flagged `demo` are invented.")},
    "servers": [{"url": "/"}],
    "components": {"securitySchemes": {
        "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        "Bearer": {"type": "http", "scheme": "bearer"},
    }},
    "security": [{}, {"ApiKey": []}, {"Bearer": []}],
}

SETTINGS = {
    "API_TITLE": "Hangzhou Quality Infrastructure Registry API",
    "API_VERSION": API_VERSION,
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": API_PREFIX,
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    "OPENAPI_SWAGGER_UI_URL": "/static/vendor/swagger-ui-dist/",
    "API_SPEC_OPTIONS": SPEC,
    "RATELIMIT_HEADERS_ENABLED": True,
}


class RegistryApi(Api):
    """flask-smorest with the registry's error envelope, in the spec and in answers.

    Errors are answered by registry/http_errors.py for the whole app (HTML pages get a page,
    the API the envelope), so flask-smorest's own handler is not installed."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        pass


def register(app: Flask) -> None:
    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    if str(app.config.get("RATELIMIT_STORAGE_URI", "")).startswith(("redis://", "rediss://", "redis+")):
        # Give up on Redis quickly (no retries): the limits then count in this process (fail open).
        from redis.backoff import NoBackoff  # redis loads only where it holds the limits
        from redis.retry import Retry

        timeout = app.config["RATELIMIT_STORAGE_TIMEOUT"]
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {
            "socket_connect_timeout": timeout, "socket_timeout": timeout, "retry": Retry(NoBackoff(), 0),
            "lease_share": app.config["API_RATE_LIMIT_LEASE"]})
    # The counters in one round trip, large limits counted from leases (limit_storage.py: its storage class
    # takes the redis:// schemes). The limiter keeps the first app's strategy: the same for every app.
    app.config.setdefault("RATELIMIT_STRATEGY", limit_storage.LEASED)
    limiter.init_app(app)
    api = RegistryApi(app)
    for blp in BLUEPRINTS:
        api.register_blueprint(blp)
        csrf.exempt(blp)  # keys, not cookies, authorise API calls: there is no session to forge
    app.before_request(read_without_transaction(READ_ONLY))
    app.before_request(response_cache.before)  # after the limiter's check, registered by init_app
    app.after_request(response_cache.after)
    app.after_request(after_api_request)
