"""Map data and the full-page results map (blueprint `maps`).

GET /map/facilities.geojson  every located facility matching the /search query string, as a compact
                             GeoJSON FeatureCollection (short property names, see registry-map.js);
                             crs=gcj02 shifts the points for GCJ-02 tiles (AMap). gzip, ETag.
GET /map/districts.geojson   the simplified district boundaries (crs=gcj02 likewise), cached.
GET /map                     the results map on its own page (same query string).

The JavaScript and CSS the maps load are static files: registry/static/vendor/ (vendored from npm by
scripts/vendor_assets.py) and registry/static/maps/.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import math
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, current_app, request, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import escape

from geo.coords import wgs84_to_gcj02
from registry.caching import Codec, VersionedCache, pack, unpack
from registry.clock import today
from registry.config import PROJECT_ROOT
from registry.extensions import db
from registry.services import search
from registry.services.records.canonical import data_version
from registry.web import labels as vocab
from registry.web.context import current_lang

try:
    import orjson
except ImportError:  # optional: the standard json module is several times slower on 50,000 features
    orjson = None

blp = Blueprint("maps", __name__)

GEOJSON_MIMETYPE = "application/geo+json"
SIMPLIFIED_DISTRICTS = PROJECT_ROOT / "seeds" / "districts_simplified.geojson"
GZIP_LEVEL = 1  # 8-10x smaller already; higher levels cost more time than they save on a LAN
GZIP_MIN_BYTES = 1024
NOT_FILTERS = ("page", "per_page", "sort", "lang", "crs")  # how results are shown, not which match


def map_labels() -> dict:
    """The map's legend, layer and popup labels in the request's language (pass to results_map)."""
    return {
        "kinds": {k: str(v) for k, v in vocab.FACILITY_KINDS.items()},
        "ownerships": {k: str(v) for k, v in vocab.OWNERSHIPS.items()},
        "kind": str(_l("Kind")), "ownership": str(_l("Ownership")), "shared": str(_l("Shared")),
        "district": str(_l("District")), "yes": str(_l("Yes")), "no": str(_l("No")),
        "details": str(_l("Details")), "demo": str(_l("Demo data")),
        "legend": str(_l("Facility kind")), "districts": str(_l("District boundaries")),
    }


def map_settings() -> tuple[str, str | None]:
    """(MAP_TILES, MAP_TIANDITU_KEY) from the app's settings; unknown tiles mean none."""
    tiles = str(current_app.config["MAP_TILES"] or "none").strip().lower()
    if tiles not in ("none", "osm", "tianditu", "amap"):
        tiles = "none"
    key = current_app.config["MAP_TIANDITU_KEY"] or None
    if tiles == "tianditu" and not key:
        current_app.logger.warning("MAP_TILES=tianditu without MAP_TIANDITU_KEY: drawing no tiles")
        tiles = "none"
    return tiles, key


def district_names(lang: str) -> dict[str, str]:
    return {code: vocab.district_name(code, lang) for code in vocab.DISTRICTS}


# --- points -------------------------------------------------------------------------------------

def _points(query: search.SearchQuery) -> list[dict]:
    """Every located facility matching the search."""
    return search.facility_points(db.session, query, today())


def points_geojson(points: list[dict], crs: str = "wgs84") -> bytes:
    """The compact FeatureCollection of `points` (rows without a finite lon/lat are skipped).

    Properties: i facility_id, n name, e name_en (when given), k kind, o ownership, s shared (1/0),
    d district_code, m demo (1, only when true). Coordinates have 6 decimals (0.1 m). Written feature
    by feature (strings through the JSON encoder): three times faster than encoding nested dicts.
    """
    import numpy as np

    located = [p for p in points if _finite(p.get("lon")) and _finite(p.get("lat"))]
    if crs == "gcj02" and located:
        lon = np.fromiter((p["lon"] for p in located), dtype=float, count=len(located))
        lat = np.fromiter((p["lat"] for p in located), dtype=float, count=len(located))
        lons, lats = (a.tolist() for a in wgs84_to_gcj02(lon, lat))
    else:
        lons, lats = [p["lon"] for p in located], [p["lat"] for p in located]
    dumps = _dumps
    parts = []
    for p, x, y in zip(located, lons, lats):
        parts.append(_FEATURE % (
            x, y, dumps(str(p["facility_id"])), dumps(str(p["name"])), dumps(p.get("kind")),
            dumps(p.get("ownership")), 1 if p.get("shared") else 0, dumps(p.get("district_code")),
            b',"e":' + dumps(str(p["name_en"])) if p.get("name_en") else b"",
            b',"m":1' if p.get("demo") else b""))
    return b'{"type":"FeatureCollection","features":[' + b",".join(parts) + b"]}"


_FEATURE = (b'{"type":"Feature","geometry":{"type":"Point","coordinates":[%.6f,%.6f]},'
            b'"properties":{"i":%s,"n":%s,"k":%s,"o":%s,"s":%d,"d":%s%s%s}}')


def _finite(value) -> bool:
    return value is not None and math.isfinite(value)


def _dumps(obj) -> bytes:
    """Compact UTF-8 JSON (orjson when installed: several times faster on 50,000 features)."""
    if orjson is not None:
        return orjson.dumps(obj)
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _crs_arg() -> str:
    return "gcj02" if request.args.get("crs", "").strip().lower() in ("gcj02", "gcj-02") else "wgs84"


