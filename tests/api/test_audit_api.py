"""The audit figures in the API: every district's figures, and the audit endpoint for the `audit` scope.
Expected values are counted by hand from tests/api/conftest.py's registry."""
import pytest


def district(client, code):
    return next(d for d in client.get("/api/v1/districts").get_json()["items"] if d["code"] == code)


def test_districts_carry_every_audit_figure(client, registry):
    xihu, xiaoshan = district(client, "330106"), district(client, "330109")
    # 西湖区: F0002 only (metrology, private, not shared; F0004 is suspended); two measurement standards.
    assert xihu["facilities"] == 1 and xihu["capabilities"] == 2
    assert {k: xihu["figures"][k] for k in ("kind_metrology", "own_private", "shared", "shared_pct",
                                             "cap_measurement_standard", "disciplines")} == {
        "kind_metrology": 1, "own_private": 1, "shared": 0, "shared_pct": 0.0, "cap_measurement_standard": 2,
        "disciplines": 2}
    # 萧山区: F0001 (testing, state, shared) with two test items.
    assert {k: xiaoshan["figures"][k] for k in ("facilities", "kind_testing", "own_state", "shared_pct",
                                                 "cap_test_item", "bookings_requested")} == {
        "facilities": 1, "kind_testing": 1, "own_state": 1, "shared_pct": 100.0, "cap_test_item": 2,
        "bookings_requested": 0}
    per_100k = xiaoshan["figures"]["facilities_per_100k"]
    assert per_100k == pytest.approx(100_000 / xiaoshan["population"], abs=0.01)
    assert client.get("/api/v1/districts/330106").get_json()["figures"] == xihu["figures"]


def test_audit_endpoint_needs_the_audit_scope(client, registry, make_key):
    assert client.get("/api/v1/audit").status_code == 401
    assert client.get("/api/v1/audit", headers={"X-API-Key": make_key("read,book")}).status_code == 403


def test_audit_endpoint_gives_the_table_definitions_art6_and_certificates(client, registry, make_key):
    headers = {"X-API-Key": make_key("read,audit", partner="市场监管局报表平台")}
    body = client.get("/api/v1/audit", headers=headers).get_json()
    assert [d["code"] for d in body["districts"]][-1] == "total" and len(body["districts"]) == 14
    total = body["districts"][-1]
    assert (total["facilities"], total["capabilities"]) == (3, 5)  # F0001-F0003; F0004 suspended
    definitions = {f["key"]: f["definition"] for f in body["figures"]}
    assert "shared_pct" in definitions and definitions["facilities"].startswith("Active facilities")
    # Art. 6: F0001 and F0003 are state-owned and shared, with nothing bookable; F0002 is private.
    assert {(r["facility_id"], r["reason"]) for r in body["art6"]} == {
        ("F0001", "shared_not_bookable"), ("F0003", "shared_not_bookable")}
    assert body["certificates"] == []  # F0001's CMA runs to 2030
    assert {s["figure"] for s in body["spread"]} == {"capabilities_per_100k", "facilities_per_100k"}
    assert all(0 <= s["gini"] <= 1 and s["theil"] == pytest.approx(s["between"] + s["within"])
               for s in body["spread"])


@pytest.mark.parametrize("window", ["7", "abc", "-90"])
def test_audit_window_must_be_30_90_or_180(client, registry, make_key, window):
    response = client.get(f"/api/v1/audit?window={window}", headers={"X-API-Key": make_key("audit")})
    assert response.status_code == 422 and "window" in response.get_json()["error"]["fields"]
