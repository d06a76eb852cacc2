"""Folium maps of the registry, offline by default (no Flask here).

Every JavaScript and CSS file a map needs is served by the app itself under a static prefix
(`/static` unless `use_local_assets` says otherwise): Leaflet and Supercluster vendored from the npm
registry into `registry/static/vendor/`, and the registry's own `maps/registry-map.js|css`. Folium's
other defaults (jQuery, Bootstrap, awesome-markers, Font Awesome, glyphicons) are dropped: these maps
use none of them (so don't add folium.Icon / folium.plugins to them: their files are not vendored).

The results map embeds no markers: the browser fetches them as compact GeoJSON from `points_url`
(the `maps.facility_points` endpoint) and clusters them with Supercluster (a spatial index per zoom
level; only the visible clusters and markers are on the map): ONE index for all kinds, whose clusters
count their kinds (Supercluster's map/reduce) and show them as a small pie, so markers of different
kinds never overlap. The first view fits the district boundaries (all 13 districts).
Leaflet.markercluster was measured first: it needed 2-3 s for 50,000 points on this machine,
Supercluster a few hundred milliseconds. Popups are built in the browser from DOM nodes with
`textContent`, so whatever a user or importer typed shows as text.
Tiles are a setting: none (default), osm, tianditu (needs a key) or amap; AMap tiles are GCJ-02,
so the map then asks for GCJ-02 points and boundaries (`crs=gcj02`, shifted on the server with
`geo.coords.wgs84_to_gcj02`: one implementation for both).
"""
from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import folium
from branca.element import CssLink, Figure, JavascriptLink, MacroElement
from folium.template import Template

from geo.coords import wgs84_to_gcj02

HANGZHOU_CENTRE = (30.25, 119.95)  # lat, lon: the whole city (13 districts) at zoom 8-9
MIN_ZOOM, MAX_ZOOM = 8, 18  # zoom 8 shows all of Hangzhou; clusters are indexed for each zoom level
CLUSTER_UNTIL_ZOOM = 17  # from here on every marker is drawn on its own (fewer levels to cluster)
TILE_SETTINGS = ("none", "osm", "tianditu", "amap")
GCJ02_TILES = {"amap"}

KIND_COLORS = {"metrology": "#1f6fb5", "testing": "#2e9d4b", "certification": "#d1492e"}
FACILITY_COLOR = "#7a4fc2"  # the facility map's single marker when the kind is unknown

# English defaults; pages pass translated labels (see registry.web.maps.map_labels).
DEFAULT_LABELS = {
    "kinds": {"metrology": "Metrology", "testing": "Testing", "certification": "Certification"},
    "ownerships": {"state": "State-owned", "private": "Private"},
    "kind": "Kind", "ownership": "Ownership", "shared": "Shared", "district": "District",
    "yes": "Yes", "no": "No", "details": "Details", "demo": "Demo data",
    "legend": "Facility kind", "districts": "District boundaries",
}

_prefix = "/static"


def asset_urls(prefix: str = "/static") -> dict[str, str]:
    """The local URL of every file the maps load, by name."""
    p = prefix.rstrip("/")
    vendor = f"{p}/vendor"
    return {
        "leaflet": f"{vendor}/leaflet/leaflet.js",
        "leaflet_css": f"{vendor}/leaflet/leaflet.css",
        "supercluster": f"{vendor}/supercluster/supercluster.min.js",
        "registry_map": f"{p}/maps/registry-map.js",
        "registry_map_css": f"{p}/maps/registry-map.css",
    }


def use_local_assets(prefix: str = "/static") -> None:
    """Point folium at the app's own copy of Leaflet, and the registry maps at theirs (process-wide).

    `prefix` is the URL the app serves `registry/static/` at (Flask's static_url_path). Applied with
    "/static" when this module is imported, so maps are offline even if nobody calls it.
    """
    global _prefix
    _prefix = prefix.rstrip("/") or ""
    urls = asset_urls(prefix)
    # New lists, not in-place edits: folium's module-level defaults stay as they were.
    folium.Map.default_js = [("leaflet", urls["leaflet"])]
    folium.Map.default_css = [("leaflet_css", urls["leaflet_css"])]
    RegistryPoints.default_js = [("supercluster", urls["supercluster"]), ("registry_map", urls["registry_map"])]
    RegistryPoints.default_css = [("registry_map_css", urls["registry_map_css"])]
    RegistryFacility.default_js = [("registry_map", urls["registry_map"])]
    RegistryFacility.default_css = [("registry_map_css", urls["registry_map_css"])]


