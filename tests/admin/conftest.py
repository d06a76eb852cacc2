"""Admin tests: uploads kept in a temporary folder; an admin and operators signed in through the real form."""
import pytest

from registry.extensions import db
from tests.factories import facility, login, run, user, write_dataset


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


@pytest.fixture
def registry_with_two(session, tmp_path):
    """Facilities F0001 and F0002 in the registry."""
    report = run(session, write_dataset(tmp_path / "base", [facility(1), facility(2)]))
    assert report.committed
    return report


@pytest.fixture
def admin(session):
    return user(session, "admin")


@pytest.fixture
def operator(session, registry_with_two):
    """An operator who keeps F0001 only."""
    return user(session, "operator", facility_ids=["F0001"])


@pytest.fixture
def admin_client(client, admin):
    login(client, admin)
    return client


@pytest.fixture
def operator_client(client, operator):
    login(client, operator)
    return client


def refresh(session):
    session.rollback()
    db.session.expire_all()
