"""geo.coords against published reference pairs and round trips."""

import numpy as np
import pytest

from geo.coords import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    out_of_china,
    to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from geo.distance import distance_m

# A grid over Hangzhou's extent (118.34-120.72 E, 29.19-30.57 N), plus a margin.
_LON, _LAT = (a.ravel() for a in np.meshgrid(np.linspace(118.3, 120.8, 40), np.linspace(29.1, 30.7, 40)))


def test_shanghai_published_pair():
    # Widely published WGS-84 -> GCJ-02 test pair (Shanghai).
    lon, lat = wgs84_to_gcj02(121.5272106, 31.1774276)
    assert lon == pytest.approx(121.531541859215, abs=1e-6)
    assert lat == pytest.approx(31.17530398364597, abs=1e-6)


def test_hangzhou_offset_from_geo_notes():
    lon, lat = wgs84_to_gcj02(120.1551, 30.2741)
    assert lon - 120.1551 == pytest.approx(0.0046945, abs=1e-6)
    assert lat - 30.2741 == pytest.approx(-0.0023288, abs=1e-6)
    assert distance_m(120.1551, 30.2741, lon, lat) == pytest.approx(520, abs=10)


def test_gcj02_round_trip_under_1cm():
    g_lon, g_lat = wgs84_to_gcj02(_LON, _LAT)
    w_lon, w_lat = gcj02_to_wgs84(g_lon, g_lat)
    assert distance_m(_LON, _LAT, w_lon, w_lat).max() < 0.01


def test_bd09_round_trip_under_1cm():
    b_lon, b_lat = wgs84_to_bd09(_LON, _LAT)
    w_lon, w_lat = bd09_to_wgs84(b_lon, b_lat)
    assert distance_m(_LON, _LAT, w_lon, w_lat).max() < 0.01
    g_lon, g_lat = wgs84_to_gcj02(_LON, _LAT)
    back = bd09_to_gcj02(*gcj02_to_bd09(g_lon, g_lat))
    assert distance_m(g_lon, g_lat, *back).max() < 0.01


def test_bd09_independent_reference_pair():
    # Alibaba Cloud address-purification API docs, TransferCoord example
    # (help.aliyun.com/zh/address-purification/addrpapi/developer-reference/
    # coordinate-system-conversion): GCJ02 120.026268,30.279164 ->
    # BD09 120.032768,30.285238 (6 decimals). A wrong x_pi shifts this by
    # 10-40 m, i.e. 1e-4 degrees or more.
    lon, lat = gcj02_to_bd09(120.026268, 30.279164)
    assert lon == pytest.approx(120.032768, abs=1e-6)
    assert lat == pytest.approx(30.285238, abs=1e-6)
    lon, lat = bd09_to_gcj02(120.032768, 30.285238)
    assert lon == pytest.approx(120.026268, abs=1e-6)
    assert lat == pytest.approx(30.279164, abs=1e-6)


def test_iterative_inverse_beats_one_step():
    # The same Aliyun example gives WGS84 120.021519,30.281543, which is the
    # one-step inverse; ours re-encodes to the input exactly and differs by ~1.6 m.
    lon, lat = gcj02_to_wgs84(120.026268, 30.279164)
    again = wgs84_to_gcj02(lon, lat)
    assert again == pytest.approx((120.026268, 30.279164), abs=1e-9)
    assert 0.5 < distance_m(lon, lat, 120.021519, 30.281543) < 3.0


@pytest.mark.parametrize("lon, lat", [(-0.1276, 51.5072), (139.6917, 35.6895), (151.2093, -33.8688)])
def test_identity_outside_china(lon, lat):
    assert out_of_china(lon, lat)
    assert wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert gcj02_to_wgs84(lon, lat) == (lon, lat)
    assert to_wgs84(lon, lat, "gcj02") == (lon, lat)


def test_to_wgs84_dispatch_and_types():
    lon, lat = 120.1551, 30.2741
    assert to_wgs84(lon, lat) == (lon, lat)
    assert to_wgs84(lon, lat, "WGS84") == (lon, lat)
    g = wgs84_to_gcj02(lon, lat)
    assert to_wgs84(*g, "gcj02") == pytest.approx((lon, lat), abs=1e-9)
    assert to_wgs84(*wgs84_to_bd09(lon, lat), "bd09") == pytest.approx((lon, lat), abs=1e-9)
    assert all(isinstance(v, float) for v in g)
    arr = to_wgs84(np.array([lon]), np.array([lat]), "gcj02")
    assert isinstance(arr[0], np.ndarray)
    with pytest.raises(ValueError):
        to_wgs84(lon, lat, "epsg:3857")
