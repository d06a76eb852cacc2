"""Spatial accessibility: the enhanced two-step floating catchment area (E2SFCA, Luo & Qi 2009).

Step 1, at each supply point j: R_j = S_j / sum_i P_i W(d_ij), the supply per person of the demand
that can reach it. Step 2, at each demand point i: A_i = sum_j R_j W(d_ij), the supply per person a
place can reach. W is a distance decay that is 0 beyond the catchment. Distances are straight lines
in EPSG:4549 (CGCS2000 Gauss-Krueger, CM 120E; scale error < 0.04 % over Hangzhou), computed in
vectorised numpy blocks (17,000 cells x 1,500 facilities is 25 million distances).

Demand is a 1 km grid of each district with the district's population shared evenly among its
cells (`population_grid`; residents counted apart, such as a scenic area's, on its land: `add_to_area`),
or a demand layer put onto the same grid: weighted points (`points_to_cells`) or township polygons
with counts spread over the cells they cover (`polygons_to_cells`). The catchment may differ per
demand point (a catchment per district class: city centre vs mountains).
"""
from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # geopandas, pyproj, scipy and numpy take time to import: loaded when first used
    import geopandas as gpd
    import numpy as np

METRIC_CRS = "EPSG:4549"
DECAYS = ("gaussian", "step", "linear")
BLOCK = 1024  # demand rows per block: 1,024 x 1,500 float64 weights is 12 MB


@functools.cache
def _transformer(source: str, target: str):
    from pyproj import Transformer

    return Transformer.from_crs(source, target, always_xy=True)


def __getattr__(name: str):
    """_TO_METRIC and _TO_WGS84, the transformers, built on first use (pyproj is slow to load)."""
    if name == "_TO_METRIC":
        return _transformer("EPSG:4326", METRIC_CRS)
    if name == "_TO_WGS84":
        return _transformer(METRIC_CRS, "EPSG:4326")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def to_metric(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    x, y = _transformer("EPSG:4326", METRIC_CRS).transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x, float), np.asarray(y, float)


def decay(name: str, catchment_m: float):
    """W(d) for distances d in metres: 1 at 0, 0 beyond the catchment.

    gaussian: Dai's (2010) Gaussian, (exp(-d²/2d0²) - exp(-1/2)) / (1 - exp(-1/2)), which falls
    smoothly to 0 at the catchment d0; step: 1 inside (the classic 2SFCA); linear: 1 - d/d0.
    """
    import numpy as np

    if catchment_m <= 0:
        raise ValueError("the catchment must be positive")
    if name == "gaussian":
        edge = np.exp(-0.5)
        return lambda d: np.where(d <= catchment_m, (np.exp(-0.5 * (d / catchment_m) ** 2) - edge) / (1 - edge), 0.0)
    if name == "step":
        return lambda d: np.where(d <= catchment_m, 1.0, 0.0)
    if name == "linear":
        return lambda d: np.where(d <= catchment_m, 1.0 - d / catchment_m, 0.0)
    raise ValueError(f"unknown decay {name!r}; expected one of {DECAYS}")


def _near_blocks(dx, dy, sx, sy, catchment_m: np.ndarray):
    """(demand rows, supply points within the catchment of the rows' bounding box) per block: every W
    outside is 0, so skipping them changes nothing. Grids come sorted by row, so a block is a strip."""
    import numpy as np

    for start in range(0, dx.size, BLOCK):
        rows = slice(start, min(start + BLOCK, dx.size))
        x, y, reach = dx[rows], dy[rows], catchment_m[rows].max()
        near = np.flatnonzero((sx >= x.min() - reach) & (sx <= x.max() + reach)
                              & (sy >= y.min() - reach) & (sy <= y.max() + reach))
        yield rows, near


def _weights(dx: np.ndarray, dy: np.ndarray, sx: np.ndarray, sy: np.ndarray, decay_name: str,
             catchment_m) -> np.ndarray:
    """W(d) for every demand x supply pair of a block, from squared distances, in place (no sqrt for
    the Gaussian and the step: the two largest costs of 25 million pairs are memory and exp).
    `catchment_m` is one number or a column (one catchment per demand row)."""
    import numpy as np

    w = np.subtract.outer(dx, sx)
    w *= w
    dy2 = np.subtract.outer(dy, sy)
    dy2 *= dy2
    w += dy2
    del dy2
    c2 = catchment_m * catchment_m
    if decay_name == "step":
        return (w <= c2).astype(float)
    if decay_name == "linear":
        np.sqrt(w, out=w)
        w *= -1.0 / catchment_m
        w += 1.0
    else:  # gaussian: (exp(-d²/2d0²) - e^-1/2) / (1 - e^-1/2), negative beyond d0
        edge = np.exp(-0.5)
        w *= -0.5 / c2
        np.exp(w, out=w)
        w -= edge
        w /= 1 - edge
    np.maximum(w, 0.0, out=w)
    return w


