"""E2SFCA with a catchment per demand point, against PySAL `access`; demand put onto the grid (points,
township polygons, the West Lake Scenic Area)."""
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from access import Access
from shapely.geometry import box

from geo.access import (
    _TO_WGS84,
    Grid,
    add_to_area,
    catchments,
    decay,
    e2sfca,
    points_to_cells,
    polygons_to_cells,
)

DX, DY = np.array([0, 1000, 5000, 12000.0]), np.array([0, 0, 3000, 0.0])
POP = np.array([100, 200, 50, 80.0])
SX, SY, CAP = np.array([500, 9000.0]), np.array([0, 0.0]), np.array([3, 5.0])


def pysal_e2sfca(decay_name: str, catchment_m: float) -> np.ndarray:
    demand = pd.DataFrame({"id": range(DX.size), "pop": POP}).set_index("id")
    supply = pd.DataFrame({"sid": range(SX.size), "cap": CAP}).set_index("sid")
    cost = pd.DataFrame([(i, j, float(np.hypot(DX[i] - SX[j], DY[i] - SY[j])))
                         for i in range(DX.size) for j in range(SX.size)], columns=["origin", "dest", "d"])
    weight = decay(decay_name, catchment_m)
    model = Access(demand_df=demand, demand_value="pop", supply_df=supply, supply_value="cap", cost_df=cost,
                   cost_origin="origin", cost_dest="dest", cost_name="d")
    return model.enhanced_two_stage_fca(name="e2sfca", cost="d", max_cost=catchment_m,
                                        weight_fn=lambda d: weight(np.asarray(d))).iloc[:, 0].to_numpy()


@pytest.mark.parametrize("decay_name", ["gaussian", "step", "linear"])
@pytest.mark.parametrize("catchment_m", [10_000, 20_000])
def test_e2sfca_equals_pysal_access(decay_name, catchment_m):
    ours, _ratio = e2sfca((DX, DY), POP, (SX, SY), CAP, catchment_m, decay_name)
    assert ours == pytest.approx(pysal_e2sfca(decay_name, catchment_m))


def test_one_catchment_per_demand_point_by_hand():
    # D0 at 0 and D1 at 10 km; supply S at 6 km. Step catchments: D0 5 km (misses S), D1 5 km (reaches).
    access, ratio = e2sfca((np.array([0, 10_000.0]), np.zeros(2)), np.array([100, 300.0]),
                           (np.array([6000.0]), np.zeros(1)), np.array([6.0]), np.array([5000, 5000.0]), "step")
    assert ratio == pytest.approx([6 / 300]) and access == pytest.approx([0, 6 / 300])
    # a wider catchment for D0 alone (7 km): both reach S, R = 6 / 400
    access, ratio = e2sfca((np.array([0, 10_000.0]), np.zeros(2)), np.array([100, 300.0]),
                           (np.array([6000.0]), np.zeros(1)), np.array([6.0]), np.array([7000, 5000.0]), "step")
    assert ratio == pytest.approx([6 / 400]) and access == pytest.approx([6 / 400, 6 / 400])
    # the same catchment everywhere as an array equals the scalar
    scalar = e2sfca((DX, DY), POP, (SX, SY), CAP, 10_000, "gaussian")[0]
    assert e2sfca((DX, DY), POP, (SX, SY), CAP, np.full(DX.size, 10_000.0), "gaussian")[0] == pytest.approx(scalar)


def small_grid() -> Grid:
    """Nine 1 km cells around 120.2E 30.2N (metric centres), three districts by column."""
    from geo.access import to_metric

    cx, cy = to_metric([120.2], [30.2])
    x0, y0 = np.floor(cx[0] / 1000) * 1000 + 500, np.floor(cy[0] / 1000) * 1000 + 500
    xs, ys = np.meshgrid(x0 + 1000 * np.arange(3), y0 + 1000 * np.arange(3))
    x, y = xs.ravel(), ys.ravel()
    lon, lat = _TO_WGS84.transform(x, y)
    codes = np.array(["A", "B", "C"] * 3, dtype=object)
    return Grid(x, y, np.asarray(lon), np.asarray(lat), codes, np.ones(9), 1000.0)


def test_points_fall_on_their_cells_and_points_off_the_city_are_counted_apart():
    grid = small_grid()
    lon, lat = _TO_WGS84.transform(grid.x[[0, 4, 4]] + 100, grid.y[[0, 4, 4]] - 200)
    far_lon, far_lat = _TO_WGS84.transform([grid.x[0] - 5000], [grid.y[0]])
    cells, lost = points_to_cells(grid, np.append(lon, far_lon), np.append(lat, far_lat), [1, 2, 3, 7])
    assert cells.tolist() == [1, 0, 0, 0, 5, 0, 0, 0, 0] and lost == 7


def test_township_counts_spread_over_the_cells_they_cover():
    grid = small_grid()
    half = 0.0001
    # township 1 covers the three cells of the first row; township 2 is a sliver covering no centre
    row0 = gpd.GeoSeries(gpd.points_from_xy(grid.lon[:3], grid.lat[:3]), crs="EPSG:4326")
    first = box(row0.x.min() - half, row0.y.min() - half, row0.x.max() + half, row0.y.max() + half)
    sliver = box(grid.lon[8] + half, grid.lat[8] + half, grid.lon[8] + 2 * half, grid.lat[8] + 2 * half)
    townships = gpd.GeoDataFrame(geometry=[first, sliver], crs="EPSG:4326")
    cells, lost = polygons_to_cells(grid, townships, [300, 40])
    assert cells[:3] == pytest.approx([100, 100, 100])
    assert cells[8] == pytest.approx(40) and cells.sum() == pytest.approx(340) and lost == 0


def test_residents_counted_apart_go_to_the_cells_of_their_district_inside_their_box():
    box = (120.09, 30.20, 120.17, 30.27)
    lon = np.array([120.13, 120.13, 120.27])
    lat = np.array([30.235, 30.21, 30.20])
    grid = Grid(np.zeros(3), np.zeros(3), lon, lat, np.array(["D1", "D2", "D1"], dtype=object),
                np.array([10.0, 10, 10]), 1000.0)
    after = add_to_area(grid, box, "D1", 23_763)
    assert after.weight.tolist() == [10 + 23_763, 10, 10]  # D2's cell in the box and D1's outside it: unchanged
    assert grid.weight.tolist() == [10, 10, 10]  # the original is left as it was
    assert add_to_area(grid, box, "D3", 5) is grid


def test_catchment_per_district_class():
    grid = small_grid()
    assert catchments(grid, 30_000, {}) == 30_000
    assert catchments(grid, 30_000, {"A": 10_000}).tolist() == [10_000, 30_000, 30_000] * 3
