"""Accessibility over the registry: supply weights by hand, the E2SFCA balance, demand files, the spread."""
import numpy as np
import pytest

from geo.inequality import gini, theil_decomposition
from registry.errors import RegistryError
from registry.services.audit.accessibility import (
    AccessArgs,
    accessibility,
    city_grid,
    parse_access_args,
    parse_demand_csv,
    populations,
    spread,
    supply,
)
from registry.services.audit.district_table import district_table
from registry.services.audit.figures import URBAN_CORE
from tests.factories import point_in
from tests.services.audit_fixture import load_audit_fixture
from tests.services.test_audit import TODAY


@pytest.fixture
def loaded(session, tmp_path):
    load_audit_fixture(session, tmp_path / "data", TODAY)
    return session


def weights(session, **kw) -> dict:
    lon, lat, w = supply(session, AccessArgs(**kw), TODAY)
    where = {point_in(code): code for code in ("330106", "330109", "330127")}
    return {where[(round(x, 6), round(y, 6))]: v for x, y, v in zip(lon, lat, w)}


def test_supply_is_shared_active_facilities_weighted_by_live_unexpired_capabilities(loaded):
    # Shared and active: F0001 (Xihu), F0004 (Xiaoshan), F0006 (Chun'an); F0005 is suspended.
    # F0001: C0002 expired yesterday, so 2 of its 3 count.
    assert weights(loaded) == {"330106": 2, "330109": 1, "330127": 2}
    assert weights(loaded, kind="measurement_standard") == {"330106": 1, "330127": 1}
    assert weights(loaded, discipline="length") == {"330127": 1}
    assert weights(loaded, weight="capacity") == {"330106": 2, "330127": 6}  # bookable daily capacity


def test_scores_share_out_exactly_the_supply_that_people_reach(loaded, app):
    """E2SFCA's balance: sum over cells of people x score = the supply of every facility someone reaches."""
    grid = city_grid(app.config["DISTRICTS_GEOJSON"], populations(loaded))
    assert 16_000 < len(grid) < 18_000
    assert grid.weight.sum() == pytest.approx(sum(p for _c, p in populations(loaded)))
    result = accessibility(loaded, AccessArgs(catchment_km=30), grid, TODAY)
    assert (result.score * grid.weight / 100_000).sum() == pytest.approx(2 + 1 + 2)
    for code, mean in result.district_means.items():
        assert mean == pytest.approx(result.score[grid.district == code].mean())  # equal people per cell


def test_access_arguments_are_checked():
    assert parse_access_args({"catchment_km": "45", "decay": "linear"}) == AccessArgs(catchment_km=45, decay="linear")
    for bad in ({"catchment_km": "0"}, {"catchment_km": "201"}, {"catchment_km": "3.5"}, {"kind": "x"},
                {"weight": "money"}, {"k": "1"}):
        with pytest.raises(RegistryError):
            parse_access_args(bad)


def test_demand_file_is_read_or_refused_with_its_row():
    lon, lat, w = parse_demand_csv("\ufefflon,lat,weight\n120.1,30.2,3\n\n120.2,30.3,0\n".encode())
    assert lon.tolist() == [120.1, 120.2] and w.tolist() == [3, 0]
    gbk = "名称,lon,lat,weight\n企业,120.1,30.2,1\n".encode("gb18030")
    assert parse_demand_csv(gbk)[2].tolist() == [1]
    for data, row in ((b"lon,lat,weight\n120.1,30.2,1\n120.1,abc,1\n", "3"), (b"lon,lat,weight\n10,30.2,1\n", "2"),
                      (b"lon,lat,weight\n120.1,30.2,-1\n", "2"), (b"lon,lat,weight\n120.1,30.2,nan\n", "2")):
        with pytest.raises(RegistryError) as error:
            parse_demand_csv(data)
        assert row in str(error.value.message)
    for data in (b"x,y\n1,2\n", b"lon,lat,weight\n", b"\xff\xfe\x00bad"):
        with pytest.raises(RegistryError):
            parse_demand_csv(data)


def test_spread_of_capabilities_per_resident_across_districts(loaded):
    rows = district_table(loaded, TODAY).rows
    result = spread(rows)
    values = np.array([r["capabilities_per_100k"] for r in rows])
    groups = np.array(["core" if r["code"] in URBAN_CORE else "outer" for r in rows])
    assert result.gini == pytest.approx(gini(values))
    decomposition = theil_decomposition(values, groups)
    assert (result.theil, result.between, result.within) == pytest.approx(
        (decomposition.total, decomposition.between, decomposition.within))
    assert 0.8 < result.gini < 1  # 10 capabilities in 3 of 13 districts
    assert spread([r for r in rows if r["code"] == "330106"]) is None
