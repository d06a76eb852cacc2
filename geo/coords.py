"""WGS-84 <-> GCJ-02 <-> BD-09 conversion.

Chinese web maps publish shifted coordinates: AMap/Tencent use GCJ-02
(WGS-84 plus a ~500 m obfuscation offset), Baidu uses BD-09 (GCJ-02 shifted
again). The registry stores WGS-84 only, so input is converted here once.

The forward GCJ-02 transform is the well-known published polynomial; it has
no closed-form inverse, so ``gcj02_to_wgs84`` iterates to 1e-10 degrees (the
common one-step inverse is off by 1-3 m). BD-09 uses x_pi = pi * 3000 / 180;
its inverse is iterated the same way (Baidu's formula is ~13 cm off).

All functions take ``(lon, lat)`` and accept floats or numpy arrays; floats
in give floats out. Outside mainland China's bounding box GCJ-02 is the
identity (the usual ``out_of_china`` convention); BD-09's extra shift is
applied everywhere, as Baidu does.
"""

from __future__ import annotations

import math

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0

CRS_NAMES = ("wgs84", "gcj02", "bd09")


def _result(lon, lat, scalar: bool):
    if scalar:
        return float(lon), float(lat)
    return lon, lat


def _arrays(lon, lat):
    import numpy as np

    scalar = np.ndim(lon) == 0 and np.ndim(lat) == 0
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float), scalar


def out_of_china(lon, lat):
    """True where GCJ-02 leaves coordinates untouched (rough mainland box)."""
    lon, lat, scalar = _arrays(lon, lat)
    out = (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)
    return bool(out) if scalar else out


def _offset(lon, lat):
    """GCJ-02 minus WGS-84 (degrees) at a WGS-84 point, zero outside China."""
    import numpy as np

    x = lon - 105.0
    y = lat - 35.0
    sx = np.sqrt(np.abs(x))
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sx + common
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sx + common
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0

    rad = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad) * np.pi)

    outside = (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)
    return np.where(outside, 0.0, dlon), np.where(outside, 0.0, dlat)


def wgs84_to_gcj02(lon, lat):
    lon, lat, scalar = _arrays(lon, lat)
    dlon, dlat = _offset(lon, lat)
    return _result(lon + dlon, lat + dlat, scalar)


def gcj02_to_wgs84(lon, lat, tol: float = 1e-10, max_iter: int = 20):
    """Invert GCJ-02 by fixed-point iteration: w <- w + (g - f(w)).

    The offset changes by well under 1 % per degree, so each step gains
    about two orders of magnitude; 3-5 steps reach 1e-10 deg (~0.01 mm).
    """
    glon, glat, scalar = _arrays(lon, lat)
    dlon, dlat = _offset(glon, glat)
    guess = (glon - dlon, glat - dlat)  # the usual one-step inverse
    return _result(*_invert(wgs84_to_gcj02, (glon, glat), guess, tol, max_iter), scalar)


def _invert(forward, target, guess, tol: float, max_iter: int):
    """Solve forward(x) = target by fixed-point iteration x <- x + (target - forward(x))."""
    import numpy as np

    (tlon, tlat), (xlon, xlat) = target, guess
    for _ in range(max_iter):
        flon, flat = forward(xlon, xlat)
        elon, elat = tlon - flon, tlat - flat
        xlon, xlat = xlon + elon, xlat + elat
        if np.all(np.abs(elon) < tol) and np.all(np.abs(elat) < tol):
            break
    return xlon, xlat


def gcj02_to_bd09(lon, lat):
    import numpy as np

    lon, lat, scalar = _arrays(lon, lat)
    z = np.hypot(lon, lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return _result(z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006, scalar)


def bd09_to_gcj02(lon, lat, tol: float = 1e-10, max_iter: int = 20):
    """Invert ``gcj02_to_bd09``.

    Baidu's published inverse formula is only approximate (up to ~13 cm off
    over Hangzhou), so it is used as the first guess and refined by the same
    fixed-point iteration as ``gcj02_to_wgs84``.
    """
    import numpy as np

    blon, blat, scalar = _arrays(lon, lat)
    x = blon - 0.0065
    y = blat - 0.006
    z = np.hypot(x, y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    guess = (z * np.cos(theta), z * np.sin(theta))
    return _result(*_invert(gcj02_to_bd09, (blon, blat), guess, tol, max_iter), scalar)


def wgs84_to_bd09(lon, lat):
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon, lat):
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def to_wgs84(lon, lat, crs: str = "wgs84"):
    """Convert a point given in ``crs`` ('wgs84', 'gcj02' or 'bd09') to WGS-84.

    CGCS2000 (天地图) differs from WGS-84 by centimetres and is passed as 'wgs84'.
    """
    key = (crs or "wgs84").strip().lower().replace("-", "").replace("_", "")
    if key == "wgs84":
        lon, lat, scalar = _arrays(lon, lat)
        return _result(lon, lat, scalar)
    if key == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if key == "bd09":
        return bd09_to_wgs84(lon, lat)
    raise ValueError(f"unknown crs {crs!r}; expected one of {CRS_NAMES}")
