"""The change log: filters, before/after, restoring a facility (itself a new change)."""
import re

from sqlalchemy import func, select

from registry.models import Capability, Change, Facility
from tests.factories import capability, csrf_token, facility, run, write_dataset

PLAN = re.compile(r'name="plan" value="([0-9a-f]+)"')


def test_browse_filters_by_facility_and_kind_of_change(admin_client, session, registry_with_two, tmp_path):
    run(session, write_dataset(tmp_path / "u", [facility(1, name="改过的名字")]))
    page = admin_client.get("/admin/changes?facility_id=F0001&action=update").get_data(as_text=True)
    assert page.count("<tr data-change=") == 1
    page = admin_client.get("/admin/changes?facility_id=F0002").get_data(as_text=True)
    assert page.count("<tr data-change=") == 1  # its create only
    page = admin_client.get("/admin/changes?actor=nobody").get_data(as_text=True)
    assert page.count("<tr data-change=") == 0


def test_change_page_shows_before_and_after(admin_client, session, registry_with_two, tmp_path):
    run(session, write_dataset(tmp_path / "u", [facility(1, name="<b>新</b>")]))
    change_id = session.scalar(select(func.max(Change.id)))
    page = admin_client.get(f"/admin/changes/{change_id}").get_data(as_text=True)
    assert "测试检测中心1" in page and "&lt;b&gt;新&lt;/b&gt;" in page


def test_restore_brings_back_the_facility_and_its_capabilities(admin_client, session, registry_with_two, tmp_path):
    run(session, write_dataset(tmp_path / "c", [], [capability(1, 1)]))
    good_state = session.scalar(select(func.max(Change.id)))
    run(session, write_dataset(tmp_path / "u", [facility(1, name="错误的名字", shared="no")],
                               [capability(1, 2)]))
    changes_before = session.scalar(select(func.count()).select_from(Change))
    # A restore is confirmed on the page that shows what it changes (tests/admin/test_restore_preview.py).
    plan = PLAN.search(admin_client.get(f"/admin/changes/{good_state}/restore").get_data(as_text=True)).group(1)
    response = admin_client.post(f"/admin/changes/{good_state}/restore",
                                 data={"csrf_token": csrf_token(admin_client, f"/admin/changes/{good_state}"),
                                       "plan": plan, "confirm": "yes"})
    assert response.status_code == 302
    session.rollback()
    f1 = session.scalar(select(Facility).where(Facility.facility_id == "F0001")
                        .execution_options(populate_existing=True))
    assert f1.name == "测试检测中心1" and f1.shared is True
    live = set(session.scalars(select(Capability.capability_id).where(Capability.deleted_at.is_(None))))
    assert live == {"C0001"}
    new_changes = session.scalars(select(Change).where(Change.id > changes_before)).all()
    assert {(c.entity, c.action) for c in new_changes} == {("facility", "update"), ("capability", "delete")}


def test_operator_cannot_restore_and_sees_only_its_facilities_changes(operator_client, session):
    change_id = session.scalar(select(Change.id).where(Change.facility_id == "F0002"))
    assert operator_client.get(f"/admin/changes/{change_id}").status_code == 404
    page = operator_client.get("/admin/changes").get_data(as_text=True)
    assert "F0002" not in page and "F0001" in page
    response = operator_client.post(f"/admin/changes/{change_id}/restore",
                                    data={"csrf_token": csrf_token(operator_client, "/admin/changes")})
    assert response.status_code == 403