class MetricScale(MacroElement):
    """The scale bar in metres and kilometres only (folium's control_scale adds miles, which nobody here reads)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
            L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        {% endmacro %}""")


class _Assets(MacroElement):
    """Adds `default_js` / `default_css` to the page header (like folium's JSCSSMixin)."""

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []

    def render(self, **kwargs):
        figure = self.get_root()
        assert isinstance(figure, Figure), "render the map's Figure, not the element"
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(CssLink(url), name=name)
        super().render(**kwargs)


class _RegistryLayer(_Assets):
    """Our map script, called with JSON options, and the kind colours as CSS."""

    def __init__(self, options: dict, colors: Mapping[str, str]):
        super().__init__()
        self._name = type(self).__name__
        self.options = options
        self.kind_css = _kind_css(colors)


class RegistryPoints(_RegistryLayer):
    """Facility markers fetched from a GeoJSON URL, clustered per kind; districts; legend."""

    _template = Template("""
        {% macro header(this, kwargs) %}
            <link rel="preload" href="{{ this.options.pointsUrl|e }}" as="fetch" crossorigin="anonymous">
            {%- if this.options.districts is string %}
            <link rel="preload" href="{{ this.options.districts|e }}" as="fetch" crossorigin="anonymous">
            {%- endif %}
            <style>{{ this.kind_css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            RegistryMap.results({{ this._parent.get_name() }}, {{ this.options|tojson }});
        {% endmacro %}
    """)


class RegistryFacility(_RegistryLayer):
    """One facility's marker over its district."""

    _template = Template("""
        {% macro header(this, kwargs) %}
            <style>{{ this.kind_css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            RegistryMap.facility({{ this._parent.get_name() }}, {{ this.options|tojson }});
        {% endmacro %}
    """)


def _kind_css(colors: Mapping[str, str]) -> str:
    rules = []
    for kind, color in colors.items():
        if not _safe_token(kind) or not _safe_color(color):
            continue
        rules.append(f".registry-marker.registry-kind-{kind}{{background:{color}}}"
                     f".registry-cluster.registry-kind-{kind}{{background:{color}66}}"
                     f".registry-cluster.registry-kind-{kind} div{{background:{color}}}")
    return "".join(rules)


def _safe_token(value: str) -> bool:
    return bool(value) and all(c.isascii() and (c.isalnum() or c in "_-") for c in value)


def _safe_color(value: str) -> bool:
    return len(value) == 7 and value[0] == "#" and all(c in "0123456789abcdefABCDEF" for c in value[1:])


def merged_labels(labels: Mapping | None) -> dict:
    """DEFAULT_LABELS overridden by `labels` (nested dicts merged), every value a plain str."""
    merged = copy.deepcopy(DEFAULT_LABELS)
    for key, value in (labels or {}).items():
        if isinstance(value, Mapping):
            merged.setdefault(key, {})
            merged[key].update(value)
        else:
            merged[key] = value
    return {k: ({kk: str(vv) for kk, vv in v.items()} if isinstance(v, Mapping) else str(v))
            for k, v in merged.items()}


