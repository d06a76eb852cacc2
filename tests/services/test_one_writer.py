"""Issue 11 item 2: imports, uploads, admin edits, workspace edits and restores all write through the one
writer (records/writer.py): the interchange rules, one change set with before/after, one actor format,
the same 409 for a stale form."""
from sqlalchemy import select

from registry.models import ChangeSet, Facility
from registry.services.booking.workflow import BookingError
from registry.services.records.writer import InvalidRecord, StaleRecord
from tests.factories import bookable_dataset, capability_of, login, post_form, run, user


def operator_client(client, session, tmp_path):
    run(session, bookable_dataset(tmp_path, facilities=2))
    operator = user(session, "operator", facility_ids=["F0001"])
    login(client, operator)
    return operator


def newest_actor(session) -> str:
    session.rollback()
    return session.scalar(select(ChangeSet.actor).order_by(ChangeSet.id.desc()).limit(1))


def live_facility(session, facility_id="F0001") -> Facility:
    session.rollback()
    return session.scalar(select(Facility).where(Facility.facility_id == facility_id)
                          .execution_options(populate_existing=True))


def test_stale_and_invalid_are_records_errors_not_booking_errors():
    assert StaleRecord.status == 409 and not issubclass(StaleRecord, BookingError)
    assert InvalidRecord.status == 422 and not issubclass(InvalidRecord, BookingError)


def test_workspace_shows_the_one_edit_form_of_the_record(client, session, tmp_path):
    operator_client(client, session, tmp_path)
    page = client.get("/workspace/facilities/F0001/edit").get_data(as_text=True)
    assert 'id="facility-form"' in page and 'action="/admin/facilities/F0001/edit"' in page
    workspace = client.get("/workspace/").get_data(as_text=True)
    assert "/workspace/facilities/F0001/edit" in workspace


def test_workspace_and_admin_edits_share_actor_and_rules(client, session, tmp_path):
    operator = operator_client(client, session, tmp_path)
    facility = live_facility(session)
    # "a@b" passed the workspace's old "contains @" rule; the interchange rule refuses it, as an import does
    response = post_form(client, "/workspace/facilities/F0001/edit",
                         {"version": str(facility.version), "email": "a@b", "phone": "0571-1"},
                         token_from="/workspace/facilities/F0001/edit")
    assert response.status_code == 422 and "不是有效的电子邮箱地址" in response.get_data(as_text=True)
    assert live_facility(session).email is None
    response = post_form(client, "/workspace/facilities/F0001/edit",
                         {"version": str(facility.version), "email": "lab@example.cn", "phone": "0571-1"},
                         token_from="/workspace/facilities/F0001/edit")
    assert response.status_code == 303
    assert newest_actor(session) == f"user:{operator.email}"
    cap = capability_of(session)
    response = post_form(client, f"/workspace/facilities/F0001/capabilities/{cap.id}",
                         {"version": str(cap.version), "lead_time_days": "400", "bookable": "1", "daily_capacity": "3"},
                         token_from="/workspace/facilities/F0001/edit")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "不能大于 365" in page
    assert 'value="400"' in page  # the one capability form, with what was typed


def test_a_stale_version_is_the_same_409_in_the_workspace_and_the_admin_form(client, session, tmp_path):
    operator_client(client, session, tmp_path)
    facility = live_facility(session)
    old = str(facility.version)
    assert post_form(client, "/workspace/facilities/F0001/edit", {"version": old, "phone": "1"},
                     token_from="/workspace/facilities/F0001/edit").status_code == 303
    stale_workspace = post_form(client, "/workspace/facilities/F0001/edit", {"version": old, "phone": "2"},
                                token_from="/workspace/facilities/F0001/edit")
    cap = capability_of(session)
    stale_terms = post_form(client, f"/workspace/facilities/F0001/capabilities/{cap.id}",
                            {"version": str(cap.version + 3), "bookable": "1", "daily_capacity": "4"},
                            token_from="/workspace/facilities/F0001/edit")
    from registry.services.records.editing import as_cells, stored_facility
    cells = as_cells(stored_facility(session, live_facility(session)))
    stale_admin = post_form(client, "/admin/facilities/F0001/edit", {**cells, "version": old, "phone": "3"},
                            token_from="/admin/facilities/F0001/edit")
    assert stale_workspace.status_code == stale_terms.status_code == stale_admin.status_code == 409
    assert live_facility(session).phone == "1"
    assert capability_of(session).daily_capacity == 3
