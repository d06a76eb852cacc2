"""Who is calling: an API key (header `X-API-Key`, or `Authorization: Bearer`), or nobody.

The rate limit is per key for keyed calls and per client address otherwise, at a
higher rate for keys. A presented key that is unknown or revoked is a 401, also
on routes that need no key: a partner must learn that its key stopped working.
"""
from flask import current_app, request
from werkzeug.exceptions import Forbidden, Unauthorized

from registry.extensions import db
from registry.services.accounts.api_keys import identify

_NO_KEY = object()


def presented_key() -> str | None:
    key = request.headers.get("X-API-Key")
    if key is None:
        auth = request.headers.get("Authorization", "")
        if auth[:7].lower() == "bearer ":
            key = auth[7:]
    return key.strip() if key is not None else None


def current_key():
    """The KeyIdentity of this request, None when anonymous; raises 401 for a bad key."""
    cached = request.environ.get("registry.api_key", _NO_KEY)  # per request (g may outlive one)
    if cached is _NO_KEY:
        key = presented_key()
        identity = identify(db.session, key) if key else None
        cached = request.environ["registry.api_key"] = (identity, bool(key) and identity is None)
    identity, bad = cached
    if bad:
        raise Unauthorized("The API key is unknown or revoked.")
    return identity


def require_scope(scope: str) -> None:
    """Anonymous callers may read; a key must carry the scope of what it is used for."""
    identity = current_key()
    if identity is not None and scope not in identity.scopes:
        raise Forbidden(f"The API key lacks the '{scope}' scope.")
    if identity is None and scope != "read":
        raise Unauthorized(f"An API key with the '{scope}' scope is needed.")


def rate_limit_key() -> str:
    try:
        identity = current_key()
    except Unauthorized:
        identity = None  # answered with a 401 by the view; counted against the address meanwhile
    if identity is not None:
        return f"key:{identity.id}"
    return f"ip:{request.remote_addr or 'unknown'}"


def rate_limit_value() -> str:
    try:
        keyed = current_key() is not None
    except Unauthorized:
        keyed = False
    config = current_app.config
    return config["API_RATE_LIMIT_KEY"] if keyed else config["API_RATE_LIMIT_ANONYMOUS"]