def geojson_response(body: bytes, max_age: int | None = None) -> Response:
    """`body` with a strong ETag (a 304 when it matches), gzip-compressed when the client accepts it."""
    if "gzip" in request.accept_encodings and len(body) >= GZIP_MIN_BYTES:
        return _conditional(gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0), _etag(body) + "-gz",
                            {"Content-Encoding": "gzip"}, max_age)
    return _conditional(body, _etag(body), {}, max_age)


def _etag(body: bytes) -> str:
    return hashlib.blake2b(body, digest_size=16).hexdigest()


def _conditional(body: bytes, etag: str, extra: dict, max_age: int | None) -> Response:
    headers = {"Vary": "Accept-Encoding", "Cache-Control": f"public, max-age={max_age}" if max_age else "no-cache"}
    if request.if_none_match.contains(etag):
        response = Response(status=304, headers=headers)
    else:
        response = Response(body, mimetype=GEOJSON_MIMETYPE, headers={**headers, **extra})
    response.set_etag(etag)
    return response


@blp.get("/map/facilities.geojson")
def facility_points():
    crs = _crs_arg()
    query, _problems = search.parse_search_args(request.args)  # what the page refuses, the map leaves out too
    query = replace(query, sort="relevance", page=1, per_page=20)  # how results are shown, not which
    size = current_app.config["MAP_POINTS_CACHE"]
    if not size:
        return geojson_response(points_geojson(_points(query), crs))
    if POINTS_CACHE.size != size:
        POINTS_CACHE.resize(size)
    key = (db.engine.url.render_as_string(), query, crs, data_version(db.session), today())
    return POINTS_CACHE.get_or_compute(key, lambda: CachedBody.of(points_geojson(_points(query), crs))).response()


class CachedBody:
    """A GeoJSON body kept gzip-compressed, with its ETags."""

    def __init__(self, raw_etag: str, gz: bytes, raw_size: int):
        self.raw_etag, self.gz, self.raw_size = raw_etag, gz, raw_size

    @classmethod
    def of(cls, body: bytes) -> "CachedBody":
        return cls(_etag(body), gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0), len(body))

    def encode(self) -> bytes:
        return pack({"e": self.raw_etag, "n": self.raw_size}, self.gz)

    @classmethod
    def decode(cls, data: bytes) -> "CachedBody":
        header, gz = unpack(data)
        try:
            return cls(str(header["e"]), gz, int(header["n"]))
        except KeyError as exc:
            raise ValueError("not a kept marker set") from exc

    def response(self) -> Response:
        if "gzip" in request.accept_encodings and self.raw_size >= GZIP_MIN_BYTES:
            return _conditional(self.gz, self.raw_etag + "-gz", {"Content-Encoding": "gzip"}, None)
        return geojson_response(gzip.decompress(self.gz))


# GeoJSON bodies per search; sized by MAP_POINTS_CACHE on first use, shared by the workers with CACHE_REDIS_URL
POINTS_CACHE = VersionedCache(0, name="map_points", codec=Codec(CachedBody.encode, CachedBody.decode))


# --- districts ----------------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _districts_data(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _districts_path() -> str:
    return current_app.config["MAP_DISTRICTS_GEOJSON"]


def district_feature(code: str | None) -> dict | None:
    """One district's (simplified, WGS-84) boundary as a GeoJSON Feature, for a facility map."""
    for feature in _districts_data(_districts_path())["features"]:
        if feature["properties"].get("code") == code:
            return feature
    return None


@lru_cache(maxsize=8)
def districts_geojson_bytes(path: str, crs: str) -> bytes:
    from geo.maps import shift_geojson  # folium: loaded when a map is first drawn

    return _dumps(shift_geojson(_districts_data(path), crs))


@blp.get("/map/districts.geojson")
def districts():
    return geojson_response(districts_geojson_bytes(_districts_path(), _crs_arg()), max_age=86400)


# --- the map page -------------------------------------------------------------------------------

def results_map_for_request(height: str = "100%"):
    """The results map of this request's /search query string."""
    tiles, key = map_settings()
    query = {k: v for k, v in request.args.to_dict(flat=False).items() if k not in NOT_FILTERS}
    lang = current_lang()
    from geo.maps import results_map

    return results_map(
        url_for("maps.facility_points", **query), url_for("maps.districts"),
        tiles=tiles, tiles_key=key, labels=map_labels(), district_names=district_names(lang),
        facility_url=url_for("search.facility", facility_id="x")[:-1], lang=lang, height=height)


def facility_map_for(facility: dict, height: str = "100%"):
    """The small map of a facility page (a dict with lon, lat, name, kind, district_code); None without
    a location. Embed it with geo.maps.embed_parts."""
    if facility.get("lon") is None or facility.get("lat") is None:
        return None
    tiles, key = map_settings()
    from geo.maps import facility_map

    code = facility.get("district_code")
    if district_feature(code) is None:  # no known district: its own boundary cannot be shown
        return facility_map(facility["lon"], facility["lat"], None, tiles=tiles, tiles_key=key,
                            name=facility.get("name"), kind=facility.get("kind"), lang=current_lang(), height=height)
    # Every district (fetched, cached by the browser), the facility's own outlined: its neighbours show around it.
    return facility_map(facility["lon"], facility["lat"], url_for("maps.districts"), tiles=tiles, tiles_key=key,
                        name=facility.get("name"), kind=facility.get("kind"), lang=current_lang(), height=height,
                        highlight=code)


@blp.get("/map")
def map_page():
    from geo.maps import render_page

    html = render_page(results_map_for_request())
    title = f"<title>{escape(str(_l('Map')))}</title>"
    return Response(html.replace("<head>", "<head>\n    " + title, 1), mimetype="text/html")
