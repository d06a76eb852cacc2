"""E2SFCA against a hand-worked example and against PySAL `access`; Gini and Theil against PySAL `inequality`."""
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.access import decay, e2sfca, population_grid, weighted_means
from geo.districts import load_districts
from geo.inequality import gini, theil, theil_decomposition
from registry.config import Config

# Two demand points on a line, 10 km apart; supply at the first and 10 km past the second.
DEMAND_XY = (np.array([0.0, 10_000.0]), np.array([0.0, 0.0]))
DEMAND_W = np.array([100.0, 200.0])
SUPPLY_XY = (np.array([0.0, 20_000.0]), np.array([0.0, 0.0]))
SUPPLY_W = np.array([10.0, 30.0])


def test_step_catchment_by_hand():
    # 15 km catchment: D1 reaches S1 only; D2 reaches both. R1 = 10 / 300, R2 = 30 / 200.
    access, ratio = e2sfca(DEMAND_XY, DEMAND_W, SUPPLY_XY, SUPPLY_W, 15_000, "step")
    assert ratio == pytest.approx([10 / 300, 30 / 200])
    assert access == pytest.approx([10 / 300, 10 / 300 + 30 / 200])


def test_gaussian_catchment_by_hand():
    w = (math.exp(-0.5 * (10 / 15) ** 2) - math.exp(-0.5)) / (1 - math.exp(-0.5))  # W(10 km), d0 = 15 km
    r1, r2 = 10 / (100 + 200 * w), 30 / (200 * w)
    access, ratio = e2sfca(DEMAND_XY, DEMAND_W, SUPPLY_XY, SUPPLY_W, 15_000, "gaussian")
    assert ratio == pytest.approx([r1, r2])
    assert access == pytest.approx([r1, w * r1 + w * r2])


def test_gaussian_falls_to_zero_at_the_catchment():
    fn = decay("gaussian", 30_000)
    assert fn(np.array([0.0, 30_000.0, 30_001.0])) == pytest.approx([1.0, 0.0, 0.0])


def test_supply_nobody_reaches_counts_for_nothing():
    access, ratio = e2sfca(DEMAND_XY, DEMAND_W, (np.array([500_000.0]), np.array([0.0])), np.array([5.0]), 30_000)
    assert ratio.tolist() == [0.0] and access.tolist() == [0.0, 0.0]


@pytest.mark.filterwarnings("ignore:The inplace keyword")  # inside PySAL access, on pandas 3
def test_matches_pysal_access_on_random_points():
    access_lib = pytest.importorskip("access", reason="PySAL access is in the test extra")
    rng = np.random.default_rng(4)
    demand = pd.DataFrame({"x": rng.uniform(0, 60_000, 40), "y": rng.uniform(0, 60_000, 40),
                           "pop": rng.integers(100, 5000, 40).astype(float)})
    supply = pd.DataFrame({"x": rng.uniform(0, 60_000, 7), "y": rng.uniform(0, 60_000, 7),
                           "cap": rng.integers(1, 50, 7).astype(float)})
    catchment = 25_000
    fn = decay("gaussian", catchment)
    ours, _ratio = e2sfca((demand.x, demand.y), demand["pop"], (supply.x, supply.y), supply["cap"], catchment)

    demand_gdf = gpd.GeoDataFrame(demand, geometry=gpd.points_from_xy(demand.x, demand.y), crs="EPSG:4549")
    supply_gdf = gpd.GeoDataFrame(supply, geometry=gpd.points_from_xy(supply.x, supply.y), crs="EPSG:4549")
    demand_gdf["did"], supply_gdf["sid"] = demand.index, supply.index
    model = access_lib.Access(demand_df=demand_gdf, demand_index="did", demand_value="pop", supply_df=supply_gdf,
                              supply_index="sid", supply_value="cap")
    model.create_euclidean_distance(name="euclidean", threshold=catchment + 1)  # PySAL computes its own distances
    theirs = model.enhanced_two_stage_fca(name="e2", cost="euclidean", max_cost=catchment,
                                          weight_fn=lambda d: float(fn(np.asarray(d))))
    expected = theirs["e2_cap"].reindex(demand.index).fillna(0).to_numpy()
    assert ours == pytest.approx(expected, rel=1e-9)


def test_population_grid_shares_each_district_population():
    districts = load_districts(Config.DISTRICTS_GEOJSON)
    population = {"330106": 1000.0, "330108": 500.0}
    grid = population_grid(districts[districts.code.isin(population)], population, cell_m=1000)
    for code, people in population.items():
        assert grid.weight[grid.district == code].sum() == pytest.approx(people)
    # Binjiang is about 72 km²: about 72 one-km cells have their centre in it
    assert 60 <= (grid.district == "330108").sum() <= 85
    means = weighted_means(np.arange(len(grid), dtype=float), grid.weight, grid.district)
    xihu = grid.district == "330106"
    assert means["330106"] == pytest.approx(np.arange(len(grid))[xihu].mean())


@pytest.fixture
def shares():
    return np.array([3.0, 0.5, 1.2, 8.0, 0.0, 2.2, 4.1, 0.9, 1.0, 2.5, 0.3, 0.7, 1.8])


def test_gini_and_theil_match_pysal_inequality(shares):
    inequality = pytest.importorskip("inequality", reason="PySAL inequality is in the test extra")
    assert gini(shares) == pytest.approx(inequality.gini.Gini(shares).g, rel=1e-12)
    assert theil(shares) == pytest.approx(inequality.theil.Theil(shares).T, rel=1e-6)  # PySAL nudges zeros
    groups = np.array(["core"] * 4 + ["outer"] * 9)
    ours = theil_decomposition(shares, groups)
    theirs = inequality.theil.TheilD(shares, groups)
    assert ours.between == pytest.approx(float(np.ravel(theirs.bg)[0]), rel=1e-9)
    assert ours.within == pytest.approx(float(np.ravel(theirs.wg)[0]), rel=1e-6)
    assert ours.total == pytest.approx(ours.between + ours.within)


def test_equal_shares_are_perfectly_equal():
    assert gini([2, 2, 2]) == 0 and theil([2, 2, 2]) == pytest.approx(0)
    assert theil([0, 0, 6]) == pytest.approx(math.log(3))  # one area holds everything
