"""The attack suite's world: two facilities in two districts, a person of every role, bookings made on the
pages and through the API, upload jobs, keys and a calendar feed; "own" and "other" objects for each.

Every test starts with empty rate-limit counters, and the API's limits are lifted unless a test sets them.
"""
import time
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import select

from registry.clock import today
from registry.extensions import limiter
from registry.models import Change, ChangeSet, UploadJob
from registry.services.accounts.api_keys import create_key
from registry.services.booking.calendars import feed_for
from registry.services.booking.partners import book_for_partner
from registry.services.booking.workflow import request_booking
from tests.factories import (
    booking_request,
    capability,
    capability_of,
    facility,
    point_in,
    run,
    uscc,
    user,
    write_dataset,
)

WEB_PRINCIPALS = ("enterprise", "operator", "auditor_city", "auditor_district", "admin")
KEY_PRINCIPALS = ("key_read", "key_book", "key_audit")
PRINCIPALS = ("anonymous", *KEY_PRINCIPALS, *WEB_PRINCIPALS)  # the order the matrix visits them in
ROLE_OF = {"enterprise": "enterprise", "operator": "operator", "auditor_city": "auditor",
           "auditor_district": "auditor", "admin": "admin"}
OTHER_DISTRICT, HOME_DISTRICT = "330106", "330109"  # F0001 / F0002; the district auditor audits 330109


@pytest.fixture(autouse=True)
def fresh_limits(app, monkeypatch):
    monkeypatch.setitem(app.config, "API_RATE_LIMIT_ANONYMOUS", "100000 per minute")
    monkeypatch.setitem(app.config, "API_RATE_LIMIT_KEY", "100000 per minute")
    with app.app_context():
        limiter.reset()
    yield
    with app.app_context():
        limiter.reset()


@dataclass
class World:
    users: dict = field(default_factory=dict)  # principal (and "enterprise2", "operator2") -> User
    keys: dict = field(default_factory=dict)  # principal -> (row, secret)
    capabilities: dict = field(default_factory=dict)  # "F0001" -> the pk of its capability C0001
    bookings: dict = field(default_factory=dict)  # "B1", "B2" (pages), "KB1", "KB2" (API) -> id
    changes: dict = field(default_factory=dict)  # facility id -> a change id of it
    jobs: dict = field(default_factory=dict)  # "J1" (operator's), "J2" (operator2's) -> id
    feed_token: str = ""

    def facility_for(self, principal: str, variant: str) -> str:
        """The facility a principal keeps or audits ("own") and one it does not ("other")."""
        mine = "F0002" if principal == "auditor_district" else "F0001"
        return mine if variant == "own" else ({"F0001": "F0002", "F0002": "F0001"}[mine])

    def booking_for(self, principal: str, variant: str) -> int:
        if principal.startswith("key_"):
            return self.bookings["KB1" if variant == "own" else "KB2"]
        own = "B2" if principal == "auditor_district" else "B1"
        return self.bookings[own if variant == "own" else ({"B1": "B2", "B2": "B1"}[own])]

    def job_for(self, principal: str, variant: str) -> int:
        return self.jobs["J1" if variant == "own" else "J2"]


def service_day(days: int = 10):
    return today() + timedelta(days=days)


@pytest.fixture
def world(session, tmp_path) -> World:
    lon, lat = point_in(HOME_DISTRICT)
    values = {"bookable": "yes", "daily_capacity": "5", "price_cny": "120", "lead_time_days": "2"}
    facilities = [facility(1, district_code=OTHER_DISTRICT),
                  facility(2, district_code=HOME_DISTRICT, lon=str(lon), lat=str(lat))]
    report = run(session, write_dataset(tmp_path / "data", facilities,
                                        [capability(1, 1, **values), capability(2, 1, **values)]))
    assert report.committed, report.issues
    w = World()
    w.capabilities = {f: capability_of(session, f).id for f in ("F0001", "F0002")}
    w.users["enterprise"] = user(session, "enterprise", n=1)
    w.users["enterprise2"] = user(session, "enterprise", n=2)
    w.users["operator"] = user(session, "operator", n=3, facility_ids=["F0001"])
    w.users["operator2"] = user(session, "operator", n=4, facility_ids=["F0002"])
    w.users["auditor_city"] = user(session, "auditor", n=5)
    w.users["auditor_district"] = user(session, "auditor", n=6, district_code=HOME_DISTRICT)
    w.users["admin"] = user(session, "admin", n=7)
    for n, (name, who) in enumerate((("B1", "enterprise"), ("B2", "enterprise2")), start=1):
        booking = request_booking(session, w.users[who], booking_request(capability_of(session, f"F000{n}"),
                                                                        service_day()), today=today(), notify=None)
        w.bookings[name] = booking.id
    for principal, scopes in (("key_read", "read"), ("key_book", "read,book"), ("key_audit", "audit"),
                              ("key_book2", "read,book")):
        w.keys[principal] = create_key(session, f"伙伴 {principal}", scopes)
    for name, principal in (("KB1", "key_book"), ("KB2", "key_book2")):
        body = {"facility_id": "F0002", "capability_id": "C0001", "service_date": service_day(), "quantity": 1,
                "description": "校准", "contact_name": "王工", "contact_phone": "0571-88880000",
                "enterprise": {"org_name": "杭州某某制造有限公司", "uscc": uscc(90)}}
        w.bookings[name] = book_for_partner(session, w.keys[principal][0].id, body, today=today()).id
    for facility_id in ("F0001", "F0002"):
        w.changes[facility_id] = session.scalar(select(Change.id).join(ChangeSet).where(
            Change.facility_id == facility_id).order_by(Change.id).limit(1))
    for name, owner in (("J1", "operator"), ("J2", "operator2")):
        job = UploadJob(user_id=w.users[owner].id, status="failed", files=["facilities.csv"], message="test")
        session.add(job)
        session.flush()
        w.jobs[name] = job.id
    w.feed_token = feed_for(session, w.users["enterprise"]).token
    session.commit()
    return w


def sign_in_as(client, account) -> None:
    """Put the account's session in the client's cookie, as a sign-in would (faster than scrypt)."""
    with client.session_transaction() as cookie:
        cookie["_user_id"] = account.session_token
        cookie["_fresh"] = True
        cookie["signed_in_at"] = int(time.time())