def with_crs(url: str, crs: str) -> str:
    """`url` with its `crs` query parameter set (dropped for WGS-84)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "crs"]
    if crs != "wgs84":
        query.append(("crs", crs))
    return urlunsplit(parts._replace(query=urlencode(query)))


def tiles_crs(tiles: str) -> str:
    """The coordinate system the tile setting needs markers and boundaries in."""
    return "gcj02" if tiles in GCJ02_TILES else "wgs84"


def shift_geojson(geojson: Mapping, crs: str) -> dict:
    """A copy of a GeoJSON object with every coordinate in `crs` ('wgs84' returns an unchanged copy)."""
    if crs == "wgs84":
        return copy.deepcopy(dict(geojson))
    if crs != "gcj02":
        raise ValueError(f"unknown crs {crs!r}")

    def shift(coords):
        if coords and isinstance(coords[0], (int, float)):
            lon, lat = wgs84_to_gcj02(coords[0], coords[1])
            return [round(lon, 6), round(lat, 6), *coords[2:]]
        return [shift(c) for c in coords]

    def walk(obj):
        if isinstance(obj, Mapping):
            return {k: (shift(v) if k == "coordinates" else walk(v)) for k, v in obj.items()}
        if isinstance(obj, list):
            return [walk(v) for v in obj]
        return obj

    return walk(geojson)


def _base_map(tiles: str, tiles_key: str | None, location, zoom: int, **map_options) -> folium.Map:
    if tiles not in TILE_SETTINGS:
        raise ValueError(f"unknown tiles {tiles!r}; expected one of {TILE_SETTINGS}")
    m = folium.Map(location=list(location), zoom_start=zoom, tiles=None, **map_options)
    MetricScale().add_to(m)
    # With no tile layer nothing sets the map's zoom limits (Leaflet then allows any zoom, and
    # Leaflet.markercluster would throw "Map has no maxZoom specified"): set them here.
    m.options["min_zoom"] = MIN_ZOOM
    m.options["max_zoom"] = MAX_ZOOM
    for layer in tile_layers(tiles, tiles_key):
        layer.add_to(m)
    return m


def base_map(tiles: str = "none", tiles_key: str | None = None, location=HANGZHOU_CENTRE, zoom: int = 9,
             **map_options) -> folium.Map:
    """An empty map with the tile setting and zoom limits of the registry's maps (for other map modules)."""
    return _base_map(tiles, tiles_key, location, zoom, **map_options)


def tile_layers(tiles: str, key: str | None = None) -> list[folium.TileLayer]:
    """The folium tile layers of a MAP_TILES setting ([] for 'none')."""
    if tiles == "none":
        return []
    common = {"max_zoom": MAX_ZOOM, "control": False}
    if tiles == "osm":
        return [folium.TileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", max_native_zoom=19,
                                 attr='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
                                 name="OpenStreetMap", **common)]
    if tiles == "tianditu":
        if not key:
            raise ValueError("tianditu tiles need a key (MAP_TIANDITU_KEY)")
        layers = []
        for layer in ("vec", "cva"):  # the base map, then its Chinese labels
            url = (f"https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
                   f"&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
                   f"&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}")
            layers.append(folium.TileLayer(url, attr="&copy; 天地图 Tianditu", name=f"tianditu-{layer}",
                                           subdomains="01234567", max_native_zoom=18, **common))
        return layers
    if tiles == "amap":
        url = "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
        return [folium.TileLayer(url, attr="&copy; 高德地图 AMap", name="amap", subdomains="1234",
                                 max_native_zoom=18, **common)]
    raise ValueError(f"unknown tiles {tiles!r}; expected one of {TILE_SETTINGS}")


def _district_source(districts, crs: str):
    """A URL (fetched by the browser, with crs=) or an embedded GeoJSON object (shifted here)."""
    if districts is None:
        return None
    if isinstance(districts, str):
        return with_crs(districts, crs)
    return shift_geojson(districts, crs)


def _district_names(districts, lang: str) -> dict[str, str]:
    if not isinstance(districts, Mapping):
        return {}
    names = {}
    for feature in districts.get("features", []):
        props = feature.get("properties") or {}
        if props.get("code"):
            names[str(props["code"])] = str(props.get("name_en") if lang == "en" and props.get("name_en")
                                            else props.get("name", props["code"]))
    return names


