"""Choropleth and grid maps of the audit dashboard (folium, offline; no Flask here).

Both maps draw from data embedded as JSON (`tojson` makes it safe inside <script>) with a small
script of their own: districts or 1 km cells filled by class (geo/classify.py), a legend built from
DOM nodes, and, on request, facility markers. Every text a user or importer typed (district and
facility names, labels) reaches the page through `textContent`, never as HTML. The maps load only
Leaflet from the app (geo/maps.use_local_assets); `inline_assets` turns a rendered page into a
standalone file that needs no server at all (for the "download map" exports).
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import folium
from branca.element import MacroElement
from folium.template import Template
from markupsafe import escape

from geo.classify import NO_DATA_COLOR, Classification
from geo.coords import wgs84_to_gcj02
from geo.maps import KIND_COLORS, base_map, render_page, shift_geojson, tiles_crs

GRID_LAYER_JS = """
(function (map, o) {
  function text(tag, value, css) { var el = document.createElement(tag); el.textContent = value;
    if (css) { el.style.cssText = css; } return el; }
  var legend = L.control({position: 'bottomright'});
  legend.onAdd = function () {
    var box = L.DomUtil.create('div', 'audit-legend');
    box.style.cssText = 'background:#fff;padding:6px 8px;font:12px/1.4 sans-serif;border:1px solid #999;';
    box.appendChild(text('strong', o.title)); if (o.subtitle) { box.appendChild(text('div', o.subtitle)); }
    o.legend.forEach(function (row) {
      var line = document.createElement('div'); line.className = 'audit-legend-row';
      line.appendChild(text('span', '\\u00a0', 'display:inline-block;width:14px;height:10px;margin-right:6px;' +
                                                'border:1px solid #777;background:' + row.color));
      line.appendChild(document.createTextNode(row.label)); box.appendChild(line);
    });
    return box;
  };
  legend.addTo(map);
  var bounds = null;
  if (o.districts) {
    var areas = L.geoJSON(o.districts, {
      style: function (f) { var c = f.properties.code;
        return {color: '#4d4d4d', weight: 1, fillOpacity: o.cells ? 0 : 0.8,
                fillColor: (o.fill && o.fill[c]) || o.noData}; },
      onEachFeature: function (f, layer) { var c = f.properties.code, box = document.createElement('div');
        box.appendChild(text('strong', o.names[c] || c));
        if (o.values) { box.appendChild(document.createElement('br'));
          box.appendChild(document.createTextNode(c in o.values ? o.values[c] : o.noDataLabel)); }
        layer.bindTooltip(box, {sticky: true}); }
    }).addTo(map);
    bounds = areas.getBounds();
    var labels = L.layerGroup();  // every district's name at its centre, in the page's language
    areas.eachLayer(function (shape) {
      var c = shape.feature.properties.code, name = o.names[c] || shape.feature.properties.name || c;
      var label = text('span', name);
      L.marker(shape.getCenter(), {interactive: false, keyboard: false,
        icon: L.divIcon({className: 'audit-district-label', html: label, iconSize: null})}).addTo(labels);
    });
    labels.addTo(map);
  }
  if (o.cells) {
    var renderer = L.canvas({padding: 0.2}), g = L.layerGroup();
    for (var i = 0; i < o.cells.lon.length; i++) {
      var x = o.cells.lon[i], y = o.cells.lat[i], fill = o.colors[o.cells.cls[i]] || o.noData;
      if (o.cells.radius) {  // demand points: a dot of a fixed size in pixels
        L.circleMarker([y, x], {renderer: renderer, radius: o.cells.radius, weight: 1, color: '#333',
                                fillOpacity: 0.9, fillColor: fill, interactive: false}).addTo(g);
      } else {
        L.rectangle([[y - o.cells.dlat, x - o.cells.dlon], [y + o.cells.dlat, x + o.cells.dlon]],
                    {renderer: renderer, stroke: false, fillOpacity: 0.75, interactive: false,
                     fillColor: fill}).addTo(g);
      }
    }
    g.addTo(map); if (!o.cells.radius) { g.eachLayer(function (l) { l.bringToBack(); }); }
  }
  if (o.markers) {
    var m = L.layerGroup();
    o.markers.forEach(function (p) {
      L.circleMarker([p.lat, p.lon], {radius: 4, weight: 1, color: '#222', fillOpacity: 0.9,
                                      fillColor: o.kindColors[p.kind] || '#7a4fc2'})
        .bindTooltip(text('span', p.name)).addTo(m);
    });
    m.addTo(map);
  }
  function fit() { if (bounds) { map.fitBounds(bounds, {animate: false, padding: [8, 8]}); } }
  fit();
  map.on('resize', fit);  // printed or resized: all districts stay in view
  window.auditMap = {legend: o.legend.map(function (r) { return r.label; }), cells: o.cells ? o.cells.lon.length : 0,
                     markers: o.markers ? o.markers.length : 0};
})({{ this._parent.get_name() }}, {{ this.options|tojson }});
"""


# District names centred on their districts; no focus rectangle around a clicked district (Chromium outlines
# a focused SVG path); no zoom buttons or credit when printed.
AUDIT_MAP_CSS = (
    ".audit-district-label span{position:absolute;transform:translate(-50%,-50%);white-space:nowrap;"
    "font:600 12px/1.2 'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif;color:#1f2933;"
    "text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 2px #fff;pointer-events:none}"
    ".leaflet-container .leaflet-interactive:focus{outline:none}"
    "@media print{.leaflet-control-zoom,.leaflet-control-attribution{display:none!important}"
    ".audit-district-label span{text-shadow:none}}"  # a shadow prints as three more copies of the text
)


class AuditLayer(MacroElement):
    """The districts (filled or outlined), the 1 km cells, the markers and the legend of one map."""

    _template = Template("{% macro header(this, kwargs) %}<style>" + AUDIT_MAP_CSS + "</style>{% endmacro %}"
                         "{% macro script(this, kwargs) %}" + GRID_LAYER_JS + "{% endmacro %}")

    def __init__(self, options: dict):
        super().__init__()
        self._name = "AuditLayer"
        self.options = options


def legend_rows(classification: Classification, fmt) -> list[dict]:
    """One legend row per class, "lower – upper" formatted with `fmt`, and its count."""
    return [{"color": color, "label": f"{fmt(lo)} – {fmt(hi)} ({n})"}
            for lo, hi, n, color in zip(classification.lower, classification.upper, classification.counts,
                                        classification.colors)]


def choropleth_map(districts_geojson: Mapping, values: Mapping[str, float | None], classification: Classification,
                   codes: Sequence[str], *, title: str, names: Mapping[str, str], fmt=str,
                   no_data_label: str = "no data", markers: Sequence[Mapping] | None = None,
                   tiles: str = "none", tiles_key: str | None = None, height: str = "100%",
                   subtitle: str | None = None) -> folium.Map:
    """Districts filled by the class of their value (`classification` classed `values[c] for c in codes`);
    `subtitle` under the legend's title (what the figure is of: its years)."""
    m = base_map(tiles, tiles_key, height=height, zoom_snap=0.25)
    districts_geojson, _, _, markers = in_tile_crs(tiles, districts_geojson, None, None, markers)
    fill = {code: classification.color_of(index) for code, index in zip(codes, classification.classes)}
    legend = legend_rows(classification, fmt)
    if any(index is None for index in classification.classes):
        legend.append({"color": NO_DATA_COLOR, "label": no_data_label})
    AuditLayer({
        "districts": districts_geojson, "fill": fill, "names": {str(k): str(v) for k, v in names.items()},
        "values": {code: fmt(v) for code, v in values.items() if v is not None},
        "noData": NO_DATA_COLOR, "noDataLabel": no_data_label, "title": title, "subtitle": subtitle,
        "legend": legend, "markers": _markers(markers), "kindColors": KIND_COLORS,
    }).add_to(m)
    return m


