"""Answers to API reads, kept per process until the data changes.

Partners ask the same questions over and over (the GeoJSON of everything, the
same searches, the same pages of the change feed), and every write to facilities
or capabilities records a change set, so an answer is keyed on its URL, today's
date (expiry flags depend on it) and the data's version (`records.data_version`): a write anywhere
makes every kept answer stale at once. The rate limit and the key's scope are
checked before a kept answer is given, as for a fresh one. `API_RESPONSE_CACHE`
is the number of answers kept per process (0 turns it off); with `CACHE_REDIS_URL` the answers are
also shared by every worker (registry/shared_cache.py), compressed on their way to Redis.
"""
import zlib
from dataclasses import dataclass

from flask import Response, current_app, request

from registry.api.access import require_scope
from registry.caching import Codec, VersionedCache, pack, unpack
from registry.clock import today
from registry.database import database_key
from registry.extensions import db
from registry.services.records.canonical import data_version

MAX_BODY_BYTES = 4 * 2**20
COMPRESS_FROM_BYTES = 1024  # smaller bodies cross Redis as they are
_ENVIRON_KEY = "registry.api_cache"


@dataclass(frozen=True)
class Kept:
    body: bytes
    mimetype: str
    link: str | None


def _encode(kept: Kept) -> bytes:
    compressed = len(kept.body) >= COMPRESS_FROM_BYTES
    body = zlib.compress(kept.body, 1) if compressed else kept.body
    return pack({"m": kept.mimetype, "l": kept.link, "z": compressed}, body)


def _decode(data: bytes) -> Kept:
    header, body = unpack(data)
    try:
        return Kept(zlib.decompress(body) if header["z"] else body, header["m"], header["l"])
    except (KeyError, zlib.error) as exc:
        raise ValueError("not a kept API answer") from exc


KEPT_CODEC = Codec(_encode, _decode)


class ResponseCache:
    def __init__(self, blueprints: set[str]):
        self.blueprints = blueprints
        self.entries = VersionedCache(0, name="api_answers", codec=KEPT_CODEC)

    def before(self):
        size = current_app.config["API_RESPONSE_CACHE"]
        if size != self.entries.size:
            self.entries.resize(size)
        if not size or request.method != "GET" or request.blueprint not in self.blueprints:
            return None
        require_scope("read")
        key = (database_key(db.engine), request.host_url, request.full_path, today().isoformat(),
               data_version(db.session))
        kept = self.entries.get(key)
        if kept is not None:
            response = Response(kept.body, mimetype=kept.mimetype)
            if kept.link:
                response.headers["Link"] = kept.link
            return response
        request.environ[_ENVIRON_KEY] = key
        return None

    def after(self, response: Response) -> Response:
        key = request.environ.pop(_ENVIRON_KEY, None)
        if key is None or response.status_code != 200 or response.direct_passthrough:
            return response
        body = response.get_data()
        if len(body) <= MAX_BODY_BYTES:
            self.entries.put(key, Kept(body, response.mimetype, response.headers.get("Link")))
        return response
