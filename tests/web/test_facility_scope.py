"""The facility page shows a published scope's limitation and remarks and marks suspended items;
its operators and admins download the scope as published (issue 12 items 3 and 4)."""
from registry.services.records.scope_import import import_scope
from registry.services.records.scopes import read_scope
from tests.factories import facility, login, run, user, write_dataset
from tests.services.test_scope_examples import EXPECTED, path_of


def setup(session, tmp_path):
    run(session, write_dataset(tmp_path / "base", [facility(1), facility(2)]))
    import_scope(session, path_of("cnas-testing"), "F0001", actor="test")


def test_facility_page_shows_limitation_remarks_and_suspended(client, session, tmp_path):
    setup(session, tmp_path)
    page = client.get("/facilities/F0001?lang=zh").get_data(as_text=True)
    assert "限制范围（仅）：只用于：出口食品" in page  # with its kind (issue 12 item 4)
    assert "说明: 扩项" in page or "说明：扩项" in page
    row = page[page.index("工频交流电压试验"):][:200]
    assert "暂停" in row
    assert "scope.xlsx" not in page  # anonymous visitors get no download


def test_operator_downloads_own_scope_only(client, session, tmp_path):
    setup(session, tmp_path)
    login(client, user(session, "operator", facility_ids=["F0001"]))
    page = client.get("/facilities/F0001").get_data(as_text=True)
    assert "/facilities/F0001/scope.xlsx" in page
    response = client.get("/facilities/F0001/scope.xlsx")
    assert response.status_code == 200
    (tmp_path / "got.xlsx").write_bytes(response.data)
    assert read_scope(tmp_path / "got.xlsx").items == EXPECTED["cnas-testing"]
    assert client.get("/facilities/F0002/scope.xlsx").status_code == 404
    assert "scope.xlsx" not in client.get("/facilities/F0002").get_data(as_text=True)


def test_enterprise_may_not_download(client, session, tmp_path):
    setup(session, tmp_path)
    login(client, user(session, "enterprise"))
    assert client.get("/facilities/F0001/scope.xlsx").status_code == 403
