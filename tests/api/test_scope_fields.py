"""API v1's scope fields (issue 12 item 4), additive: a scope item answers with its object,
parameter, methods, limitation, remarks, status, service and range segments; a v1 record in the
same shape; facilities count their public measurement standards; the scope as a workbook."""
import io

from openpyxl import load_workbook

from registry.services.records.scope_import import import_scope
from registry.services.records.scopes import read_scope
from tests.factories import capability, facility, run, write_dataset
from tests.services.test_scope_examples import EXPECTED, path_of


def load(session, tmp_path, layout, capabilities=()):
    run(session, write_dataset(tmp_path / "base", [facility(1, kind="metrology")], capabilities))
    assert import_scope(session, path_of(layout), "F0001", actor="test").outcome == "committed"


def items_of(client, path="/api/v1/facilities/F0001/capabilities?limit=100"):
    response = client.get(path)
    assert response.status_code == 200, response.json
    return response.json["items"]


def test_testing_scope_items_carry_their_fields(client, session, tmp_path):
    load(session, tmp_path, "cnas-testing")
    items = {i["parameter"]: i for i in items_of(client)}
    lead = items["铅"]
    assert lead["object"] == "食品（演示）" and lead["service"] == "testing" and lead["status"] == "active"
    assert lead["methods"] == [{"standard": "GB 5009.12-2017", "title": None, "clause": "第一法、第二法"},
                               {"standard": "SN/T 3139-2012", "title": None, "clause": None}]
    assert lead["limitation"] == {"kind": "only", "text": "只用于：出口食品"}
    assert items["工频交流电压试验"]["status"] == "suspended" and items["工频交流电压试验"]["remarks"] == "暂停"
    assert items["菌落总数"]["methods"] == [{"standard": None, "title": "作业指导书 XX/ZY-012-2020", "clause": None}]
    assert lead["standards"] == ["GB 5009.12-2017", "SN/T 3139-2012"]  # the v1 field as before


def test_calibration_ranges_each_with_their_uncertainty(client, session, tmp_path):
    load(session, tmp_path, "cnas-calibration")
    items = items_of(client)
    expected = EXPECTED["cnas-calibration"]
    for got, want in zip(items, expected):
        assert len(got["ranges"]) == len(want.ranges)
        for segment, published in zip(got["ranges"], want.ranges):
            assert segment["unit"] == (published.unit or None)
            assert segment["max"] == (float(published.max) if published.max is not None else None)
            if published.uncertainty:
                assert segment["uncertainty"]["kind"] == published.uncertainty.kind
                assert segment["uncertainty"]["text"] == (published.uncertainty.text or None)


def test_v1_records_answer_in_the_same_shape(client, session, tmp_path):
    run(session, write_dataset(tmp_path / "base", [facility(1)], [capability(1, 1)]))
    (item,) = items_of(client)
    assert item["methods"] == [{"standard": s, "title": None, "clause": None} for s in item["standards"]]
    assert item["status"] == "active" and item["object"] is None and item["limitation"] is None


def test_capability_search_has_the_fields_too(client, session, tmp_path):
    load(session, tmp_path, "cma")
    items = items_of(client, "/api/v1/capabilities?limit=100")
    assert len(items) == len(EXPECTED["cma"]) and all("methods" in i and "ranges" in i for i in items)


def test_facility_counts_public_standards(client, session, tmp_path):
    load(session, tmp_path, "standards")
    detail = client.get("/api/v1/facilities/F0001").json
    assert detail["public_standards"] == sum(i.public_standard for i in EXPECTED["standards"]) > 0
    assert detail["standardisation_kind"] is None


def test_scope_workbook_download(client, session, tmp_path):
    load(session, tmp_path, "cnas-testing")
    response = client.get("/api/v1/facilities/F0001/scope.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    (tmp_path / "got.xlsx").write_bytes(response.data)
    assert read_scope(tmp_path / "got.xlsx").items == EXPECTED["cnas-testing"]
    assert client.get("/api/v1/facilities/F0404/scope.xlsx").status_code == 404
    assert io.BytesIO(response.data).read(2) == b"PK"


def test_no_scope_items_is_the_empty_table(client, session, tmp_path):
    run(session, write_dataset(tmp_path / "base", [facility(1)], [capability(1, 1)]))
    response = client.get("/api/v1/facilities/F0001/scope.xlsx")
    assert response.status_code == 200
    (tmp_path / "empty.xlsx").write_bytes(response.data)
    sheet = load_workbook(tmp_path / "empty.xlsx").active
    assert sheet["A1"].value == "序号" and sheet.max_row == 2
