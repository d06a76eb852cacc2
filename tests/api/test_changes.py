"""The change feed, and the mirror test: a partner that follows /changes stays an exact copy
through creates, updates and --prune deletes done by import."""
from decimal import Decimal

from sqlalchemy import select

from registry.models import Capability, Facility
from registry.services.records.canonical import capability_record, jsonable, load_facilities
from tests.factories import capability, facility, write_dataset


def import_cli(app, paths, *options):
    result = app.test_cli_runner().invoke(args=["import", *options, *map(str, paths)])
    assert result.exit_code == 0, result.output
    return result


class Mirror:
    """What a partner keeps: records by key, and the last change id applied."""

    def __init__(self, client, page_size=4):
        self.client, self.page_size = client, page_size
        self.facilities: dict[str, dict] = {}
        self.capabilities: dict[tuple[str, str], dict] = {}
        self.last_id = 0
        self.requests = 0

    def catch_up(self):
        url = f"/api/v1/changes?since={self.last_id}&limit={self.page_size}"
        while url:
            response = self.client.get(url)
            assert response.status_code == 200, response.get_json()
            self.requests += 1
            body = response.get_json()
            ids = [e["id"] for e in body["items"]]
            assert ids == sorted(ids) and all(i > self.last_id for i in ids)
            for entry in body["items"]:
                if entry["entity"] == "facility":
                    self._apply(self.facilities, entry["facility_id"], entry["facility"])
                else:
                    self._apply(self.capabilities, (entry["facility_id"], entry["capability_id"]),
                                entry["capability"])
            self.last_id = body["last_id"]
            url = (f"/api/v1/changes?since={self.last_id}&limit={self.page_size}"
                   if body["next_cursor"] else None)

    @staticmethod
    def _apply(store, key, record):
        if record is None:
            store.pop(key, None)
        else:
            store[key] = record


def mirror_facility_as_record(api: dict) -> dict:
    """The interchange record the mirror's facility stands for."""
    record = {k: api[k] for k in ("facility_id", "name", "name_en", "kind", "ownership", "level", "uscc",
                                  "org_name", "district_code", "address", "lon", "lat", "phone", "email",
                                  "website", "shared", "status")}
    record["fields"] = ";".join(api["fields"]) or None
    accreditations = {a["scheme"]: a for a in api["accreditations"]}
    for scheme, number_field, date_field in (("cma", "cma_no", "cma_valid_until"),
                                             ("cnas", "cnas_no", "cnas_valid_until"), ("cnca", "cnca_no", None)):
        entry = accreditations.get(scheme, {})
        record[number_field] = entry.get("number")
        if date_field:
            record[date_field] = entry.get("valid_until")
    return record


def mirror_capability_as_record(api: dict) -> dict:
    record = {k: v for k, v in api.items() if k not in ("demo", "updated_at", "created_at", "version")}
    record["standards"] = ";".join(api["standards"]) or None
    if record["price_cny"] is not None:
        record["price_cny"] = str(Decimal(str(record["price_cny"])).quantize(Decimal("0.01")))
    return record


def registry_state(session):
    session.rollback()
    facilities = {fid: jsonable(record) for fid, (_pk, _deleted, record)
                  in load_facilities(session, include_deleted=False).items()}
    capabilities = {}
    rows = session.execute(select(Capability, Facility.facility_id).join(Facility)
                           .where(Capability.deleted_at.is_(None))).all()
    for cap, fid in rows:
        capabilities[(fid, cap.capability_id)] = jsonable(capability_record(cap, fid))
    return facilities, capabilities


def assert_mirror_equals_registry(mirror, session):
    facilities, capabilities = registry_state(session)
    assert set(mirror.facilities) == set(facilities)
    assert set(mirror.capabilities) == set(capabilities)
    for fid, record in facilities.items():
        assert mirror_facility_as_record(mirror.facilities[fid]) == record, fid
    for key, record in capabilities.items():
        assert mirror_capability_as_record(mirror.capabilities[key]) == record, key


def test_mirror_through_changes_stays_equal_through_creates_updates_and_prune(app, client, session, tmp_path):
    facilities = [facility(n, name=f"检测中心{n}", cma_no="211112290728" if n == 1 else None,
                           cma_valid_until="2030-01-01" if n == 1 else None) for n in range(1, 6)]
    capabilities = [capability(f, c, name=f"项目{f}-{c}", price_cny=str(100 + c) if c % 2 else None)
                    for f in range(1, 6) for c in range(1, 4)]
    import_cli(app, write_dataset(tmp_path / "v1", facilities, capabilities))
    mirror = Mirror(client)
    mirror.catch_up()
    assert len(mirror.facilities) == 5 and len(mirror.capabilities) == 15
    assert_mirror_equals_registry(mirror, session)

    # Second delivery: F0005 and its capabilities gone, F0001 renamed and re-accredited,
    # a price changed, a capability dropped, a new facility with a capability.
    facilities = [facility(n, name=f"检测中心{n}") for n in range(2, 5)]
    facilities.append(facility(1, name="更名的检测中心", cnas_no="CNAS L1234", cnas_valid_until="2031-05-01"))
    facilities.append(facility(6, name="新检测中心", district_code="330108", lon=None, lat=None))
    capabilities = [capability(f, c, name=f"项目{f}-{c}", price_cny=str(100 + c) if c % 2 else None)
                    for f in range(1, 5) for c in range(1, 4) if (f, c) != (2, 2)]
    capabilities[0]["price_cny"] = "999.5"
    capabilities.append(capability(6, 1, name="新项目", bookable="yes", daily_capacity="2"))
    import_cli(app, write_dataset(tmp_path / "v2", facilities, capabilities), "--prune")

    before = mirror.last_id
    mirror.catch_up()
    assert mirror.last_id > before
    assert "F0005" not in mirror.facilities and ("F0002", "C0002") not in mirror.capabilities
    assert mirror.facilities["F0001"]["name"] == "更名的检测中心"
    assert mirror.capabilities[("F0001", "C0001")]["price_cny"] == 999.5
    assert_mirror_equals_registry(mirror, session)

    # Re-importing the same files changes nothing and the feed stays quiet.
    import_cli(app, write_dataset(tmp_path / "v2", facilities, capabilities), "--prune")
    again = mirror.last_id
    mirror.catch_up()
    assert mirror.last_id == again


def test_feed_reports_deletes_as_tombstones_in_order(app, client, session, tmp_path):
    import_cli(app, write_dataset(tmp_path / "a", [facility(1), facility(2)], [capability(2, 1)]))
    import_cli(app, write_dataset(tmp_path / "b", [facility(1)]), "--prune")
    body = client.get("/api/v1/changes?since=0&limit=200").get_json()
    actions = [(e["entity"], e["action"], e["facility_id"], e["capability_id"]) for e in body["items"]]
    assert actions[-2:] == [("facility", "delete", "F0002", None), ("capability", "delete", "F0002", "C0001")]
    assert all(e["facility"] is None and e["capability"] is None for e in body["items"][-2:])
    assert body["total"] == len(body["items"]) and body["next_cursor"] is None
    assert body["items"][0]["at"].endswith(("Z", "+00:00"))
    last = body["last_id"]
    empty = client.get(f"/api/v1/changes?since={last}").get_json()
    assert empty == {"items": [], "next_cursor": None, "total": 0, "last_id": last}


def test_bad_since_is_a_422(client, session):
    for since in ("-1", "abc", "1e400", "2147483648"):
        response = client.get(f"/api/v1/changes?since={since}")
        assert response.status_code == 422 and "since" in response.get_json()["error"]["fields"]