def grid_map(districts_geojson: Mapping | None, lon, lat, classification: Classification,
             cell_deg: tuple[float, float] | None, *, title: str, subtitle: str | None = None,
             names: Mapping[str, str] | None = None, fmt=str,
             markers: Sequence[Mapping] | None = None, tiles: str = "none", tiles_key: str | None = None,
             height: str = "100%") -> folium.Map:
    """Square cells centred on (lon, lat) of size `cell_deg` (dlon, dlat in degrees), filled by class;
    with `cell_deg` None, dots of a fixed size (points such as imported enterprises)."""
    m = base_map(tiles, tiles_key, height=height, prefer_canvas=True, zoom_snap=0.25)
    districts_geojson, lon, lat, markers = in_tile_crs(tiles, districts_geojson, lon, lat, markers)
    cls = [-1 if c is None else c for c in classification.classes]
    AuditLayer({
        "districts": districts_geojson, "fill": {}, "names": {str(k): str(v) for k, v in (names or {}).items()},
        "values": None, "noData": NO_DATA_COLOR, "noDataLabel": "", "title": title, "subtitle": subtitle,
        "legend": legend_rows(classification, fmt), "colors": list(classification.colors),
        "cells": {"lon": [round(float(x), 5) for x in lon], "lat": [round(float(y), 5) for y in lat], "cls": cls,
                  "dlon": round(cell_deg[0] / 2, 6) if cell_deg else 0,
                  "dlat": round(cell_deg[1] / 2, 6) if cell_deg else 0, "radius": 0 if cell_deg else POINT_RADIUS_PX},
        "markers": _markers(markers), "kindColors": KIND_COLORS,
    }).add_to(m)
    return m


