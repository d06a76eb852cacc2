"""Demand layers (a grid CSV, an XLSX of points, township GeoJSON), outside supply beyond the border, and
the supply weights, over the audit fixture: each changes the figures the way a hand count says."""
import io
import json

import numpy as np
import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from registry.errors import RegistryError
from registry.models import Capability, DemandCell, DemandLayer, Facility, OutsideSupply
from registry.services.audit import demand
from registry.services.audit.accessibility import (
    SCENIC_AREA_BOX,
    AccessArgs,
    accessibility,
    cell_spread,
    populations,
    resident_grid,
    spread,
    supply,
)
from registry.services.audit.district_table import district_table
from registry.services.audit.outside_supply import import_outside_supply
from registry.services.audit.sensitivity import CATCHMENTS_KM, Comparison, difference, sensitivity
from registry.services.districts import district_locator
from tests.factories import point_in
from tests.services.audit_fixture import load_audit_fixture
from tests.services.test_audit import TODAY

BORDER_LAB = (119.98, 30.56)  # 德清 (Huzhou), just north of Yuhang's border


@pytest.fixture
def loaded(session, tmp_path):
    load_audit_fixture(session, tmp_path / "data", TODAY)
    return session


@pytest.fixture
def grid(app, loaded):
    return resident_grid(app.config["DISTRICTS_GEOJSON"], populations(loaded))


def layer(session, grid, filename, data, **fields):
    values = {"name": "企业", "kind": "enterprises", "year": 2024, "source": "市场监管局 企业登记", **fields}
    return demand.import_demand_layer(session, filename, data, grid, **values)


def test_census_fallback_carries_the_scenic_area_on_xihu_land(loaded, grid):
    assert grid.weight.sum() == pytest.approx(sum(p for _c, p in populations(loaded)) + 23_763)
    xihu = grid.weight[grid.district == "330106"]
    assert xihu.sum() == pytest.approx(dict(populations(loaded))["330106"] + 23_763)
    assert xihu.max() > xihu.min()  # the scenic area's cells hold more than the rest of Xihu's
    lon0, lat0, lon1, lat1 = SCENIC_AREA_BOX
    scenic = (grid.district == "330106") & (grid.lon >= lon0) & (grid.lon <= lon1) & (grid.lat >= lat0) \
        & (grid.lat <= lat1)
    assert np.unique(grid.weight[scenic]).size == 1 and grid.weight[scenic][0] == pytest.approx(xihu.max())


def test_a_grid_layer_changes_demand_to_its_points(loaded, grid):
    lon, lat = point_in("330127")  # where F0006 (2 items) stands
    made = layer(loaded, grid, "firms.csv", f"lon,lat,weight\n{lon},{lat},1000\n".encode(), shape_hint="grid")
    assert (made.shape, made.file_rows, made.total, made.off_city) == ("grid", 1, 1000, 0)
    assert loaded.scalar(select(func.count()).select_from(DemandCell)) == 1
    # 10 km step: F0006 reaches only these 1,000 firms: R = 2 / 1000, A = 200 per 100,000 firms
    result = accessibility(loaded, AccessArgs(demand=made.id, catchment_km=10, decay="step"), grid, TODAY)
    assert result.district_means["330127"] == pytest.approx(200)
    assert result.district_means.get("330106") is None  # no firms there: no mean
    assert result.demand.text().startswith("企业") and result.demand.year == 2024
    census = accessibility(loaded, AccessArgs(catchment_km=10, decay="step"), grid, TODAY)
    assert census.demand.layer_id == 0 and census.district_means["330106"] is not None


def test_an_xlsx_of_points_imports_like_a_csv(loaded, grid):
    book, (lon, lat) = Workbook(), point_in("330109")
    book.active.append(["名称", "lon", "lat", "weight"])
    book.active.append(["甲", lon, lat, 30])
    book.active.append(["乙", lon, lat, 12])
    data = io.BytesIO()
    book.save(data)
    made = layer(loaded, grid, "firms.xlsx", data.getvalue())
    assert (made.shape, made.file_rows, made.total) == ("points", 2, 42)


