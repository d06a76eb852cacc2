"""Operators edit their own facilities' contact details and capabilities' booking terms (the workspace)
through the one writer of registry records; every edit lands in the change log."""
import pytest
from flask import current_app
from sqlalchemy import func, select

from registry.errors import NotFound
from registry.models import Capability, Change, ChangeSet, Facility
from registry.services.districts import district_locator
from registry.services.records.canonical import data_version
from registry.services.records.editing import BOOKING_TERMS, CONTACT_COLUMNS, save_capability, save_facility
from registry.services.records.writer import InvalidRecord, StaleRecord
from tests.factories import bookable_dataset, capability_of, login, post_form, run, user


def edit_facility(session, operator, facility_pk, form, version):
    """The workspace's save of a facility's contact details; the change set it wrote, if any."""
    facility = session.get(Facility, facility_pk)
    if facility is None:
        raise NotFound("no such facility")
    locator = district_locator(current_app.config["DISTRICTS_GEOJSON"])
    save_facility(session, facility.facility_id, form, version, user=operator, locator=locator, only=CONTACT_COLUMNS)
    return newest_change_set(session)


def edit_capability(session, operator, capability_pk, form, version):
    capability = session.get(Capability, capability_pk)
    facility_id = capability.facility.facility_id
    save_capability(session, facility_id, capability.capability_id, form, version, user=operator, only=BOOKING_TERMS)
    return newest_change_set(session)


def newest_change_set(session):
    return session.get(ChangeSet, session.scalar(select(func.max(ChangeSet.id))))


@pytest.fixture
def ops(session, tmp_path):
    run(session, bookable_dataset(tmp_path, facilities=2))
    return user(session, "operator", facility_ids=["F0001"]), user(session, "operator", facility_ids=["F0002"])


def facility_pk(session, facility_id):
    return session.scalar(select(Facility.id).where(Facility.facility_id == facility_id))


def test_facility_edit_is_recorded_in_the_change_log(session, ops):
    mine = session.get(Facility, facility_pk(session, "F0001"))
    version_before, data_before = mine.version, data_version(session)
    change_set = edit_facility(session, ops[0], mine.id, {"phone": "0571-12345678", "email": "lab@example.cn"},
                               mine.version)
    change = session.scalars(select(Change).where(Change.change_set_id == change_set.id)).one()
    assert (change.entity, change.facility_id, change.action) == ("facility", "F0001", "update")
    assert change.after == {"phone": "0571-12345678", "email": "lab@example.cn"}
    assert change_set.actor == f"user:{ops[0].email}"  # the one actor format of web writes
    session.refresh(mine)
    assert mine.version == version_before + 1
    assert data_version(session) != data_before


def test_capability_terms_edit_is_recorded(session, ops):
    cap = capability_of(session)
    edit_capability(session, ops[0], cap.id, {"price_cny": "150", "lead_time_days": "3", "bookable": "1",
                                              "daily_capacity": "5"}, cap.version)
    change = session.scalars(select(Change).where(Change.entity == "capability", Change.action == "update")).one()
    assert (change.before, change.after) == ({"price_cny": "120.00", "lead_time_days": 2, "daily_capacity": 3},
                                             {"price_cny": "150.00", "lead_time_days": 3, "daily_capacity": 5})


def test_operator_cannot_edit_another_operators_facility(session, ops):
    other = session.get(Facility, facility_pk(session, "F0002"))
    with pytest.raises(NotFound):
        edit_facility(session, ops[0], other.id, {"phone": "110"}, other.version)
    with pytest.raises(NotFound):
        edit_capability(session, ops[0], capability_of(session, "F0002").id, {"bookable": ""}, 1)
    assert session.scalars(select(ChangeSet).where(ChangeSet.actor.like("user:%"))).all() == []


def test_bad_values_and_stale_versions_write_nothing(session, ops):
    cap = capability_of(session)
    with pytest.raises(InvalidRecord):
        edit_capability(session, ops[0], cap.id, {"bookable": "1", "daily_capacity": ""}, cap.version)
    with pytest.raises(StaleRecord):
        edit_capability(session, ops[0], cap.id, {"bookable": "1", "daily_capacity": "9"}, cap.version + 5)
    assert session.scalars(select(Change).where(Change.entity == "capability", Change.action == "update")).all() == []


def test_edit_page_posts_and_refuses_other_facilities(client, session, ops):
    login(client, ops[0])
    mine = session.get(Facility, facility_pk(session, "F0001"))
    response = post_form(client, "/workspace/facilities/F0001/edit",
                         {"version": str(mine.version), "phone": "0571-1", "email": "", "website": "https://lab.cn"},
                         token_from="/workspace/facilities/F0001/edit")
    assert response.status_code == 303
    assert client.get("/workspace/facilities/F0002/edit").status_code == 404
    response = post_form(client, "/workspace/facilities/F0002/edit", {"version": "1", "phone": "x"})
    assert response.status_code == 404
    session.expire_all()
    assert session.get(Facility, facility_pk(session, "F0002")).phone is None