def results_map(points_url: str, districts_geojson, tiles: str = "none", labels: Mapping | None = None, *,
                tiles_key: str | None = None, district_names: Mapping[str, str] | None = None,
                facility_url: str = "/facilities/", lang: str = "zh", fit_points: bool = True,
                colors: Mapping[str, str] | None = None, location=HANGZHOU_CENTRE, zoom: int = 9,
                height: str = "100%") -> folium.Map:
    """The results map: markers from `points_url` (GeoJSON, see registry.web.maps), clustered per kind.

    `districts_geojson` is a GeoJSON dict (embedded) or the URL of one (fetched by the browser; keeps
    the page small). `labels` overrides DEFAULT_LABELS (translated by the page); `district_names`
    maps district codes to the names shown in popups (taken from the GeoJSON dict when not given).
    `facility_url` + the facility_id (URL-encoded) is each popup's link.
    """
    crs = tiles_crs(tiles)
    colors = dict(colors or KIND_COLORS)
    m = _base_map(tiles, tiles_key, location, zoom, height=height)
    options = {
        "pointsUrl": with_crs(points_url, crs),
        "districts": _district_source(districts_geojson, crs),
        "districtNames": {str(k): str(v) for k, v in (district_names or
                                                       _district_names(districts_geojson, lang)).items()},
        "labels": merged_labels(labels),
        "kinds": list(colors),
        "colors": colors,
        "facilityUrl": facility_url,
        "crs": crs,
        "lang": lang,
        "fitPoints": bool(fit_points),
        "fitDistricts": districts_geojson is not None,  # first view: all 13 districts, none cut off
        "districtLabels": True,
        "districtsInteractive": False,
        "minZoom": MIN_ZOOM,
        "clusterUntilZoom": CLUSTER_UNTIL_ZOOM,
        "clusterRadius": 80,  # in 1/512 of a tile: about 40 px
    }
    RegistryPoints(options, colors).add_to(m)
    return m


def facility_map(lon: float, lat: float, district_geojson=None, tiles: str = "none", *,
                 tiles_key: str | None = None, name: str | None = None, kind: str | None = None,
                 lang: str = "zh", zoom: int = 14, height: str = "100%", highlight: str | None = None) -> folium.Map:
    """A small map of one facility (WGS-84 lon, lat) over district boundaries (dict or URL).

    With `highlight` (a district code) the districts are all of them: the first view is that district,
    outlined, with its neighbours and their names around it.
    """
    crs = tiles_crs(tiles)
    if crs == "gcj02":
        lon, lat = wgs84_to_gcj02(lon, lat)
    point = [round(float(lat), 6), round(float(lon), 6)]
    m = _base_map(tiles, tiles_key, point, zoom, height=height)
    colors = dict(KIND_COLORS)
    colors.setdefault("facility", FACILITY_COLOR)
    options = {
        "point": point,
        "name": None if name is None else str(name),
        "kind": kind if kind in colors else "facility",
        "districts": _district_source(district_geojson, crs),
        "crs": crs,
        "lang": lang,
        "districtLabels": True,
        "districtsInteractive": False,
        "highlight": None if highlight is None else str(highlight),
    }
    RegistryFacility(options, colors).add_to(m)
    return m


def render_page(m: folium.Map) -> str:
    """The whole map as a standalone HTML page."""
    return m.get_root().render()


def embed_parts(m: folium.Map) -> dict[str, str]:
    """The map's pieces for a Jinja page: put `header` in <head>, `html` where the map goes, and
    `script` at the end of <body> (all trusted HTML: `|safe`). Size the map's container with CSS."""
    root = m.get_root()
    root.render()
    return {"header": root.header.render(), "html": root.html.render(), "script": root.script.render()}


def page_links(html: str) -> list[str]:
    """Every src/href URL of a rendered page (for tests and checks)."""
    return re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)


__all__ = [
    "DEFAULT_LABELS", "KIND_COLORS", "TILE_SETTINGS", "asset_urls", "base_map", "embed_parts", "facility_map",
    "merged_labels", "page_links", "render_page", "results_map", "shift_geojson", "tile_layers", "tiles_crs",
    "use_local_assets", "with_crs",
]

use_local_assets(_prefix)
