"""The data-quality page: each kind of finding, with a link to fix it."""
from datetime import date

from registry.services.records.quality import find_problems
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
    found = find_problems(session, date(2026, 11, 25))
    pairs = {(d["a"]["facility_id"], d["b"]["facility_id"], d["reason"]) for d in found.duplicates}
    # F0008/F0009: one character apart, two trade names; F0012: the same name in another district
    assert pairs == {("F0001", "F0002", "same_uscc_nearby"), ("F0004", "F0005", "similar_name"),
                     ("F0010", "F0011", "similar_name")}
    assert [f["facility_id"] for f in found.unlocated] == ["F0004", "F0005", "F0008", "F0009", "F0010", "F0011",
                                                           "F0012"]
    assert [(c["capability_id"], c["missing"]) for c in found.incomplete] == [("C0001", ["valid_until", "range"])]
    expired = {(e["facility_id"], e["capability_id"], e["certificate"]) for e in found.expired}
    assert expired == {("F0006", None, "CMA"), ("F0001", "C0003", "capability")}


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
