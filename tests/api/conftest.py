"""API fixtures: fresh rate-limit counters per test, keys made through the service (the small `registry`
is tests/conftest.py's)."""
import pytest

from registry.extensions import limiter
from registry.services.accounts.api_keys import create_key


@pytest.fixture(autouse=True)
def fresh_limits(app):
    with app.app_context():
        limiter.reset()
    yield



@pytest.fixture
def make_key(session):
    def make(scopes="read", partner="测试伙伴"):
        _row, key = create_key(session, partner, scopes)
        return key
    return make
