"""Against a real hot standby of the test database (.ci/replica: pg_basebackup -R on port 5433): the reads
of a read-only request are answered by the standby, writes by the primary, and what the primary wrote
reaches the standby by streaming replication. Skipped, saying so, without REPLICA_DATABASE_URL."""
import os
import time

import pytest
from sqlalchemy import func, select, text

from registry import create_app
from registry.extensions import db
from registry.models import Facility, User
from tests.factories import facility, run, write_dataset

REPLICA_URL = os.environ.get("REPLICA_DATABASE_URL", "")
pytestmark = [pytest.mark.replica, pytest.mark.skipif(
    not REPLICA_URL.startswith("postgresql"),
    reason="needs REPLICA_DATABASE_URL, a streaming replica of TEST_DATABASE_URL (.ci/replica makes one)")]
SERVER = text("SELECT pg_is_in_recovery(), inet_server_port()")


@pytest.fixture
def routed(app, database_url):
    routed = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
                         "DATABASE_REPLICA_URL": REPLICA_URL})
    yield routed
    with routed.app_context():
        for engine in db.engines.values():
            engine.dispose()


def replicated(routed, query, timeout_s: float = 30.0):
    """Run `query` on the replica until it finds something (streaming takes a moment); its answer and the
    seconds that took."""
    start = time.monotonic()
    while True:
        with routed.app_context(), db.engines["replica"].connect() as connection:
            found = connection.execute(query).scalar()
        if found or time.monotonic() - start > timeout_s:
            return found, time.monotonic() - start
        time.sleep(0.05)


def test_a_read_only_request_reads_the_standby_and_a_write_request_the_primary(session, routed):
    primary_port = db.session.execute(text("SELECT inet_server_port()")).scalar()
    with routed.test_request_context("/api/v1/facilities"):
        standby, port = db.session.execute(SERVER).one()
        assert standby is True and port != primary_port
        user_row = db.session.execute(select(func.pg_is_in_recovery(), func.count(User.id))).one()
        assert user_row[0] is False  # users: read where they are written
    with routed.test_request_context("/api/v1/facilities", method="POST"):
        assert db.session.execute(SERVER).one() == (False, primary_port)


def test_what_the_primary_writes_is_served_from_the_standby_after_replication(session, routed, tmp_path):
    run(session, write_dataset(tmp_path / "one", [facility(1, name="复制测试检测站")]))  # commits on the primary
    found, seconds = replicated(routed, select(func.count()).select_from(Facility)
                                .where(Facility.name == "复制测试检测站"))
    assert found == 1, f"not on the replica after {seconds:.1f} s"
    response = routed.test_client().get("/api/v1/facilities/F0001")
    assert response.status_code == 200 and response.get_json()["name"] == "复制测试检测站"
    ready = routed.test_client().get("/readyz").get_json()["checks"]["replica"]
    assert ready["ok"] and ready["standby"] is True


def test_a_write_that_reaches_the_standby_fails_instead_of_landing(session, routed):
    with routed.test_request_context("/search"):
        with pytest.raises(Exception, match="read-only transaction"):
            db.session.execute(text("UPDATE districts SET name_en = name_en"))
        db.session.rollback()