def e2sfca(demand_xy, demand_weight, supply_xy, supply_weight, catchment_m=30_000,
           decay_name: str = "gaussian") -> tuple[np.ndarray, np.ndarray]:
    """(A, R): accessibility at each demand point and the supply-to-demand ratio of each supply point.

    `*_xy` are (x, y) arrays in metres (a projected CRS). `catchment_m` is one catchment or one per
    demand point (W(d_ij) then uses demand point i's catchment in both steps). A supply point that no
    demand reaches has R = 0 (nobody can use it); a demand point that reaches no supply has A = 0.
    """
    import numpy as np

    dx, dy = (np.asarray(a, float) for a in demand_xy)
    sx, sy = (np.asarray(a, float) for a in supply_xy)
    p = np.asarray(demand_weight, float)
    s = np.asarray(supply_weight, float)
    reach = np.broadcast_to(np.asarray(catchment_m, float), dx.shape)
    uniform = np.ndim(catchment_m) == 0
    decay(decay_name, float(reach.min()) if reach.size else float(catchment_m))  # checks name and catchment
    if sx.size == 0 or dx.size == 0:
        return np.zeros(dx.size), np.zeros(sx.size)
    blocks = list(_near_blocks(dx, dy, sx, sy, reach))

    def block_weights(rows, near):
        c = float(catchment_m) if uniform else reach[rows][:, None]
        return _weights(dx[rows], dy[rows], sx[near], sy[near], decay_name, c)

    reached = np.zeros(sx.size)
    for rows, near in blocks:
        if near.size:
            reached[near] += p[rows] @ block_weights(rows, near)
    ratio = np.divide(s, reached, out=np.zeros_like(s), where=reached > 0)
    access = np.zeros(dx.size)
    for rows, near in blocks:
        if near.size:
            access[rows] = block_weights(rows, near) @ ratio[near]
    return access, ratio


@dataclass
class Grid:
    """Cell centres in the metric CRS and WGS-84, their district and population."""

    x: np.ndarray
    y: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    district: np.ndarray  # codes (object)
    weight: np.ndarray  # residents
    cell_m: float

    def __len__(self) -> int:
        return self.x.size

    def cell_degrees(self) -> tuple[float, float]:
        """The cell size in degrees of longitude and latitude at the grid's mean latitude (for drawing)."""
        import numpy as np

        lat = float(np.mean(self.lat)) if len(self) else 30.0
        return self.cell_m / (111_320 * np.cos(np.radians(lat))), self.cell_m / 110_574


def population_grid(districts: gpd.GeoDataFrame, population: Mapping[str, float], cell_m: float = 1000) -> Grid:
    """A `cell_m` grid over the districts (WGS-84 GeoDataFrame with `code`); each cell belongs to the
    district covering its centre and holds an equal share of that district's population. A district too
    small to hold a cell centre gets one cell at its representative point."""
    import numpy as np

    if districts.crs is None or districts.crs.to_epsg() != 4326:
        raise ValueError("district boundaries must be in EPSG:4326")
    import geopandas as gpd
    metric = districts.to_crs(METRIC_CRS)
    minx, miny, maxx, maxy = metric.total_bounds
    xs = np.arange(np.floor(minx / cell_m) * cell_m + cell_m / 2, maxx, cell_m)
    ys = np.arange(np.floor(miny / cell_m) * cell_m + cell_m / 2, maxy, cell_m)
    gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(gx, gy), crs=METRIC_CRS)
    points.index.name = "cell"
    hits = gpd.sjoin(metric[["code", "geometry"]], points, how="inner", predicate="covers")
    hits = hits.sort_values(["cell", "code"]).drop_duplicates("cell")
    cells = hits["cell"].to_numpy()
    x, y, codes = gx[cells], gy[cells], hits["code"].to_numpy().astype(object)
    missing = [c for c in metric["code"] if c not in set(codes)]
    for code in missing:
        point = metric.loc[metric["code"] == code, "geometry"].iloc[0].representative_point()
        x, y, codes = np.append(x, point.x), np.append(y, point.y), np.append(codes, code)
    order = np.lexsort((x, y))
    x, y, codes = x[order], y[order], codes[order]
    unique, counts = np.unique(codes, return_counts=True)
    per_cell = {c: float(population.get(c) or 0) / n for c, n in zip(unique, counts)}
    weight = np.array([per_cell[c] for c in codes], float)
    lon, lat = _transformer(METRIC_CRS, "EPSG:4326").transform(x, y)
    return Grid(x, y, np.asarray(lon), np.asarray(lat), codes, weight, float(cell_m))


