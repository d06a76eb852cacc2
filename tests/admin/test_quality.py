"""The data-quality page: each kind of finding, with a link to fix it."""
from datetime import date

from registry.services.records.quality import KINDS, PAGE_SIZE, find_problems
from tests.factories import capability, facility, login, point_in, run, uscc, write_dataset


def test_findings_of_each_kind(session, tmp_path):
    lon, lat = point_in("330106")
    rows = [
        facility(1, lon=str(lon), lat=str(lat)),
        facility(2, uscc=uscc(1), lon=str(round(lon + 0.001, 6)), lat=str(lat)),  # ≈100 m from F0001, same USCC
        facility(3, uscc=uscc(1), lon=str(round(lon + 0.01, 6)), lat=str(lat)),  # ≈1 km: not a duplicate
        facility(4, name="杭州 计量（检测）中心", lon=None, lat=None),
        facility(5, name="杭州计量(检测)中心", lon=None, lat=None),
        facility(6, cma_no="201911000123", cma_valid_until="2020-01-01"),
        facility(7, cma_no="201911000124", cma_valid_until="2020-01-01", status="closed"),
        facility(8, name="澄衡（杭州）认证服务有限公司", district_code="330109", lon=None, lat=None),
        facility(9, name="临衡（杭州）认证服务有限公司", district_code="330109", lon=None, lat=None),
        facility(10, name="杭州澄衡认证有限公司", district_code="330109", lon=None, lat=None),
        facility(11, name="杭州澄衡认证有限责任公司", district_code="330109", lon=None, lat=None),
        facility(12, name="杭州澄衡认证有限公司", district_code="330110", lon=None, lat=None),
    ]
    caps = [capability(1, 1, kind="measurement_standard", discipline="mechanics", quantity="压力"),
            capability(1, 2, quantity="压力", range_min="0", range_max="10", unit="MPa", valid_until="2030-01-01"),
            capability(1, 3, valid_until="2021-06-30")]
    assert run(session, write_dataset(tmp_path / "d", rows, caps)).committed
    day = date(2026, 11, 25)
    found = {kind: find_problems(session, day, kind=kind).items for kind in KINDS}
    pairs = {(d["a"]["facility_id"], d["b"]["facility_id"], d["reason"]) for d in found["duplicates"]}
    # F0008/F0009: one character apart, two trade names; F0012: the same name in another district
    assert pairs == {("F0001", "F0002", "same_uscc_nearby"), ("F0004", "F0005", "similar_name"),
                     ("F0010", "F0011", "similar_name")}
    assert [f["facility_id"] for f in found["unlocated"]] == ["F0004", "F0005", "F0008", "F0009", "F0010", "F0011",
                                                           "F0012"]
    assert [(c["capability_id"], c["missing"]) for c in found["incomplete"]] == [("C0001", ["valid_until", "range"])]
    expired = {(e["facility_id"], e["capability_id"], e["certificate"]) for e in found["expired"]}
    assert expired == {("F0006", None, "CMA"), ("F0001", "C0003", "capability")}
    assert find_problems(session, day).counts == {"duplicates": 3, "unlocated": 7, "incomplete": 1, "expired": 2}


def test_findings_are_paged_and_counted_beyond_one_page(session, tmp_path):
    """60 expired certificates: three pages of PAGE_SIZE, the longest expired first, each once."""
    rows = [facility(i, cma_no=f"2019110{i:05d}", cma_valid_until=f"2020-01-{1 + i % 28:02d}") for i in range(1, 61)]
    assert run(session, write_dataset(tmp_path / "d", rows)).committed
    day = date(2026, 11, 25)
    pages = [find_problems(session, day, kind="expired", page=p) for p in (1, 2, 3, 4)]
    assert pages[0].counts["expired"] == 60 and pages[0].pages == 3
    assert [len(p.items) for p in pages] == [PAGE_SIZE, PAGE_SIZE, 60 - 2 * PAGE_SIZE, 0]
    seen = [(e["valid_until"], e["facility_id"]) for p in pages for e in p.items]
    assert seen == sorted(seen) and len(set(seen)) == 60


def test_page_shows_one_kind_with_every_count_and_a_pager(admin_client, session, tmp_path):
    rows = [facility(i, lon=None, lat=None) for i in range(1, 31)]
    rows += [facility(31, cma_no="201911000031", cma_valid_until="2020-01-01")]
    assert run(session, write_dataset(tmp_path / "d", rows)).committed
    page = admin_client.get("/admin/quality").get_data(as_text=True)
    assert 'id="unlocated"' in page and 'id="expired"' not in page  # the first kind with findings
    assert page.count("/admin/facilities/F00") == PAGE_SIZE and "kind=unlocated&amp;page=2" in page
    second = admin_client.get("/admin/quality?kind=unlocated&page=2").get_data(as_text=True)
    assert second.count("/admin/facilities/F00") == 30 - PAGE_SIZE
    expired = admin_client.get("/admin/quality?kind=expired").get_data(as_text=True)
    assert "/admin/facilities/F0031/edit" in expired and ">30</span>" in expired and ">1</span>" in expired


def test_unknown_kind_is_a_400_and_a_page_beyond_the_last_is_empty(admin_client, session, tmp_path):
    assert run(session, write_dataset(tmp_path / "d", [facility(4, lon=None, lat=None)])).committed
    refused = admin_client.get("/admin/quality?kind=<script>", headers={"Accept-Language": "zh"})
    assert refused.status_code == 400 and "没有名为" in refused.get_data(as_text=True)
    beyond = admin_client.get("/admin/quality?kind=unlocated&page=9")
    assert beyond.status_code == 200 and "F0004" not in beyond.get_data(as_text=True)


def test_page_links_each_finding_to_its_form(admin_client, session, tmp_path):
    run(session, write_dataset(tmp_path / "d", [facility(4, lon=None, lat=None)]))
    page = admin_client.get("/admin/quality").get_data(as_text=True)
    assert 'href="/admin/facilities/F0004/edit"' in page


def test_operator_sees_only_its_own_facilities(app, operator_client, admin, session, tmp_path):
    """Both facilities lose their location: the admin sees both findings, F0001's operator only its own."""
    assert run(session, write_dataset(tmp_path / "d", [facility(1, lon=None, lat=None),
                                                       facility(2, lon=None, lat=None)])).committed
    admin_page = app.test_client()
    login(admin_page, admin)
    everything = admin_page.get("/admin/quality").get_data(as_text=True)
    assert "/admin/facilities/F0001/edit" in everything and "/admin/facilities/F0002/edit" in everything
    page = operator_client.get("/admin/quality").get_data(as_text=True)
    assert "/admin/facilities/F0001/edit" in page and "F0002" not in page