def township(code: str, count: float, size: float = 0.03) -> dict:
    lon, lat = point_in(code)
    ring = [[lon - size, lat - size], [lon + size, lat - size], [lon + size, lat + size], [lon - size, lat + size],
            [lon - size, lat - size]]
    return {"type": "Feature", "properties": {"name": code, "count": count},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def test_township_counts_spread_over_their_cells(loaded, grid):
    data = json.dumps({"type": "FeatureCollection",
                       "features": [township("330106", 500), township("330109", 1500)]}).encode()
    made = layer(loaded, grid, "townships.geojson", data, kind="residents")
    assert made.shape == "townships" and made.total == pytest.approx(2000)
    cells = dict(loaded.execute(select(DemandCell.district_code, func.sum(DemandCell.weight))
                                .where(DemandCell.layer_id == made.id).group_by(DemandCell.district_code)).all())
    assert cells == pytest.approx({"330106": 500, "330109": 1500})
    n_cells = loaded.scalar(select(func.count()).where(DemandCell.layer_id == made.id))
    assert n_cells > 20  # a 6 km box covers dozens of 1 km cells, not one point
    result = accessibility(loaded, AccessArgs(demand=made.id), grid, TODAY)
    assert set(k for k, v in result.district_means.items() if v is not None) == {"330106", "330109"}


def test_bad_layers_are_refused_and_nothing_is_written(loaded, grid):
    good = b"lon,lat,weight\n120.1,30.2,1\n"
    for fields in ({"name": ""}, {"kind": "tourists"}, {"year": "20x"}, {"year": 1800}, {"source": " "}):
        with pytest.raises(RegistryError):
            layer(loaded, grid, "a.csv", good, **fields)
    for filename, data in (("a.pdf", good), ("t.geojson", b"{}"), ("t.geojson", json.dumps(
            {"type": "FeatureCollection", "features": [{**township("330106", 5), "properties": {}}]}).encode()),
                           ("a.xlsx", b"not a workbook"), ("a.csv", b"lon,lat,weight\n120.1,30.2,-1\n")):
        with pytest.raises(RegistryError):
            layer(loaded, grid, filename, data)
    assert loaded.scalar(select(func.count()).select_from(DemandLayer)) == 0
    with pytest.raises(RegistryError):
        demand.layer_label(loaded, 99)


def test_outside_supply_raises_a_border_districts_access_and_stays_out_of_the_tables(app, loaded, grid):
    locator = district_locator(app.config["DISTRICTS_GEOJSON"])
    assert locator.locate(*BORDER_LAB) is None  # outside the city
    before = accessibility(loaded, AccessArgs(), grid, TODAY).district_means["330110"]
    table_before = district_table(loaded, TODAY).rows
    data = f"name,lon,lat,kind,weight\n德清县检验检测中心,{BORDER_LAB[0]},{BORDER_LAB[1]},testing,5\n".encode()
    assert import_outside_supply(loaded, data, locator.locate, source="浙江省检验检测机构名录", year=2025) == 1
    after = accessibility(loaded, AccessArgs(), grid, TODAY)
    assert after.district_means["330110"] > before and after.outside_points == 1
    left_out = accessibility(loaded, AccessArgs(outside=False), grid, TODAY)
    assert left_out.district_means["330110"] == pytest.approx(before)
    assert district_table(loaded, TODAY).rows == table_before  # never counted in the district tables
    assert loaded.scalar(select(func.count()).select_from(Facility).where(Facility.name.like("德清%"))) == 0
    assert len(supply(loaded, AccessArgs(), TODAY)[0]) == 3  # the city's own supply is unchanged
    # test items only: the outside lab is a testing lab; certification scopes only: it does not count
    assert accessibility(loaded, AccessArgs(kind="certification_scope"), grid, TODAY).outside_points == 0


def test_outside_supply_reads_kinds_and_disciplines_as_bureaus_write_them(app, loaded):
    locate = district_locator(app.config["DISTRICTS_GEOJSON"]).locate
    x, y = BORDER_LAB
    data = ("名称,lon,lat,kind,weight,discipline\n"
            f"德清检测,{x},{y},检验检测机构,2,\n"
            f"德清检测二,{x},{y},检测项目,1,\n"
            f"德清计量,{x},{y},计量技术机构,3,热学\n"
            f"德清计量二,{x},{y},社会公用计量标准,1,04\n"
            f"德清认证,{x},{y},认证,1,\n"
            f"Deqing lab,{x},{y},Testing,1,Thermal\n").encode()
    assert import_outside_supply(loaded, data, locate, source="浙江省检验检测机构名录") == 6
    kept = loaded.execute(select(OutsideSupply.kind, OutsideSupply.discipline).order_by(OutsideSupply.id)).all()
    assert kept == [("test_item", None), ("test_item", None), ("measurement_standard", "thermal"),
                    ("measurement_standard", "thermal"), ("certification_scope", None), ("test_item", "thermal")]
    for kind, discipline in (("检定", ""), ("计量", "热力学")):  # a service mode is no kind; no such discipline
        with pytest.raises(RegistryError, match="第 2 行"):
            import_outside_supply(loaded, f"lon,lat,kind,weight,discipline\n{x},{y},{kind},1,{discipline}\n"
                                  .encode(), locate, source="x", replace=True)
    assert loaded.scalar(select(func.count()).select_from(OutsideSupply)) == 6  # a refused file changes nothing


def test_outside_supply_inside_the_city_or_malformed_is_refused(app, loaded):
    locate = district_locator(app.config["DISTRICTS_GEOJSON"]).locate
    lon, lat = point_in("330110")
    for data in (f"lon,lat,kind,weight\n{lon},{lat},testing,1\n", "lon,lat,weight\n119.9,30.6,1\n",
                 "lon,lat,kind,weight\n119.98,30.56,bakery,1\n", "lon,lat,kind,weight\n100,30.56,testing,1\n"):
        with pytest.raises(RegistryError):
            import_outside_supply(loaded, data.encode(), locate, source="x")
    with pytest.raises(RegistryError):
        import_outside_supply(loaded, b"lon,lat,kind,weight\n119.98,30.56,testing,1\n", locate, source="x", year="x")
    assert loaded.scalar(select(func.count()).select_from(OutsideSupply)) == 0


def test_supply_weights_by_hand(loaded):
    f1 = loaded.scalar(select(Facility).where(Facility.facility_id == "F0001"))
    # a second row of the same test item (a lab that splits one item over two rows)
    loaded.add(Capability(facility_pk=f1.id, capability_id="C0009", kind="test_item", name="电线电缆 导体直流电阻",
                          standards="GB/T 3048.4-2007;GB/T 3956-2008"))
    loaded.commit()

    def weights(weight):
        lon, _lat, w = supply(loaded, AccessArgs(weight=weight), TODAY)
        return sorted(w.tolist())

    # F0001 (Xihu): standard 压力计 + the test item twice; F0004: one scope; F0006: 量块 + a test item
    assert weights("capabilities") == [1, 2, 3]
    assert weights("items") == [1, 2, 2]  # the repeated row does not count twice
    assert weights("facility") == [1, 1, 1]
    assert weights("standards") == [1, 2, 3]  # F0001: 压力计 (by name), GB/T 3048.4, GB/T 3956
    assert weights("capacity") == [2, 6]


def test_weighted_spread_and_its_range(loaded, grid):
    rows = district_table(loaded, TODAY).rows
    result = spread(rows)
    assert 0 <= result.weighted_gini <= 1 and result.gini_range.low <= result.weighted_gini <= result.gini_range.high
    assert result.weighted_between + result.weighted_within == pytest.approx(result.weighted_theil)
    cells = cell_spread(accessibility(loaded, AccessArgs(), grid, TODAY))
    assert cells.weighted_between + cells.weighted_within == pytest.approx(cells.weighted_theil)
    assert cells.gini_range.low <= cells.weighted_gini <= cells.gini_range.high


def test_sensitivity_and_difference(loaded, grid):
    settings = sensitivity(loaded, AccessArgs(), grid, TODAY)
    assert len(settings) == 3 * len(CATCHMENTS_KM)
    step = {s.catchment_km: s for s in settings if s.decay == "step"}
    # a wider step catchment reaches at least as many people: Chun'an's remote cells gain access
    assert step[45].means["330127"] > 0
    same = accessibility(loaded, AccessArgs(catchment_km=20, decay="linear"), grid, TODAY)
    linear20 = next(s for s in settings if s.decay == "linear" and s.catchment_km == 20)
    assert linear20.means["330106"] == pytest.approx(same.district_means["330106"])
    diff = difference(loaded, AccessArgs(catchment_km=30), Comparison(10, "gaussian"), grid, TODAY)
    a = accessibility(loaded, AccessArgs(catchment_km=30), grid, TODAY).score
    b = accessibility(loaded, AccessArgs(catchment_km=10), grid, TODAY).score
    assert np.allclose(diff.score, a - b)


def test_urban_and_rural_catchments(loaded, grid):
    wide_outer = accessibility(loaded, AccessArgs(catchment_km=10, outer_km=45, decay="step"), grid, TODAY)
    narrow = accessibility(loaded, AccessArgs(catchment_km=10, decay="step"), grid, TODAY)
    core = grid.district == "330106"
    assert np.allclose(wide_outer.score[core] > 0, narrow.score[core] > 0)  # core cells keep 10 km
    assert (wide_outer.score[grid.district == "330127"] > 0).sum() > (narrow.score[grid.district == "330127"] > 0).sum()


def test_cli_imports_a_layer_and_outside_supply(app, loaded, tmp_path):
    lon, lat = point_in("330109")
    (tmp_path / "firms.csv").write_text(f"lon,lat,weight\n{lon},{lat},7\n", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demand", "import", str(tmp_path / "firms.csv"), "--name", "萧山企业",
                                 "--kind", "enterprises", "--year", "2024", "--source", "企业登记"])
    assert result.exit_code == 0, result.output
    assert "萧山企业" in runner.invoke(args=["demand", "list"]).output
    (tmp_path / "out.csv").write_text(f"lon,lat,kind,weight\n{BORDER_LAB[0]},{BORDER_LAB[1]},metrology,2\n",
                                      encoding="utf-8")
    result = runner.invoke(args=["demand", "outside", str(tmp_path / "out.csv"), "--source", "名录"])
    assert result.exit_code == 0 and "1 outside" in result.output
    bad = runner.invoke(args=["demand", "import", str(tmp_path / "out.csv"), "--name", "x", "--kind", "other",
                              "--year", "2024", "--source", "s", "--lang", "en"])
    assert bad.exit_code == 1 and "Hangzhou's land" in bad.output  # the border lab is off the city
    layer_id = loaded.scalar(select(DemandLayer.id))
    assert runner.invoke(args=["demand", "delete", str(layer_id)]).exit_code == 0
    assert loaded.scalar(select(func.count()).select_from(DemandCell)) == 0