def weighted_means(values: np.ndarray, weights: np.ndarray, groups: np.ndarray) -> dict:
    """group -> the weight-weighted mean of `values` (None where the weights sum to 0)."""
    import numpy as np

    out = {}
    for group in np.unique(groups):
        members = groups == group
        total = weights[members].sum()
        out[group] = float((values[members] * weights[members]).sum() / total) if total > 0 else None
    return out


def add_to_area(grid: Grid, box: tuple[float, float, float, float], district: str, amount: float) -> Grid:
    """The grid with `amount` more demand spread evenly over the cells of `district` whose centres lie in
    the WGS-84 `box` (lon min, lat min, lon max, lat max): residents counted apart from any district
    but living on a known piece of one (a scenic area). Unchanged when no cell lies there."""
    lon0, lat0, lon1, lat1 = box
    cells = ((grid.district == district) & (grid.lon >= lon0) & (grid.lon <= lon1)
             & (grid.lat >= lat0) & (grid.lat <= lat1))
    if not cells.any():
        return grid
    weight = grid.weight.copy()
    weight[cells] += amount / cells.sum()
    return replace(grid, weight=weight)


def nearest_cells(grid: Grid, x, y, max_m: float | None = None) -> np.ndarray:
    """The row of the grid cell each metric point falls in (its nearest cell centre), -1 where that
    centre is farther than `max_m` (default 1.5 cells: a point off the city's land)."""
    import numpy as np

    x, y = np.asarray(x, float), np.asarray(y, float)
    if x.size == 0 or len(grid) == 0:
        return np.full(x.size, -1)
    limit = 1.5 * grid.cell_m if max_m is None else max_m
    from scipy.spatial import cKDTree

    distance, index = cKDTree(np.column_stack([grid.x, grid.y])).query(
        np.column_stack([x, y]), distance_upper_bound=limit)
    return np.where(np.isfinite(distance), index, -1)


def points_to_cells(grid: Grid, lon, lat, weight) -> tuple[np.ndarray, float]:
    """(the weight on each cell, the weight of points off the city) for WGS-84 points."""
    import numpy as np

    x, y = to_metric(lon, lat)
    rows = nearest_cells(grid, x, y)
    w = np.asarray(weight, float)
    inside = rows >= 0
    return np.bincount(rows[inside], weights=w[inside], minlength=len(grid)), float(w[~inside].sum())


def polygons_to_cells(grid: Grid, polygons: gpd.GeoDataFrame, counts) -> tuple[np.ndarray, float]:
    """(the weight on each cell, the count of polygons that reach no cell) for township polygons
    (WGS-84) with counts: each count is spread evenly over the cells whose centres its polygon covers
    (its land in the grid, not its bounding box); a polygon too small to cover a centre puts its count
    on the cell its representative point falls in."""
    import numpy as np

    if polygons.crs is None or polygons.crs.to_epsg() != 4326:
        raise ValueError("township polygons must be in EPSG:4326")
    import geopandas as gpd
    counts = np.asarray(counts, float)
    metric = polygons.reset_index(drop=True).to_crs(METRIC_CRS)
    metric["row"] = np.arange(len(metric))
    cells = gpd.GeoDataFrame({"cell": np.arange(len(grid))}, geometry=gpd.points_from_xy(grid.x, grid.y),
                             crs=METRIC_CRS)
    hits = gpd.sjoin(metric[["row", "geometry"]], cells, how="inner", predicate="covers")
    hits = hits.drop_duplicates("cell")  # a cell on a shared edge goes to one township
    out = np.zeros(len(grid))
    per_polygon = np.bincount(hits["row"].to_numpy(), minlength=len(metric))
    share = np.divide(counts, per_polygon, out=np.zeros_like(counts), where=per_polygon > 0)
    np.add.at(out, hits["cell"].to_numpy(), share[hits["row"].to_numpy()])
    lost = 0.0
    for row in np.flatnonzero(per_polygon == 0):
        point = metric.geometry.iloc[row].representative_point()
        cell = nearest_cells(grid, [point.x], [point.y])[0]
        if cell >= 0:
            out[cell] += counts[row]
        else:
            lost += counts[row]
    return out, lost


def catchments(grid: Grid, default_m: float, by_district: Mapping[str, float]) -> np.ndarray | float:
    """One catchment per cell: the district's where given (e.g. a wider one for the mountain counties),
    else the default; the default alone when no district has its own."""
    import numpy as np

    if not by_district:
        return default_m
    return np.array([by_district.get(code, default_m) for code in grid.district], float)
