"""Links that open a location in 高德 (AMap) or 百度 (Baidu) maps for navigation (pure; no Flask here).

Both apps read their own coordinate systems: AMap GCJ-02, Baidu BD-09 (geo.coords converts from the
registry's WGS-84). The links are the public web URL schemes (uri.amap.com/marker, api.map.baidu.com/marker):
on a phone they offer to open the installed app, elsewhere they show the place in the browser.
Nothing is fetched from either service by the registry.
"""
from __future__ import annotations

from urllib.parse import urlencode

from geo.coords import wgs84_to_bd09, wgs84_to_gcj02

AMAP_MARKER = "https://uri.amap.com/marker"
BAIDU_MARKER = "https://api.map.baidu.com/marker"
SOURCE = "webapp.hangzhou.qi-registry"  # Baidu asks every caller to name itself in `src`


def amap_marker_url(lon: float, lat: float, name: str = "") -> str:
    """高德: position=lon,lat in GCJ-02."""
    x, y = wgs84_to_gcj02(float(lon), float(lat))
    return AMAP_MARKER + "?" + urlencode({"position": f"{x:.6f},{y:.6f}", "name": name or "",
                                          "coordinate": "gaode", "callnative": "1", "src": SOURCE})


def baidu_marker_url(lon: float, lat: float, name: str = "", address: str = "") -> str:
    """百度: location=lat,lon in BD-09 (coord_type=bd09ll)."""
    x, y = wgs84_to_bd09(float(lon), float(lat))
    return BAIDU_MARKER + "?" + urlencode({"location": f"{y:.6f},{x:.6f}", "title": name or "",
                                           "content": address or name or "", "coord_type": "bd09ll",
                                           "output": "html", "src": SOURCE})


def navigation_links(lon: float | None, lat: float | None, name: str = "", address: str = "") -> dict[str, str]:
    """{'amap': url, 'baidu': url} for a WGS-84 location; {} without one."""
    if lon is None or lat is None:
        return {}
    return {"amap": amap_marker_url(lon, lat, name), "baidu": baidu_marker_url(lon, lat, name, address)}
