"""The browser fixtures of tests/browser/ (a seeded app served on 127.0.0.1, Chromium pages that fail on
foreign requests, dialogs and CSP violations), for the attack suite's browser tests."""
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, browser, live_env, live_server, page, page_log  # noqa: F401


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            if not Path(CHROMIUM).exists():
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} is not installed"))
