"""Edit forms: the import's rules, the change log, optimistic versions, operators on their own facilities only."""
from sqlalchemy import select

from geo.coords import wgs84_to_bd09
from registry.models import Capability, Change, ChangeSet, Facility
from tests.factories import capability, csrf_token, point_in, row_counts, run, write_dataset


def facility_form(client, facility_id):
    return client.get(f"/admin/facilities/{facility_id}/edit")


def stored(session, facility_id):
    session.rollback()
    return session.scalar(select(Facility).where(Facility.facility_id == facility_id)
                          .execution_options(populate_existing=True))


def form_of(session, facility_id, **changes):
    from registry.services.records.editing import as_cells, stored_facility
    facility = stored(session, facility_id)
    cells = as_cells(stored_facility(session, facility))
    cells.pop("facility_id")
    return {**cells, "version": str(facility.version), **changes}


def post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def test_admin_edit_is_saved_with_a_change_set_of_the_user(admin_client, admin, session, registry_with_two):
    response = post(admin_client, "/admin/facilities/F0002/edit", form_of(session, "F0002", name="新名称中心"))
    assert response.status_code == 302
    facility = stored(session, "F0002")
    assert facility.name == "新名称中心" and facility.version == 2
    change, change_set = session.execute(select(Change, ChangeSet).join(ChangeSet)
                                         .order_by(Change.id.desc())).first()
    assert change_set.actor == f"user:{admin.email}"
    assert (change.entity, change.action, change.facility_id) == ("facility", "update", "F0002")
    assert change.before == {"name": "测试检测中心2"} and change.after == {"name": "新名称中心"}


def test_edit_uses_the_import_rules(admin_client, session, registry_with_two):
    before = row_counts(session)
    response = post(admin_client, "/admin/facilities/F0001/edit",
                    form_of(session, "F0001", uscc="91330106000000000X", email="not-an-address"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="form-invalid"' in page and page.count('class="field-error"') >= 3
    assert row_counts(session) == before


def test_coordinates_in_bd09_are_stored_as_wgs84(admin_client, session, registry_with_two):
    lon, lat = point_in("330106")
    bd_lon, bd_lat = wgs84_to_bd09(lon, lat)
    response = post(admin_client, "/admin/facilities/F0001/edit",
                    form_of(session, "F0001", lon=f"{bd_lon:.7f}", lat=f"{bd_lat:.7f}", crs="bd09"))
    assert response.status_code == 302
    facility = stored(session, "F0001")
    assert abs(facility.lon - lon) < 1e-5 and abs(facility.lat - lat) < 1e-5


def test_stale_form_is_refused_with_409(admin_client, session, registry_with_two):
    form = form_of(session, "F0001", name="第一次")
    assert post(admin_client, "/admin/facilities/F0001/edit", form).status_code == 302
    response = post(admin_client, "/admin/facilities/F0001/edit", {**form, "name": "第二次"})
    assert response.status_code == 409
    assert stored(session, "F0001").name == "第一次"


def test_operator_edits_its_own_facility_and_gets_404_for_another(operator_client, session):
    assert facility_form(operator_client, "F0001").status_code == 200
    assert facility_form(operator_client, "F0002").status_code == 404
    before = row_counts(session)
    response = post(operator_client, "/admin/facilities/F0002/edit", form_of(session, "F0002", name="别人的"))
    assert response.status_code == 404
    assert row_counts(session) == before
    response = post(operator_client, "/admin/facilities/F0001/edit", form_of(session, "F0001", name="我的中心"))
    assert response.status_code == 302 and stored(session, "F0001").name == "我的中心"


def test_enterprise_cannot_reach_the_edit_forms(client, session, registry_with_two):
    from tests.factories import login, user
    login(client, user(session, "enterprise"))
    assert facility_form(client, "F0001").status_code == 403


def test_capability_edit_and_create_with_the_import_rules(admin_client, session, registry_with_two, tmp_path):
    assert run(session, write_dataset(tmp_path / "caps", [], [capability(1, 1)])).committed
    path = "/admin/facilities/F0001/capabilities/C0001/edit"
    from registry.services.records.canonical import capability_record
    from registry.services.records.editing import as_cells
    cap = session.scalar(select(Capability))
    cells = as_cells(capability_record(cap, "F0001"))
    bad = post(admin_client, path, {**cells, "range_min": "5", "range_max": "1", "unit": "MPa",
                                    "version": str(cap.version)})
    assert bad.status_code == 422
    good = post(admin_client, path, {**cells, "name": "电线电缆 绝缘电阻", "version": str(cap.version)})
    assert good.status_code == 302
    session.rollback()
    cap = session.scalar(select(Capability).execution_options(populate_existing=True))
    assert cap.name == "电线电缆 绝缘电阻" and cap.version == 2 and cap.import_digest is None
    new = post(admin_client, "/admin/facilities/F0001/capabilities/new",
               {"capability_id": "C0002", "kind": "test_item", "name": "噪声", "version": "0"})
    assert new.status_code == 302
    change = session.scalars(select(Change).order_by(Change.id.desc())).first()
    assert (change.entity, change.action, change.capability_id) == ("capability", "create", "C0002")


def test_a_price_on_request_shows_as_mianyi_in_the_form_and_survives_a_save(admin_client, session, registry_with_two,
                                                                           tmp_path):
    assert run(session, write_dataset(tmp_path / "caps", [], [capability(1, 1, price_cny="面议")])).committed
    path = "/admin/facilities/F0001/capabilities/C0001/edit"
    assert 'name="price_cny" value="面议"' in admin_client.get(path).get_data(as_text=True)
    assert 'name="price_cny" value="on request"' in admin_client.get(path + "?lang=en").get_data(as_text=True)
    from registry.services.records.canonical import capability_record
    from registry.services.records.editing import as_cells
    cap = session.scalar(select(Capability))
    saved = post(admin_client, path, {**as_cells(capability_record(cap, "F0001")), "name": "导体电阻",
                                      "version": str(cap.version)})
    assert saved.status_code == 302
    session.rollback()
    cap = session.scalar(select(Capability).execution_options(populate_existing=True))
    assert (cap.name, cap.price_cny, cap.price_on_request) == ("导体电阻", None, True)
    priced = post(admin_client, path, {**as_cells(capability_record(cap, "F0001")), "price_cny": "95",
                                       "version": str(cap.version)})
    assert priced.status_code == 302
    session.rollback()
    cap = session.scalar(select(Capability).execution_options(populate_existing=True))
    assert (str(cap.price_cny), cap.price_on_request) == ("95.00", False)
    change = session.scalars(select(Change).order_by(Change.id.desc())).first()
    assert change.before == {"price_cny": None, "price_on_request": True}
    assert change.after == {"price_cny": "95.00", "price_on_request": False}
    log = admin_client.get(f"/admin/changes/{change.id}").get_data(as_text=True)
    assert "价格面议" in log and "price_on_request" not in log