def in_tile_crs(tiles: str, districts: Mapping | None, lon, lat, markers: Sequence[Mapping] | None):
    """Boundaries, cells and markers in the coordinates of the tiles: GCJ-02 under AMap, as geo/maps.py's
    maps do, so that they sit on the right streets; unchanged otherwise."""
    crs = tiles_crs(tiles)
    if crs == "wgs84":
        return districts, lon, lat, markers
    if districts is not None:
        districts = shift_geojson(districts, crs)
    if lon is not None:
        lon, lat = wgs84_to_gcj02(lon, lat)
    if markers:
        located = [p for p in markers if p.get("lon") is not None and p.get("lat") is not None]
        shifted = zip(*wgs84_to_gcj02([p["lon"] for p in located], [p["lat"] for p in located])) if located else []
        markers = [{**p, "lon": float(x), "lat": float(y)} for p, (x, y) in zip(located, shifted)]
    return districts, lon, lat, markers


def _markers(markers: Sequence[Mapping] | None) -> list[dict] | None:
    if markers is None:
        return None
    return [{"lon": round(float(p["lon"]), 6), "lat": round(float(p["lat"]), 6), "kind": str(p.get("kind") or ""),
             "name": str(p.get("name") or "")}
            for p in markers if p.get("lon") is not None and p.get("lat") is not None]


POINT_RADIUS_PX = 5
_LINKS = re.compile(r'<script src="([^"]+)"></script>|<link rel="stylesheet" href="([^"]+)"/?>')


def inline_assets(html: str, static_dir: Path, prefix: str = "/static") -> str:
    """A rendered map page with every script and stylesheet under `prefix` copied into it: a standalone file."""
    root = Path(static_dir).resolve()

    def replace(match: re.Match) -> str:
        url = match.group(1) or match.group(2)
        if not url.startswith(prefix.rstrip("/") + "/"):
            return match.group(0)
        path = (root / url[len(prefix.rstrip("/")) + 1:]).resolve()
        if root not in path.parents or not path.is_file():
            return match.group(0)
        body = path.read_text(encoding="utf-8")
        if match.group(1):
            return "<script>" + body.replace("</", "<\\/") + "</script>"
        return f"<style>{body}</style>"

    return _LINKS.sub(replace, html)


def standalone_page(m: folium.Map, static_dir: Path, title: str = "") -> str:
    html = inline_assets(render_page(m), static_dir)
    if title:
        html = html.replace("<head>", f"<head>\n    <title>{escape(title)}</title>", 1)
    return html
