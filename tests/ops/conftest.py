"""Apps of a test's own settings."""
import pytest

from registry import create_app
from registry.extensions import db, limiter


@pytest.fixture
def own_app(database_url):
    """An app of the test's own settings; the limiter is process-wide, so the suite's settings come back after."""
    made = []

    def make(**settings):
        made.append(create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, **settings}))
        return made[-1]
    yield make
    for app in made:
        with app.app_context():
            db.engine.dispose()
    create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    limiter.limit_manager.set_default_limits([])  # kept by the limiter once set (RATELIMIT_DEFAULT of a test)
