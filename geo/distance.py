"""Geodesic distance on the WGS-84 ellipsoid.

Used for "how far apart are these two points" (round-trip checks, nearest
facility); pyproj's Karney solver is exact to nanometres, so no projection
choice is involved. Accepts floats or numpy arrays (broadcast together).
"""

from __future__ import annotations

from functools import cache


@cache
def _geod():
    """The WGS-84 ellipsoid's solver; pyproj (and numpy) load on the first distance, not at start."""
    from pyproj import Geod

    return Geod(ellps="WGS84")


def distance_m(lon1, lat1, lon2, lat2):
    """Geodesic distance in metres between (lon1, lat1) and (lon2, lat2)."""
    import numpy as np

    arrays = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (lon1, lat1, lon2, lat2)))
    _, _, dist = _geod().inv(*arrays)
    dist = np.asarray(dist, dtype=float)
    return float(dist) if dist.ndim == 0 else dist
