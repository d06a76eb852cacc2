"""Issue 13: a restore from the change log shows what it will change (a diff and counts) and asks for
confirmation; it never runs on one click, and applies only the plan that was confirmed."""
import re

from sqlalchemy import func, select

from registry.models import Capability, Change, ChangeSet, Facility
from tests.factories import capability, csrf_token, facility, row_counts, run, write_dataset

PLAN = re.compile(r'name="plan" value="([0-9a-f]+)"')


def with_many_capabilities(session, tmp_path) -> int:
    """F0001 with one capability, then a later import that adds three more and renames it; the change id
    right after the first state."""
    run(session, write_dataset(tmp_path / "c", [], [capability(1, 1)]))
    good_state = session.scalar(select(func.max(Change.id)))
    run(session, write_dataset(tmp_path / "u", [facility(1, name="错误的名字")],
                               [capability(1, n) for n in (1, 2, 3, 4)]))
    return good_state


def test_restore_page_shows_the_diff_and_counts_and_writes_nothing(admin_client, session, registry_with_two,
                                                                   tmp_path):
    good_state = with_many_capabilities(session, tmp_path)
    before = row_counts(session)
    sets_before = session.scalar(select(func.count()).select_from(ChangeSet))
    page = admin_client.get(f"/admin/changes/{good_state}/restore", headers={"Accept-Language": "en"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r'data-count="capability.delete"><strong>3</strong> capabilities will be deleted', text)
    assert re.search(r'data-count="facility.update"><strong>1</strong> facilities will be updated', text)
    assert "错误的名字" in text and "测试检测中心1" in text and 'id="restore-confirm"' in text
    session.rollback()
    assert row_counts(session) == before
    assert session.scalar(select(func.count()).select_from(ChangeSet)) == sets_before


def test_the_change_page_links_to_the_preview_instead_of_restoring(admin_client, session, registry_with_two,
                                                                    tmp_path):
    good_state = with_many_capabilities(session, tmp_path)
    page = admin_client.get(f"/admin/changes/{good_state}").get_data(as_text=True)
    assert f'href="/admin/changes/{good_state}/restore"' in page
    assert 'method="post" action="/admin/changes/' not in page


def test_restore_without_confirmation_is_refused_and_writes_nothing(admin_client, session, registry_with_two,
                                                                    tmp_path):
    good_state = with_many_capabilities(session, tmp_path)
    before = row_counts(session)
    token = csrf_token(admin_client, f"/admin/changes/{good_state}")
    plan = PLAN.search(admin_client.get(f"/admin/changes/{good_state}/restore").get_data(as_text=True)).group(1)
    one_click = admin_client.post(f"/admin/changes/{good_state}/restore", data={"csrf_token": token})
    unticked = admin_client.post(f"/admin/changes/{good_state}/restore", data={"csrf_token": token, "plan": plan})
    assert one_click.status_code == unticked.status_code == 400
    assert 'id="restore-refused"' in one_click.get_data(as_text=True)
    session.rollback()
    assert row_counts(session) == before
    assert session.scalar(select(func.count()).select_from(Capability).where(Capability.deleted_at.is_(None))) == 4


def test_restore_of_a_plan_that_changed_since_the_preview_is_a_409(admin_client, session, registry_with_two,
                                                                   tmp_path):
    good_state = with_many_capabilities(session, tmp_path)
    plan = PLAN.search(admin_client.get(f"/admin/changes/{good_state}/restore").get_data(as_text=True)).group(1)
    run(session, write_dataset(tmp_path / "later", [], [capability(1, 5)]))  # one more to delete now
    before = row_counts(session)
    response = admin_client.post(f"/admin/changes/{good_state}/restore", data={
        "csrf_token": csrf_token(admin_client, "/admin/changes"), "plan": plan, "confirm": "yes"})
    assert response.status_code == 409
    session.rollback()
    assert row_counts(session) == before
    name = session.scalar(select(Facility.name).where(Facility.facility_id == "F0001"))
    assert name == "错误的名字"


def test_confirmed_restore_writes_the_plan_as_the_admin(admin_client, admin, session, registry_with_two, tmp_path):
    good_state = with_many_capabilities(session, tmp_path)
    plan = PLAN.search(admin_client.get(f"/admin/changes/{good_state}/restore").get_data(as_text=True)).group(1)
    response = admin_client.post(f"/admin/changes/{good_state}/restore", data={
        "csrf_token": csrf_token(admin_client, "/admin/changes"), "plan": plan, "confirm": "yes"})
    assert response.status_code == 302
    session.rollback()
    change_set = session.scalars(select(ChangeSet).order_by(ChangeSet.id.desc())).first()
    assert change_set.actor == f"user:{admin.email}"
    actions = session.scalars(select(Change.action).where(Change.change_set_id == change_set.id)).all()
    assert sorted(actions) == ["delete", "delete", "delete", "update"]
