"""Browser tests: the app served by a real WSGI server on 127.0.0.1, driven by Debian's Chromium.

Once per session: a temporary SQLite database is migrated, seeded with the demo data (`flask seed`) and
given one hostile record (a facility named like an HTML tag); then `flask run` serves it on a free port.
Playwright drives /usr/bin/chromium (no browser download). Every test's page records each request and
each dialog; a request to any host but 127.0.0.1 is aborted and fails the test, and so does any
Content-Security-Policy violation the browser reports (the app serves its CSP in these tests as in production).
"""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.factories import capability, facility, point_in, write_dataset

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-default-apps", "--disable-extensions"]
ARTIFACTS = Path(__file__).parent / "artifacts"
HOSTILE_NAME = "<img src=x onerror=alert(1)>"
HOSTILE_ID = "XSS-0001"
LOCAL_HOSTS = {"127.0.0.1"}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            if not Path(CHROMIUM).exists():
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} is not installed (CI installs Debian's chromium)"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _flask(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "registry", *args], env=env, check=True,
                   capture_output=True, timeout=600)


def _hostile_dataset(folder: Path) -> list[Path]:
    """A located facility in Xiaoshan whose name and capability are HTML, to be shown as text."""
    lon, lat = point_in("330109")
    rows = [facility(9001, facility_id=HOSTILE_ID, name=HOSTILE_NAME, name_en=HOSTILE_NAME, district_code="330109",
                     lon=str(lon), lat=str(lat))]
    caps = [capability(9001, 1, facility_id=HOSTILE_ID, name="<script>alert(2)</script> 探针检测", standards=None)]
    return write_dataset(folder, rows, caps)


@pytest.fixture(scope="session")
def live_env(tmp_path_factory):
    """The environment of the served app: its SQLite database migrated, seeded, with the hostile record.
    Tests may run more `flask` commands in it (e.g. `user create`) with `run_flask(live_env, ...)`."""
    folder = tmp_path_factory.mktemp("browser")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'registry.sqlite3'}", "FLASK_DEBUG": "0",
           "MAP_TILES": "none", "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
    env.pop("TEST_DATABASE_URL", None)
    _flask(env, "db", "upgrade")
    _flask(env, "seed")
    paths = _hostile_dataset(folder / "hostile")
    _flask(env, "import", "--skip-invalid", *map(str, paths))
    return env


run_flask = _flask


def module_env(folder: Path) -> dict:
    """The environment of an app that one test module serves for itself (its own SQLite database, migrated and
    seeded with the demo data, and its own upload folder), so that the shared one stays as other tests expect."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'registry.sqlite3'}", "FLASK_DEBUG": "0",
           "MAP_TILES": "none", "UPLOAD_DIR": str(folder / "uploads"), "NO_PROXY": "127.0.0.1",
           "no_proxy": "127.0.0.1"}
    env.pop("TEST_DATABASE_URL", None)
    _flask(env, "db", "upgrade")
    _flask(env, "seed")
    return env
PASSWORD = "browser test password"  # of every account the browser tests create


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the Chinese sign-in form, as a person would."""
    page.goto("/login")
    page.get_by_label("电子邮箱").fill(email)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#signed-in")).to_be_visible()


@pytest.fixture(scope="session")
def live_server(live_env):
    """The base URL of the app, seeded, served by `flask run` (werkzeug) in a subprocess."""
    with serve(live_env) as base:
        yield base


@contextmanager
def serve(env: dict):
    """Serve the app of `env` (its SQLite database's folder keeps the log) on a free port; yields the base URL."""
    folder = Path(env["DATABASE_URL"].removeprefix("sqlite:///")).parent
    port = _free_port()
    log = open(folder / "server.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "registry", "run", "--host", "127.0.0.1", "--port", str(port),
         "--no-reload", "--no-debugger", "--with-threads"], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # a loaded machine starts it slowly
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=5).read()
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError((folder / "server.log").read_text()) from None
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the app did not answer on {base} within 90 s") from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (test extras)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class PageLog:
    def __init__(self):
        self.requests: list[str] = []
        self.foreign: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.csp: list[str] = []  # the browser's reports of Content-Security-Policy violations


@pytest.fixture
def page_log():
    return PageLog()


@pytest.fixture
def page(browser, live_server, page_log):
    """A fresh Chinese-language page; foreign requests are aborted and recorded, dialogs recorded and dismissed."""
    context, page = new_guarded_page(browser, live_server, page_log)
    yield page
    context.close()
    assert not page_log.foreign, f"requests left 127.0.0.1: {page_log.foreign}"
    assert not page_log.dialogs, f"a dialog fired: {page_log.dialogs}"
    assert not page_log.csp, f"Content-Security-Policy violations: {page_log.csp}"


def new_guarded_page(browser, live_server, page_log):
    """A page in a context of its own (its own cookies), guarded as the `page` fixture describes."""
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 1440, "height": 960},
                                  service_workers="block")

    def route(route):
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:", "about:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            page_log.foreign.append(route.request.url)
            route.abort()

    context.route("**/*", route)

    def on_request(request):
        page_log.requests.append(request.url)

    def on_dialog(dialog):
        page_log.dialogs.append(dialog.message)
        dialog.dismiss()

    page = context.new_page()
    page.on("request", on_request)
    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: page_log.errors.append(str(error)))
    page.on("console", lambda message: page_log.csp.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text else None)
    page.set_default_timeout(15_000)
    return context, page


def wait_until(frame, expression: str, timeout: float = 15) -> None:
    """Poll `expression` in a page or frame until it is true. Playwright's wait_for_function evaluates
    its predicate with eval inside the page, which the app's CSP (rightly) refuses; evaluate() does not."""
    deadline = time.monotonic() + timeout
    while not frame.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        time.sleep(0.05)


def shoot(page, name: str) -> Path:
    """Keep a full-page screenshot as a test artifact (tests/browser/artifacts/, gitignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

